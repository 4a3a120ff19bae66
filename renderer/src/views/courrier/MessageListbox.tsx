/**
 * The virtualised message list: only the rows in view (plus a few above and below) are in the DOM,
 * whatever the size of the folder (100 000 messages and more). Rows have one height, measured on
 * the first row shown (it follows the font size and the layout with or without the reading pane).
 *
 * Accessibility: a `listbox` (multi-selectable) that keeps the focus while `aria-activedescendant`
 * names the active row; each row is an `option` with `aria-setsize` / `aria-posinset`, so screen
 * readers announce « 4 521 sur 100 000 » although most rows are not in the DOM. Keys: Haut, Bas,
 * Début, Fin, Page préc., Page suiv. move the active row (and select it); Entrée or Espace opens it;
 * Maj+F10 or the menu key opens the row's menu (`onRowMenu`, as a right click).
 *
 * `usePagedMessages` loads the folder window by window through `mail.list` (pages of PAGE_SIZE): the
 * pages in view first, then, while nothing is urgent, the rest of the folder in chunks of FILL_CHUNK
 * (the last rows first, for Fin), so that once a folder of up to FULL_CACHE_MAX_ROWS is cached a jump
 * anywhere (the scroll bar dragged, Fin) shows messages in its first frame, never rows still loading.
 * Bigger folders keep KEPT_PAGES around the view. The pages in view are reloaded when the core says
 * the folder changed.
 */
import {
  useCallback,
  useEffect,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
  type CSSProperties,
  type KeyboardEvent,
  type ReactNode,
} from 'react';
import { flushSync } from 'react-dom';
import { useTranslation } from 'react-i18next';
import type { MessageListFilter, MessageSummary } from '../../../../src/shared/contract';
import { ApiCallError } from '../../api/client';
import { useApiEvent, useClient } from '../../api/react';
import './list.css';

/** Where a row is drawn and what assistive technologies are told about it. */
export interface RowPosition {
  id: string;
  index: number;
  setSize: number;
  active: boolean;
  style: CSSProperties;
}

const DEFAULT_ROW_HEIGHT = 42;
/** Rows drawn beyond each edge of the view, so that a wheel turn never shows an empty strip. */
const OVERSCAN = 20;

