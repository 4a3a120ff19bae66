/**
 * A space's Discussion as a windowed list: the newest page at the bottom (chat.page), older pages loaded when the view
 * nears the top (from this computer, or the room's archive where it runs out), and only the rows near the view in the
 * DOM (10 000 messages never sit there at once). Rows have their own heights (quotes, long texts): each is measured once
 * rendered, the others are estimated, and the row at the top of the view stays where it is while pages arrive above it
 * or estimates become measures (the browser's own scroll anchoring is off).
 */
import { memo, useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ChatMessage } from '../../../../src/shared/contract';
import { ApiCallError } from '../../api/client';
import { useApiEvent, useClient } from '../../api/react';
import { ErrorAlert } from '../../components/common';
import { DiscussionMessage } from './DiscussionMessage';

const PAGE = 50;
/** Height given to a row not measured yet (one line of text and its sender). */
const ESTIMATE = 56;
/** Rows rendered above and below the view, in pixels. */
const OVERSCAN = 800;
/** An older page is asked for when the view comes this close to the top. */
const NEAR_TOP = 1200;

const Row = memo(DiscussionMessage);

/** First index i (0 ≤ i ≤ n) with tops[i + 1] > y: the row under the height y. */
function rowAt(tops: Float64Array, n: number, y: number): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (tops[mid + 1]! > y) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

