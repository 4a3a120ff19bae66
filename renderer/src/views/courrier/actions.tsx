/**
 * Courrier actions in the UI: the toolbar (lu / non lu, suivre, archiver, supprimer, indésirable,
 * déplacer vers…), quick filters, drag and drop of messages onto folders, the « Annuler » toast,
 * the Outlook keyboard shortcuts and the « Raccourcis » dialog. Every action goes through
 * `mail.act` (local at once, replayed to the server by the core).
 */
import { useCallback, useEffect, useId, useRef, useState, type DragEvent, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { FolderInfo, MailAction, MessageSummary } from '../../../../src/shared/contract';
import { useClient } from '../../api/react';
import './actions.css';

export type QuickFilter = 'all' | 'unread' | 'flagged' | 'attachments';

export const QUICK_FILTERS: readonly QuickFilter[] = ['all', 'unread', 'flagged', 'attachments'];

export function applyQuickFilter(list: MessageSummary[], filter: QuickFilter): MessageSummary[] {
  switch (filter) {
    case 'unread':
      return list.filter((m) => !m.flags.includes('\\Seen'));
    case 'flagged':
      return list.filter((m) => m.flags.includes('\\Flagged'));
    case 'attachments':
      return list.filter((m) => m.hasAttachments);
    default:
      return list;
  }
}

/** What a drag of message rows carries. */
export const MESSAGE_DRAG_TYPE = 'application/x-ostal-messages';

interface DragPayload {
  accountId: string;
  folder: string;
  uids: number[];
}

export function startMessageDrag(event: DragEvent, payload: DragPayload): void {
  event.dataTransfer.setData(MESSAGE_DRAG_TYPE, JSON.stringify(payload));
  event.dataTransfer.effectAllowed = 'move';
}

/** Props that make a folder accept dropped messages. */
export function folderDropTarget(folderPath: string, onDrop: (payload: DragPayload, target: string) => void) {
  return {
    onDragOver(event: DragEvent) {
      if (!event.dataTransfer.types.includes(MESSAGE_DRAG_TYPE)) return;
      event.preventDefault();
      event.dataTransfer.dropEffect = 'move';
      (event.currentTarget as HTMLElement).classList.add('drop-target');
    },
    onDragLeave(event: DragEvent) {
      (event.currentTarget as HTMLElement).classList.remove('drop-target');
    },
    onDrop(event: DragEvent) {
      (event.currentTarget as HTMLElement).classList.remove('drop-target');
      const raw = event.dataTransfer.getData(MESSAGE_DRAG_TYPE);
      if (!raw) return;
      event.preventDefault();
      try {
        const payload = JSON.parse(raw) as DragPayload;
        if (payload.folder !== folderPath) onDrop(payload, folderPath);
      } catch {
        /* not ours */
      }
    },
  };
}

type Translate = ReturnType<typeof useTranslation>['t'];

/** The toast text after an action (keys written out: the i18n check reads them). */
function doneText(t: Translate, action: MailAction, count: number, folder: string): string {
  switch (action) {
    case 'read':
      return t('courrier.actions.done.read', { count });
    case 'unread':
      return t('courrier.actions.done.unread', { count });
    case 'flag':
      return t('courrier.actions.done.flag', { count });
    case 'unflag':
      return t('courrier.actions.done.unflag', { count });
    case 'archive':
      return t('courrier.actions.done.archive', { count });
    case 'delete':
      return folder ? t('courrier.actions.done.delete', { count }) : t('courrier.actions.done.expunge', { count });
    case 'junk':
      return t('courrier.actions.done.junk', { count });
    case 'copy':
      return t('courrier.actions.done.copy', { count, folder });
    default:
      return t('courrier.actions.done.move', { count, folder });
  }
}

export interface ActionToast {
  id: number;
  text: string;
  undoToken: string | null;
  error: boolean;
}

/** `mail.act` with the toast that follows every action (« Annuler » when it can be undone). */
export function useMailActions(accountId: string) {
  const client = useClient();
  const { t } = useTranslation();
  const [toast, setToast] = useState<ActionToast | null>(null);
  const counter = useRef(0);

  const show = useCallback((text: string, undoToken: string | null, error = false) => {
    counter.current += 1;
    setToast({ id: counter.current, text, undoToken, error });
  }, []);

  const act = useCallback(
    async (folder: string, uids: number[], action: MailAction, target?: string, targetName?: string) => {
      if (uids.length === 0) return;
      try {
        const result = await client.call('mail.act', { accountId, folder, uids, action, target });
        if (result.applied === 0) return;
        const name = targetName ?? result.target ?? '';
        show(doneText(t, action, result.applied, name), result.undoToken);
      } catch (err) {
        show((err as Error).message, null, true);
      }
    },
    [client, accountId, show, t],
  );

  const undo = useCallback(async () => {
    if (!toast?.undoToken) return;
    const token = toast.undoToken;
    setToast(null);
    try {
      await client.call('mail.undo', { token });
      show(t('courrier.actions.undone'), null);
    } catch (err) {
      show((err as Error).message, null, true);
    }
  }, [client, toast, show, t]);

  return { act, toast, undo, dismiss: () => setToast(null) };
}

/** One action on the selected messages, as the toolbar and the messages' right-click menu both offer it. */
export interface MailActionChoice {
  action: MailAction;
  label: string;
  disabled: boolean;
  /** Suivre / Ne plus suivre: the toolbar's button is a toggle. */
  pressed?: boolean;
  testId: string;
}

/**
 * The actions on a selection, with their labels and when they cannot act (no selection, no Archives or
 * Indésirables folder to go to): one list for the toolbar and the right-click menu, so both always agree.
 */
export function mailActionChoices(
  t: Translate,
  folders: FolderInfo[],
  folder: FolderInfo,
  selection: MessageSummary[],
): MailActionChoice[] {
  const none = selection.length === 0;
  const allRead = !none && selection.every((m) => m.flags.includes('\\Seen'));
  const allFlagged = !none && selection.every((m) => m.flags.includes('\\Flagged'));
  const has = (use: FolderInfo['specialUse']) => folders.some((f) => f.specialUse === use && f.path !== folder.path);
  return [
    {
      action: allRead ? 'unread' : 'read',
      label: allRead ? t('courrier.actions.markUnread') : t('courrier.actions.markRead'),
      disabled: none,
      testId: 'action-read',
    },
    {
      action: allFlagged ? 'unflag' : 'flag',
      label: allFlagged ? t('courrier.actions.unflag') : t('courrier.actions.flag'),
      disabled: none,
      pressed: allFlagged,
      testId: 'action-flag',
    },
    { action: 'archive', label: t('courrier.actions.archive'), disabled: none || !has('\\Archive'), testId: 'action-archive' },
    { action: 'delete', label: t('courrier.actions.delete'), disabled: none, testId: 'action-delete' },
    { action: 'junk', label: t('courrier.actions.junk'), disabled: none || !has('\\Junk'), testId: 'action-junk' },
  ];
}

/** The bar above the message list. Acts on the selected messages. */
export function MailToolbar({
  folders,
  folder,
  selection,
  filter,
  onFilter,
  onAct,
  onShowShortcuts,
  extra,
}: {
  extra?: ReactNode;
  folders: FolderInfo[];
  folder: FolderInfo;
  selection: MessageSummary[];
  filter: QuickFilter;
  onFilter(filter: QuickFilter): void;
  onAct(action: MailAction, target?: string, targetName?: string): void;
  onShowShortcuts(): void;
}) {
  const { t } = useTranslation();
  const moveId = useId();
  const none = selection.length === 0;
  const filterLabels: Record<QuickFilter, string> = {
    all: t('courrier.filters.all'),
    unread: t('courrier.filters.unread'),
    flagged: t('courrier.filters.flagged'),
    attachments: t('courrier.filters.attachments'),
  };
  return (
    <div className="mail-toolbar" role="toolbar" aria-label={t('courrier.actions.toolbar')} data-testid="mail-toolbar">
      <div className="mail-toolbar-group">
        {mailActionChoices(t, folders, folder, selection).map((choice) => (
          <button
            key={choice.testId}
            type="button"
            className="button"
            disabled={choice.disabled}
            aria-pressed={choice.pressed}
            onClick={() => onAct(choice.action)}
            data-testid={choice.testId}
          >
            {choice.label}
          </button>
        ))}
        <label className="visually-hidden" htmlFor={moveId}>
          {t('courrier.actions.moveTo')}
        </label>
        <select
          id={moveId}
          className="mail-move-select"
          disabled={none}
          value=""
          data-testid="action-move"
          onChange={(event) => {
            const target = folders.find((f) => f.path === event.target.value);
            if (target) onAct('move', target.path, target.name);
          }}
        >
          <option value="">{t('courrier.actions.moveTo')}</option>
          {folders
            .filter((f) => f.path !== folder.path)
            .map((f) => (
              <option key={f.path} value={f.path}>
                {f.name}
              </option>
            ))}
        </select>
      </div>
      <div className="mail-toolbar-group" role="group" aria-label={t('courrier.filters.label')}>
        {QUICK_FILTERS.map((f) => (
          <button
            key={f}
            type="button"
            className="button filter-chip"
            aria-pressed={filter === f}
            onClick={() => onFilter(f)}
            data-testid={`filter-${f}`}
          >
            {filterLabels[f]}
          </button>
        ))}
        <button type="button" className="button" onClick={onShowShortcuts} data-testid="show-shortcuts">
          {t('courrier.shortcuts.button')}
        </button>
        {extra}
      </div>
    </div>
  );
}

/** The snackbar after an action: « Annuler » while the action can be undone; closes itself after a few seconds. */
export function UndoToast({ toast, onUndo, onClose }: { toast: ActionToast | null; onUndo(): void; onClose(): void }) {
  const { t } = useTranslation();
  useEffect(() => {
    if (!toast) return;
    const timer = setTimeout(onClose, toast.undoToken ? 8000 : 5000);
    return () => clearTimeout(timer);
  }, [toast, onClose]);
  return (
    <div className="mail-toast-region" role="status" aria-live="polite" data-testid="mail-toast">
      {toast ? (
        <div className={toast.error ? 'mail-toast mail-toast-error' : 'mail-toast'} key={toast.id}>
          <span>{toast.text}</span>
          {toast.undoToken ? (
            <button type="button" className="button mail-toast-undo" onClick={onUndo} data-testid="toast-undo">
              {t('courrier.actions.undo')}
            </button>
          ) : null}
          <button type="button" className="button mail-toast-close" onClick={onClose} aria-label={t('courrier.actions.closeToast')}>
            {t('courrier.actions.closeMark')}
          </button>
        </div>
      ) : null}
    </div>
  );
}

// « Aide › Raccourcis » lives in components/ (Visio and the guest page use it too).
export { ShortcutsDialog } from '../../components/ShortcutsDialog';

function typingIn(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  if (!el) return false;
  const tag = el.tagName;
  return tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT' || el.isContentEditable;
}

/**
 * Suppr, Ctrl+Q, Ctrl+U, Ctrl+E / F3 (search box), Ctrl+R (Répondre), Ctrl+Maj+R (Répondre à
 * tous), Ctrl+F or Ctrl+L (Transférer, Outlook's and Thunderbird's keys) while Courrier is shown.
 */
// F1 (« Aide ») is the application's, in App.tsx.
export function useMailKeyboard(handlers: {
  onDelete(): void;
  onRead(): void;
  onUnread(): void;
  onSearch(): void;
  onReply(mode: 'reply' | 'replyAll' | 'forward'): void;
}): void {
  const ref = useRef(handlers);
  ref.current = handlers;
  useEffect(() => {
    const listener = (event: KeyboardEvent) => {
      const ctrl = event.ctrlKey || event.metaKey;
      if ((ctrl && event.key.toLowerCase() === 'e') || event.key === 'F3') {
        event.preventDefault();
        ref.current.onSearch();
        return;
      }
      if (typingIn(event.target)) return;
      if (event.key === 'Delete' && !ctrl && !event.altKey) {
        event.preventDefault();
        ref.current.onDelete();
      } else if (ctrl && !event.shiftKey && event.key.toLowerCase() === 'q') {
        event.preventDefault();
        ref.current.onRead();
      } else if (ctrl && !event.shiftKey && event.key.toLowerCase() === 'u') {
        event.preventDefault();
        ref.current.onUnread();
      } else if (ctrl && !event.altKey && event.key.toLowerCase() === 'r') {
        event.preventDefault();
        ref.current.onReply(event.shiftKey ? 'replyAll' : 'reply');
      } else if (ctrl && !event.shiftKey && !event.altKey && (event.key.toLowerCase() === 'f' || event.key.toLowerCase() === 'l')) {
        event.preventDefault();
        ref.current.onReply('forward');
      }
    };
    window.addEventListener('keydown', listener);
    return () => window.removeEventListener('keydown', listener);
  }, []);
}

/** Hidden words for screen readers on a message row: selected, suivi. */
export function RowMarks({ selected, flagged }: { selected: boolean; flagged: boolean }) {
  const { t } = useTranslation();
  return (
    <>
      {selected ? <span className="visually-hidden">{t('courrier.actions.selected')}</span> : null}
      {flagged ? <span className="visually-hidden">{t('courrier.actions.flagged')}</span> : null}
    </>
  );
}

/** Selection with Ctrl (toggle) and Maj (range) clicks, over the list as shown. */
export function nextSelection<K>(current: K[], anchor: K | null, uid: K, order: K[], mode: 'single' | 'toggle' | 'range'): K[] {
  if (mode === 'toggle') return current.includes(uid) ? current.filter((u) => u !== uid) : [...current, uid];
  if (mode === 'range' && anchor !== null) {
    const a = order.indexOf(anchor);
    const b = order.indexOf(uid);
    if (a >= 0 && b >= 0) return order.slice(Math.min(a, b), Math.max(a, b) + 1);
  }
  return [uid];
}