export function MessageListbox({
  total,
  rowAt,
  renderRow,
  onRange,
  onOpen,
  onOpenWindow,
  onCursor,
  labelledBy,
  listId,
  testId = 'message-list',
  cached,
  onRowMenu,
}: {
  /**
   * Right click on a row, or Maj+F10 / the menu key on the active row: the caller opens its menu at `at`
   * (the pointer, or under the row's start for the keyboard). The browser's own menu is not shown on rows.
   */
  onRowMenu?(message: MessageSummary, at: { x: number; y: number }): void;
  /** Double-click: the message in its own window (issue 18). */
  onOpenWindow?(message: MessageSummary): void;
  total: number;
  /** Rows the list has in memory (shown as data-cached, for tests and diagnosis). */
  cached?: number;
  rowAt(index: number): MessageSummary | undefined;
  renderRow(message: MessageSummary, position: RowPosition): ReactNode;
  /** The rows the list shows now (to load them). */
  onRange?(first: number, last: number): void;
  onOpen(message: MessageSummary): void;
  /** The keyboard moved the active row onto this message. */
  onCursor?(message: MessageSummary): void;
  labelledBy: string;
  listId: string;
  testId?: string;
}) {
  const { t } = useTranslation();
  const scroller = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [viewport, setViewport] = useState(600);
  /** Width of the list: the layout of a row (one line or two) follows it. */
  const [width, setWidth] = useState(0);
  const [rowHeight, setRowHeight] = useState(DEFAULT_ROW_HEIGHT);
  const [active, setActive] = useState(0);
  const cursorPending = useRef(false);

  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const measure = () => {
      setViewport(el.clientHeight || 600);
      setWidth(el.clientWidth);
    };
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    return () => observer.disconnect();
  }, []);

  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - OVERSCAN);
  const last = Math.min(total - 1, Math.ceil((scrollTop + viewport) / rowHeight) + OVERSCAN);

  // Measure a real row (not a placeholder): every row has the same layout.
  useLayoutEffect(() => {
    const row = scroller.current?.querySelector<HTMLElement>('[data-measure="row"]');
    if (!row) return;
    const height = row.getBoundingClientRect().height;
    if (height > 0 && Math.abs(height - rowHeight) > 0.5) setRowHeight(height);
  }, [first, last, total, rowHeight, viewport, width]);

  useEffect(() => {
    if (total > 0) onRange?.(first, last);
  }, [first, last, total, onRange]);

  useEffect(() => {
    if (active > total - 1) setActive(Math.max(0, total - 1));
  }, [active, total]);

  // When the keyboard moved onto a row that was still loading, select it once it is there.
  const activeMessage = rowAt(active);
  useEffect(() => {
    if (cursorPending.current && activeMessage) {
      cursorPending.current = false;
      onCursor?.(activeMessage);
    }
  }, [activeMessage, onCursor]);

  const moveTo = (index: number) => {
    const el = scroller.current;
    const next = Math.max(0, Math.min(total - 1, index));
    setActive(next);
    cursorPending.current = true;
    if (!el) return;
    const top = next * rowHeight;
    if (top < el.scrollTop) el.scrollTop = top;
    else if (top + rowHeight > el.scrollTop + el.clientHeight) el.scrollTop = top + rowHeight - el.clientHeight;
  };

  /** The menu of the active row, from the keyboard: under the row's start (the row is in view: it is the active one). */
  const openActiveRowMenu = (): boolean => {
    const message = rowAt(active);
    const row = scroller.current?.querySelector<HTMLElement>(`[data-index="${active}"]`);
    if (!message || !row || !onRowMenu) return false;
    const rect = row.getBoundingClientRect();
    onRowMenu(message, { x: rect.left + 16, y: rect.bottom });
    return true;
  };

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if ((event.key === 'F10' && event.shiftKey) || event.key === 'ContextMenu') {
      if (openActiveRowMenu()) event.preventDefault();
      return;
    }
    if (event.altKey || event.ctrlKey || event.metaKey || total === 0) return;
    const page = Math.max(1, Math.floor(viewport / rowHeight) - 1);
    const moves: Record<string, number> = {
      ArrowDown: active + 1,
      ArrowUp: active - 1,
      PageDown: active + page,
      PageUp: active - page,
      Home: 0,
      End: total - 1,
    };
    if (event.key in moves) {
      event.preventDefault();
      moveTo(moves[event.key]);
    } else if (event.key === 'Enter' || event.key === ' ') {
      const message = rowAt(active);
      if (message) {
        event.preventDefault();
        onOpen(message);
      }
    }
  };

  const rows: ReactNode[] = [];
  for (let index = first; index <= last; index++) {
    const message = rowAt(index);
    const position: RowPosition = {
      id: `${listId}-row-${index}`,
      index,
      setSize: total,
      active: index === active,
      style: { top: index * rowHeight },
    };
    rows.push(
      message ? (
        renderRow(message, position)
      ) : (
        <PlaceholderRow key={`placeholder-${index}`} position={position} label={t('courrier.loadingRow')} />
      ),
    );
  }

  return (
    <div
      ref={scroller}
      className="message-list virtual-list"
      role="listbox"
      aria-multiselectable="true"
      aria-labelledby={labelledBy}
      aria-activedescendant={total > 0 ? `${listId}-row-${active}` : undefined}
      tabIndex={0}
      data-testid={testId}
      data-total={total}
      data-cached={cached}
      // Drawn before the browser paints this scroll position (a scroll event is not urgent to React otherwise):
      // after a jump of thousands of pixels, the first frame already shows the rows there, never an empty view.
      onScroll={(event) => {
        const top = event.currentTarget.scrollTop;
        flushSync(() => setScrollTop(top));
      }}
      onKeyDown={onKeyDown}
      onDoubleClick={(event) => {
        const row = (event.target as HTMLElement).closest<HTMLElement>('[data-index]');
        const message = row ? rowAt(Number(row.dataset.index)) : undefined;
        if (message && onOpenWindow) onOpenWindow(message);
      }}
      onContextMenu={(event) => {
        if (!onRowMenu) return;
        const row = (event.target as HTMLElement).closest<HTMLElement>('[data-index]');
        const message = row ? rowAt(Number(row.dataset.index)) : undefined;
        if (message) {
          event.preventDefault();
          onRowMenu(message, { x: event.clientX, y: event.clientY });
        } else if (event.target === event.currentTarget && event.button !== 2 && openActiveRowMenu()) {
          // The menu key on the focused list (the browser sends its contextmenu event to the list itself).
          event.preventDefault();
        }
      }}
      onMouseDown={(event) => {
        const row = (event.target as HTMLElement).closest<HTMLElement>('[data-index]');
        if (row) setActive(Number(row.dataset.index));
      }}
    >
      <div className="virtual-list-spacer" style={{ height: total * rowHeight }}>
        {rows}
      </div>
    </div>
  );
}