export function DiscussionList({
  workspaceId,
  recent,
  recentComplete,
  me,
  onReply,
  onReload,
}: {
  workspaceId: string;
  /** The newest page (chat.page without a cursor), read again on each new message. */
  recent: ChatMessage[] | undefined;
  /** The newest page is the whole Discussion. */
  recentComplete: boolean;
  me: string | null;
  onReply: (m: ChatMessage) => void;
  onReload: () => void;
}) {
  const { t } = useTranslation();
  const client = useClient();
  const [older, setOlder] = useState<ChatMessage[]>([]);
  const [complete, setComplete] = useState(false);
  const [loadingOlder, setLoadingOlder] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const [offline, setOffline] = useState(false);
  const [viewHeight, setViewHeight] = useState(400);
  const [, setTick] = useState(0);

  const scroller = useRef<HTMLDivElement>(null);
  const listRef = useRef<HTMLOListElement>(null);
  const heights = useRef(new Map<string, number>());
  /** The row at the top of the view and how far above the view's top it starts (kept in place). */
  const anchor = useRef<{ id: string; delta: number } | null>(null);
  /** The view follows the newest message (at the bottom, as on opening). */
  const atBottom = useRef(true);
  const busy = useRef(false);
  /** The rows rendered are measured and the view is where it belongs (not at 0 while the first page is measured). */
  const settled = useRef(false);

  // The newest page over the pages loaded before: a message in both is the newest page's copy. Should the newest page no
  // longer touch what was shown (many new messages at once), what was shown joins the older pages (nothing disappears).
  const shown = useRef<ChatMessage[]>([]);
  const recentIds = new Set((recent ?? []).map((m) => m.id));
  const messages = [...older.filter((m) => !recentIds.has(m.id)), ...(recent ?? [])];
  useEffect(() => {
    if (!recent || recent.length === 0) return;
    const before = shown.current;
    if (before.length > 0 && !before.some((m) => m.id === recent[0]!.id) && before.some((m) => !m.pending)) {
      setOlder(before.filter((m) => !m.pending));
    }
  }, [recent]);
  useEffect(() => {
    shown.current = messages;
  });
  const isComplete = complete || (older.length === 0 && recentComplete);

  const n = messages.length;
  const tops = new Float64Array(n + 1);
  const index = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const id = messages[i]!.id;
    index.set(id, i);
    tops[i + 1] = tops[i]! + (heights.current.get(id) ?? ESTIMATE);
  }
  const total = tops[n]!;
  const anchored = anchor.current ? index.get(anchor.current.id) : undefined;
  const top = atBottom.current
    ? Math.max(0, total - viewHeight)
    : anchored !== undefined
      ? Math.max(0, tops[anchored]! - anchor.current!.delta)
      : (scroller.current?.scrollTop ?? 0);
  const start = rowAt(tops, n, top - OVERSCAN);
  const end = Math.min(n, rowAt(tops, n, top + viewHeight + OVERSCAN) + 1);
  const slice = messages.slice(start, end);
  const layout = useRef({ tops, messages, n });
  layout.current = { tops, messages, n };

  const loadOlder = useCallback(async () => {
    const oldest = layout.current.messages.find((m) => !m.pending);
    if (busy.current || !oldest) return;
    busy.current = true;
    setLoadingOlder(true);
    setProblem(null);
    try {
      const page = await client.call('chat.page', { workspaceId, before: oldest.id, limit: PAGE });
      const known = new Set(layout.current.messages.map((m) => m.id));
      setOlder((prev) => [...page.messages.filter((m) => !known.has(m.id)), ...prev]);
      setComplete(page.complete);
      setOffline(page.offline && !page.complete);
    } catch (err) {
      setProblem(err instanceof ApiCallError ? err.message : t('errors.unexpected'));
    } finally {
      busy.current = false;
      setLoadingOlder(false);
    }
  }, [client, workspaceId, t]);

  // « …seront chargés au retour du réseau »: the space's connection came back (the core reconnected and read the
  // agent's spaces again), so the older pages are asked for again without waiting for « Réessayer ».
  useApiEvent('workspaces.changed', (data) => {
    if (offline && data.workspaceIds.includes(workspaceId)) setOffline(false);
  });

  const wantsOlder = (): boolean => {
    const el = scroller.current;
    return (
      !!el && settled.current && !isComplete && !offline && !problem && !busy.current && layout.current.n > 0 && el.scrollTop < NEAR_TOP
    );
  };

  useLayoutEffect(() => {
    const el = scroller.current;
    const list = listRef.current;
    if (!el || !list) return;
    if (el.clientHeight !== viewHeight && el.clientHeight > 0) {
      settled.current = false;
      setViewHeight(el.clientHeight);
      return;
    }
    // Measure the rows rendered; a new measure re-renders before the browser paints.
    let changed = false;
    const rows = list.children;
    for (let k = 0; k < slice.length && k < rows.length; k++) {
      const h = (rows[k] as HTMLElement).offsetHeight;
      const id = slice[k]!.id;
      if (h > 0 && heights.current.get(id) !== h) {
        heights.current.set(id, h);
        changed = true;
      }
    }
    if (changed) {
      settled.current = false;
      setTick((x) => x + 1);
      return;
    }
    if (Math.abs(el.scrollTop - top) > 1) el.scrollTop = top;
    settled.current = true;
    // The slice is a new array on each render: measured after every one.
  }, [viewHeight, top, slice]);

  // Near the top (or the page too short to scroll): the page before.
  useEffect(() => {
    if (wantsOlder()) void loadOlder();
  });

  const onScroll = () => {
    const el = scroller.current;
    if (!el) return;
    const { tops: t0, messages: all, n: count } = layout.current;
    const y = el.scrollTop;
    atBottom.current = el.scrollHeight - y - el.clientHeight < 8;
    const i = rowAt(t0, count, y);
    const next = i < count ? { id: all[i]!.id, delta: t0[i]! - y } : null;
    const prev = anchor.current;
    if (!prev || !next || prev.id !== next.id || Math.abs(prev.delta - next.delta) > 0.5) {
      anchor.current = next;
      setTick((x) => x + 1);
    }
  };

  // A message changed (corrected, deleted): the newest page is read again; a message of an older page, alone.
  const recentRef = useRef(recentIds);
  recentRef.current = recentIds;
  const changedHandlers = useRef(new Map<string, () => void>());
  const onChangedFor = (id: string): (() => void) => {
    let handler = changedHandlers.current.get(id);
    if (!handler) {
      handler = () => {
        if (recentRef.current.has(id)) return onReload();
        const all = layout.current.messages;
        const next = all[all.findIndex((x) => x.id === id) + 1];
        if (!next) return onReload();
        void client.call('chat.page', { workspaceId, before: next.id, limit: 1 }).then(
          (page) => {
            const fresh = page.messages[0];
            if (fresh) setOlder((prev) => prev.map((x) => (x.id === fresh.id ? fresh : x)));
          },
          () => undefined,
        );
      };
      changedHandlers.current.set(id, handler);
    }
    return handler;
  };

  return (
    <>
      <div className="discussion-older-state">
        {loadingOlder ? (
          <p role="status" className="muted" data-testid="discussion-loading-older">
            {t('espacesHistorique.loadingOlder')}
          </p>
        ) : null}
        {offline ? (
          <p role="status" className="muted" data-testid="discussion-older-offline">
            {t('espacesHistorique.offline')}{' '}
            <button type="button" className="button" onClick={() => setOffline(false)}>
              {t('espacesHistorique.retry')}
            </button>
          </p>
        ) : null}
        {problem ? (
          <div data-testid="discussion-older-error">
            <ErrorAlert message={t('espacesHistorique.failed', { reason: problem })} />
            <button type="button" className="button" onClick={() => setProblem(null)}>
              {t('espacesHistorique.retry')}
            </button>
          </div>
        ) : null}
      </div>
      <div
        className="discussion-scroller"
        ref={scroller}
        onScroll={onScroll}
        data-testid="discussion-scroller"
        data-count={n}
        data-complete={isComplete}
        tabIndex={0}
        role="region"
        aria-label={t('espacesHistorique.listLabel')}
      >
        <div style={{ height: tops[start] }} aria-hidden="true" />
        <ol className="discussion-messages" aria-live="polite" data-testid="discussion" ref={listRef}>
          {slice.map((m) => (
            <Row key={m.id} message={m} me={me} onReply={onReply} onChanged={onChangedFor(m.id)} />
          ))}
          {recent && n === 0 ? <li className="muted">{t('espaces.noMessage')}</li> : null}
        </ol>
        <div style={{ height: total - tops[end]! }} aria-hidden="true" />
      </div>
    </>
  );
}