function PlaceholderRow({ position, label }: { position: RowPosition; label: string }) {
  return (
    <div
      id={position.id}
      role="option"
      aria-selected="false"
      aria-setsize={position.setSize}
      aria-posinset={position.index + 1}
      aria-busy="true"
      className="message-row message-row-placeholder"
      data-testid="message-placeholder"
      data-index={position.index}
      style={position.style}
    >
      <span className="message-from">
        <span className="visually-hidden">{label}</span>
        <span className="placeholder-bar" aria-hidden="true" />
      </span>
      <span className="message-subject">
        <span className="placeholder-bar" aria-hidden="true" />
      </span>
      <span className="message-meta" aria-hidden="true">
        {'\u00a0'}
      </span>
    </div>
  );
}

const PAGE_SIZE = 100;
/** Folders up to this size are cached whole (about 300 bytes a row in memory: 60 MB at most). */
const FULL_CACHE_MAX_ROWS = 200_000;
/** Rows per request when caching the rest of the folder in the background. */
const FILL_CHUNK = 1_000;
/** Bigger folders: pages kept in memory around the view (the rest is dropped and loaded again when needed). */
const KEPT_PAGES = 30;
/** Pages loaded ahead of the view in the direction of the scroll. */
const PREFETCH_PAGES = 3;
/**
 * Requests in flight at most: a fast scroll over 100 000 rows must not queue a thousand requests
 * in the core; when one answers, the next page asked is the one the view needs now.
 */
const MAX_IN_FLIGHT = 2;

export interface PagedMessages {
  total: number | null;
  error: ApiCallError | null;
  rowAt(index: number): MessageSummary | undefined;
  /** The rows shown now: loads their pages. Stable. */
  onRange(first: number, last: number): void;
  /** Loaded messages, in list order (for selection ranges and actions). */
  loaded: MessageSummary[];
  /** Rows cached so far (the whole folder once `cached === total`). */
  cached: number;
}

/** Loads a folder's list page by page for the rows in view; one instance per folder and filter. */
class PageLoader {
  readonly pages = new Map<number, MessageSummary[]>();
  total: number | null = null;
  error: ApiCallError | null = null;
  private readonly inFlight = new Set<number>();
  private readonly stale = new Set<number>();
  private range: [number, number] = [0, 0];
  private direction = 1;
  private closed = false;

  constructor(
    private readonly fetchPage: (offset: number, limit: number) => Promise<{ total: number; messages: MessageSummary[] }>,
    private readonly changed: () => void,
  ) {}

  /** Rows in memory now. */
  get cached(): number {
    let n = 0;
    for (const page of this.pages.values()) n += page.length;
    return n;
  }

  private get cachesWhole(): boolean {
    return this.total !== null && this.total <= FULL_CACHE_MAX_ROWS;
  }

  setRange(first: number, last: number): void {
    if (first !== this.range[0]) this.direction = first > this.range[0] ? 1 : -1;
    this.range = [first, last];
    this.pump();
  }

  /** The folder changed: reload the pages in view (shown until their new rows come), forget the others. */
  refresh(): void {
    const wanted = new Set(this.wanted());
    for (const page of [...this.pages.keys()]) {
      if (wanted.has(page)) this.stale.add(page);
      else this.pages.delete(page);
    }
    this.pump();
  }

  close(): void {
    this.closed = true;
  }

  /** Pages the view needs, most urgent first: in view, then ahead, then one behind. */
  private wanted(): number[] {
    const from = Math.floor(this.range[0] / PAGE_SIZE);
    const to = Math.floor(this.range[1] / PAGE_SIZE);
    const out: number[] = [];
    for (let p = from; p <= to; p++) out.push(p);
    for (let k = 1; k <= PREFETCH_PAGES; k++) out.push(this.direction > 0 ? to + k : from - k);
    out.push(this.direction > 0 ? from - 1 : to + 1);
    return out.filter((p) => p >= 0 && (p === 0 || this.total === null || p * PAGE_SIZE < this.total));
  }

  private missing(page: number): boolean {
    return !this.inFlight.has(page) && (!this.pages.has(page) || this.stale.has(page));
  }

  private pump(): void {
    // Requests in flight count by request, not by page: a background chunk is one request.
    for (const page of this.wanted()) {
      if (this.requests >= MAX_IN_FLIGHT) return;
      if (this.missing(page)) this.load(page, 1);
    }
    if (this.error || !this.cachesWhole) return;
    while (this.requests < MAX_IN_FLIGHT) {
      const chunk = this.nextFillChunk();
      if (chunk === null) return;
      this.load(chunk * (FILL_CHUNK / PAGE_SIZE), FILL_CHUNK / PAGE_SIZE);
    }
  }

  /** The next chunk of the folder not cached yet: the last one first (Fin), then from the top. */
  private nextFillChunk(): number | null {
    const total = this.total ?? 0;
    const chunks = Math.ceil(total / FILL_CHUNK);
    const perChunk = FILL_CHUNK / PAGE_SIZE;
    const lacks = (c: number) => {
      for (let p = c * perChunk; p < (c + 1) * perChunk && p * PAGE_SIZE < total; p++) if (this.missing(p)) return true;
      return false;
    };
    if (chunks > 0 && lacks(chunks - 1)) return chunks - 1;
    for (let c = 0; c < chunks; c++) if (lacks(c)) return c;
    return null;
  }

  private requests = 0;

  /** Load `count` pages from `page` in one request; the view draws again when they touch the rows shown. */
  private load(page: number, count: number): void {
    const pages = Array.from({ length: count }, (_, i) => page + i);
    for (const p of pages) {
      this.inFlight.add(p);
      this.stale.delete(p);
    }
    this.requests += 1;
    this.fetchPage(page * PAGE_SIZE, count * PAGE_SIZE).then(
      (result) => {
        this.requests -= 1;
        for (const p of pages) this.inFlight.delete(p);
        if (this.closed) return;
        pages.forEach((p, i) => {
          const rows = result.messages.slice(i * PAGE_SIZE, (i + 1) * PAGE_SIZE);
          if (rows.length > 0 || p === 0) this.pages.set(p, rows);
        });
        const totalChanged = this.total !== result.total;
        this.total = result.total;
        if (!this.cachesWhole && this.pages.size > KEPT_PAGES) {
          const centre = Math.floor(this.range[0] / PAGE_SIZE);
          const far = [...this.pages.keys()].sort((a, b) => Math.abs(b - centre) - Math.abs(a - centre));
          for (const p of far.slice(0, this.pages.size - KEPT_PAGES)) this.pages.delete(p);
        }
        const hadError = this.error !== null;
        this.error = null;
        // A background chunk far from the view changes nothing on screen: no new drawing, except at the end.
        const [first, last] = [
          Math.floor(this.range[0] / PAGE_SIZE) - PREFETCH_PAGES - 1,
          Math.floor(this.range[1] / PAGE_SIZE) + PREFETCH_PAGES + 1,
        ];
        const touchesView = pages.some((p) => p >= first && p <= last);
        this.pump();
        if (count === 1 || touchesView || totalChanged || hadError || this.requests === 0) this.changed();
      },
      (err: unknown) => {
        this.requests -= 1;
        for (const p of pages) this.inFlight.delete(p);
        if (this.closed) return;
        this.error = err instanceof ApiCallError ? err : new ApiCallError({ code: 'internal', message: String(err) });
        this.changed();
      },
    );
  }
}

/** A folder's list loaded window by window through `mail.list`, reloaded when the folder changes. */
export function usePagedMessages(accountId: string, folder: string, filter: MessageListFilter): PagedMessages {
  const client = useClient();
  const [version, setVersion] = useState(0);
  const loader = useMemo(
    () =>
      new PageLoader(
        (offset, limit) => client.call('mail.list', { accountId, folder, filter, offset, limit }),
        () => setVersion((v) => v + 1),
      ),
    [client, accountId, folder, filter],
  );
  useEffect(() => {
    loader.setRange(0, 0);
    return () => loader.close();
  }, [loader]);

  useApiEvent('mail.changed', (change) => {
    if (change.accountId === accountId && (change.folders.length === 0 || change.folders.includes(folder))) loader.refresh();
  });
  useEffect(() => {
    let first = true;
    return client.onConnection((status) => {
      if (status === 'open' && !first) loader.refresh();
      first = false;
    });
  }, [client, loader]);

  const onRange = useCallback((first: number, last: number) => loader.setRange(first, last), [loader]);
  // `version` changes whenever a page arrives: new functions and lists make the list draw again.
  const rowAt = useCallback(
    (index: number) => (version >= 0 ? loader.pages.get(Math.floor(index / PAGE_SIZE))?.[index % PAGE_SIZE] : undefined),
    [loader, version],
  );
  const loaded = useMemo(
    () => (version >= 0 ? [...loader.pages.entries()].sort((a, b) => a[0] - b[0]).flatMap(([, list]) => list) : []),
    [loader, version],
  );
  const cached = useMemo(() => (version >= 0 ? loader.cached : 0), [loader, version]);
  return { total: loader.total, error: loader.error, rowAt, onRange, loaded, cached };
}
