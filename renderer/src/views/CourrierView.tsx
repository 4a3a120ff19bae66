/** Courrier: the account's folder tree and the message list of the selected folder, from the local store. */
import { openMessageWindow } from '../desktop/message-window';
import { useEffect, useId, useRef, useState, type DragEvent, type MouseEvent, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { AccountSummary, FolderInfo, MailAction, MessageSummary } from '../../../src/shared/contract';
import { useApiQuery, useClient } from '../api/react';
import { Busy, EmptyState, ErrorAlert, PageHeader } from '../components/common';
import { Icon } from '../components/icons';
import { ContextMenu, type ContextMenuItem } from '../components/ContextMenu';
import { SyncButton } from '../components/SyncButton';
import { buildFolderTree, defaultFolder, type FolderNode } from '../lib/folder-tree';
import { useViewMemory } from '../lib/view-memory';
import { formatListDate, formatLongDate, formatSentenceTime } from '../../../src/shared/time';
import { useCompose } from './courrier/compose-context';
import { REPLY_MODES, ReplyActions, replyLabel, type ReplyMode } from './courrier/ComposeActions';
import { OUTBOX_PATH, OutboxFolderItem, OutboxView, useOutbox } from './courrier/OutboxView';
import { MessageReader } from './courrier/Reader';
import { FolderActions } from './courrier/FolderActions';
import {
  folderDropTarget,
  mailActionChoices,
  MailToolbar,
  nextSelection,
  RowMarks,
  ShortcutsDialog,
  startMessageDrag,
  UndoToast,
  useMailActions,
  useMailKeyboard,
  type QuickFilter,
} from './courrier/actions';
import { MailSearchBox, SearchResults } from './courrier/SearchPanel';
import { MessageListbox, usePagedMessages, type RowPosition } from './courrier/MessageListbox';
import { isInbox, NotificationToggle, useNewMailAnnouncement, useNotificationSetting, useUnreadTitle } from './courrier/notifications';

const messageKey = (m: { folder: string; uid: number }) => `${m.folder}\n${m.uid}`;

export function CourrierView({
  accounts,
  onOpenSettings,
  openRequest = null,
}: {
  accounts: AccountSummary[];
  onOpenSettings(): void;
  /** A message to open, from outside (a click on a desktop notification); `key` tells two requests apart. */
  openRequest?: { accountId: string; folder: string; uid: number; key: number } | null;
}) {
  const { t } = useTranslation();
  // Where the agent was (account, folder, open message) is there again when coming back from another module.
  const [accountId, setAccountId] = useViewMemory<string>('courrier.account', accounts[0]?.id ?? '', openRequest?.accountId);
  const [folderPath, setFolderPath] = useViewMemory<string | null>('courrier.folder', null, openRequest?.folder);
  const [opened, setOpened] = useViewMemory<{ accountId: string; folder: string; uid: number } | null>(
    'courrier.opened',
    null,
    openRequest ? { accountId: openRequest.accountId, folder: openRequest.folder, uid: openRequest.uid } : undefined,
  );
  useEffect(() => {
    if (!openRequest) return;
    setAccountId(openRequest.accountId);
    setFolderPath(openRequest.folder);
    setOpened({ accountId: openRequest.accountId, folder: openRequest.folder, uid: openRequest.uid });
  }, [openRequest, setAccountId, setFolderPath, setOpened]);
  const selectId = useId();
  const { openCompose, isOpen: composing } = useCompose();
  const outbox = useOutbox(accountId);
  const showOutbox = folderPath === OUTBOX_PATH;

  useEffect(() => {
    if (!accounts.some((account) => account.id === accountId)) setAccountId(accounts[0]?.id ?? '');
  }, [accounts, accountId, setAccountId]);

  const folders = useApiQuery('mail.folders', accountId ? { accountId } : null, {
    refreshOn: ['mail.changed', 'accounts.changed'],
    shouldRefresh: (_event, data) =>
      !data || typeof data !== 'object' || !('accountId' in data) || (data as { accountId: string }).accountId === accountId,
  });
  const folderList = folders.data ?? [];
  const selected: FolderInfo | null = folderList.find((folder) => folder.path === folderPath) ?? defaultFolder(folderList);

  const account = accounts.find((a) => a.id === accountId);
  useUnreadTitle(folderList);
  const notifications = useNotificationSetting();
  const newMailAnnouncement = useNewMailAnnouncement(accountId, folderList.find(isInbox));

  // Actions, selection (Ctrl / Maj click), quick filters, search, shortcuts.
  const [selection, setSelection] = useState<string[]>([]);
  const [anchor, setAnchor] = useState<string | null>(null);
  const [filter, setFilter] = useState<QuickFilter>('all');
  const [query, setQuery] = useState('');
  const [shortcutsOpen, setShortcutsOpen] = useState(false);
  const [visible, setVisible] = useState<MessageSummary[]>([]);
  const searchRef = useRef<HTMLInputElement>(null);
  const mailActions = useMailActions(accountId);
  const searching = query.trim().length > 0;
  // The one message being read: a search result (from any folder), or else a message of the folder shown.
  const openHere =
    opened && opened.accountId === accountId && (searching || (!showOutbox && opened.folder === selected?.path)) ? opened : null;
  const reading = openHere
    ? {
        folder: openHere.folder,
        uid: openHere.uid,
        inDrafts: folderList.find((f) => f.path === openHere.folder)?.specialUse === '\\Drafts',
      }
    : null;
  useEffect(() => {
    setSelection([]);
    setAnchor(null);
  }, [accountId, selected?.path, searching]);

  const chosen = (): MessageSummary[] => {
    const picked = visible.filter((m) => selection.includes(messageKey(m)));
    if (picked.length) return picked;
    const open = opened ? visible.find((m) => m.folder === opened.folder && m.uid === opened.uid) : undefined;
    return open ? [open] : [];
  };
  const runAction = (action: MailAction, target?: string, targetName?: string, messages: MessageSummary[] = chosen()) => {
    const byFolder = new Map<string, number[]>();
    for (const m of messages) byFolder.set(m.folder, [...(byFolder.get(m.folder) ?? []), m.uid]);
    for (const [folder, uids] of byFolder) void mailActions.act(folder, uids, action, target, targetName);
    if (action !== 'read' && action !== 'unread' && action !== 'flag' && action !== 'unflag' && action !== 'copy') {
      setSelection([]);
      if (opened && messages.some((m) => m.folder === opened.folder && m.uid === opened.uid)) setOpened(null);
    }
  };
  const replyTo = (mode: ReplyMode, message: MessageSummary) => openCompose({ mode, accountId, folder: message.folder, uid: message.uid });
  useMailKeyboard({
    onDelete: () => runAction('delete'),
    onRead: () => runAction('read'),
    onUnread: () => runAction('unread'),
    onSearch: () => searchRef.current?.focus(),
    onReply: (mode) => {
      if (composing) return;
      const target = chosen();
      if (target.length === 1) replyTo(mode, target[0]);
    },
  });
  // The right-click menu of a row (or Maj+F10): the row joins the selection first unless it was in it, as in Outlook.
  const [rowMenu, setRowMenu] = useState<{ at: { x: number; y: number }; messages: MessageSummary[] } | null>(null);
  const openRowMenu = (message: MessageSummary, at: { x: number; y: number }) => {
    const key = messageKey(message);
    if (!selection.includes(key)) {
      setSelection([key]);
      setAnchor(key);
    }
    const picked = selection.includes(key) ? visible.filter((m) => selection.includes(messageKey(m))) : [message];
    setRowMenu({ at, messages: picked.length ? picked : [message] });
  };
  const rowMenuItems = (messages: MessageSummary[], folder: FolderInfo): ContextMenuItem[] => [
    ...(messages.length === 1
      ? REPLY_MODES.map((mode) => ({
          id: mode,
          label: replyLabel(t, mode),
          testId: `menu-${mode}`,
          onSelect: () => replyTo(mode, messages[0]),
        }))
      : []),
    ...mailActionChoices(t, folderList, folder, messages).map((choice, index) => ({
      id: choice.testId,
      label: choice.label,
      disabled: choice.disabled,
      separatorBefore: index === 0 && messages.length === 1,
      testId: `menu-${choice.testId}`,
      onSelect: () => runAction(choice.action, undefined, undefined, messages),
    })),
  ];
  const pick = (message: MessageSummary, event: MouseEvent) => {
    const key = messageKey(message);
    const mode = event.ctrlKey || event.metaKey ? 'toggle' : event.shiftKey ? 'range' : 'single';
    setSelection(nextSelection(selection, anchor, key, visible.map(messageKey), mode));
    if (mode !== 'range') setAnchor(key);
    if (mode === 'single') setOpened({ accountId, folder: message.folder, uid: message.uid });
  };
  const dropOnFolder = (payload: { folder: string; uids: number[] }, target: string) => {
    const name = folderList.find((f) => f.path === target)?.name ?? target;
    const messages = visible.filter((m) => m.folder === payload.folder && payload.uids.includes(m.uid));
    runAction(
      'move',
      target,
      name,
      messages.length ? messages : payload.uids.map((uid) => ({ folder: payload.folder, uid }) as MessageSummary),
    );
  };
  const openMessage = (message: MessageSummary) => {
    const key = messageKey(message);
    setSelection([key]);
    setAnchor(key);
    setOpened({ accountId, folder: message.folder, uid: message.uid });
  };
  // Narrow windows show one pane at a time: « Retour à la liste » closes the message and puts the focus back on the list.
  const closeReader = () => {
    setOpened(null);
    requestAnimationFrame(() => document.querySelector<HTMLElement>('.view-courrier .message-pane [role="listbox"]')?.focus());
  };
  const moveCursor = (message: MessageSummary) => {
    const key = messageKey(message);
    setSelection([key]);
    setAnchor(key);
  };

  // Opening a message marks it read (at once, like Thunderbird), through the operations journal: offline too.
  const client = useClient();
  const openedMessage = opened ? visible.find((m) => m.folder === opened.folder && m.uid === opened.uid) : undefined;
  const markedRead = useRef<string | null>(null);
  useEffect(() => {
    if (!opened || !openedMessage) return;
    const key = `${opened.accountId}\n${messageKey(opened)}`;
    if (markedRead.current === key) return;
    markedRead.current = key;
    if (openedMessage.flags.includes('\\Seen')) return;
    client
      .call('mail.act', { accountId: opened.accountId, folder: opened.folder, uids: [opened.uid], action: 'read' })
      .catch((err: unknown) => {
        console.warn('mark read on open failed', err);
      });
  }, [client, opened, openedMessage]);

  const now = new Date();
  const renderRow = (message: MessageSummary, position: RowPosition) => {
    const key = messageKey(message);
    const isSelected = selection.includes(key);
    const folder = folderList.find((f) => f.path === message.folder);
    return (
      <MessageRow
        key={key}
        message={message}
        recipients={folder?.specialUse === '\\Sent' || folder?.specialUse === '\\Drafts'}
        folderName={searching ? folder?.name : undefined}
        position={position}
        now={now}
        open={!!opened && opened.accountId === accountId && opened.folder === message.folder && opened.uid === message.uid}
        selected={isSelected}
        onPick={(event) => pick(message, event)}
        onDragStart={(event) => {
          const group = isSelected
            ? visible.filter((m) => selection.includes(messageKey(m)) && m.folder === message.folder).map((m) => m.uid)
            : [message.uid];
          startMessageDrag(event, { accountId, folder: message.folder, uids: group });
        }}
      />
    );
  };

  if (!account) {
    return (
      <section className="view" aria-labelledby="courrier-title">
        <PageHeader id="courrier-title" title={t('courrier.title')} />
        <EmptyState title={t('courrier.noAccountTitle')} text={t('courrier.noAccountText')}>
          <button type="button" className="button button-primary" onClick={onOpenSettings}>
            {t('courrier.openSettings')}
          </button>
        </EmptyState>
      </section>
    );
  }

  return (
    <section className="view view-courrier" aria-labelledby="courrier-title">
      <PageHeader id="courrier-title" title={t('courrier.title')}>
        {accounts.length > 1 ? (
          <div className="inline-field">
            <label htmlFor={selectId}>{t('courrier.account')}</label>
            <select
              id={selectId}
              value={accountId}
              onChange={(event) => {
                setAccountId(event.target.value);
                setFolderPath(null);
              }}
            >
              {accounts.map((a) => (
                <option key={a.id} value={a.id}>
                  {a.name ? t('courrier.accountOption', { name: a.name, email: a.email }) : a.email}
                </option>
              ))}
            </select>
          </div>
        ) : (
          <span className="muted account-email">{account.email}</span>
        )}
        <button
          type="button"
          className="button button-primary"
          data-testid="compose-new"
          title={t('compose.newMessageShortcut')}
          onClick={() => openCompose({ accountId })}
        >
          <Icon name="plus" />
          {t('compose.newMessage')}
        </button>
        <MailSearchBox ref={searchRef} value={query} onChange={setQuery} />
        <SyncButton accountId={accountId} only="mail" />
      </PageHeader>
      {folderList.length > 0 && selected && !showOutbox ? (
        <MailToolbar
          folders={folderList}
          folder={selected}
          selection={chosen()}
          filter={filter}
          onFilter={setFilter}
          onAct={(action, target, targetName) => runAction(action, target, targetName)}
          onShowShortcuts={() => setShortcutsOpen(true)}
          extra={<NotificationToggle state={notifications.state} onToggle={notifications.toggle} />}
        />
      ) : null}
      {folders.error ? <ErrorAlert message={folders.error.message} /> : null}
      {folders.loading && !folders.data ? <Busy text={t('courrier.loadingFolders')} /> : null}
      {folders.data && folderList.length === 0 ? (
        <EmptyState title={t('courrier.noFoldersTitle')} text={t('courrier.noFoldersText')}>
          <SyncButton accountId={accountId} only="mail" primary />
        </EmptyState>
      ) : null}
      {folderList.length > 0 ? (
        <div className={reading ? 'mail-panes with-reader' : 'mail-panes'}>
          <nav className="folder-pane" aria-label={t('courrier.foldersLabel')}>
            <FolderTree
              nodes={buildFolderTree(folderList)}
              selectedPath={showOutbox || searching ? null : (selected?.path ?? null)}
              onSelect={(path) => {
                setQuery('');
                setFolderPath(path);
              }}
              onDropMessages={dropOnFolder}
            />
            {outbox && outbox.length > 0 ? (
              <OutboxFolderItem count={outbox.length} selected={showOutbox} onSelect={() => setFolderPath(OUTBOX_PATH)} />
            ) : null}
            <FolderActions accountId={accountId} folder={showOutbox ? null : selected} onDone={(path) => setFolderPath(path)} />
          </nav>
          {showOutbox ? <OutboxView accountId={accountId} /> : null}
          {searching ? (
            <SearchResults
              accountId={accountId}
              query={query}
              renderRow={renderRow}
              onVisible={setVisible}
              onOpen={openMessage}
              onCursor={moveCursor}
              onRowMenu={openRowMenu}
            />
          ) : null}
          {showOutbox || searching ? null : selected ? (
            <MessageList
              accountId={accountId}
              folder={selected}
              filter={filter}
              renderRow={renderRow}
              onVisible={setVisible}
              onOpen={openMessage}
              onCursor={moveCursor}
              onRowMenu={openRowMenu}
            />
          ) : (
            <div className="message-pane" />
          )}
          {reading ? (
            <MessageReader
              accountId={accountId}
              folder={reading.folder}
              uid={reading.uid}
              onBack={closeReader}
              actions={<ReplyActions accountId={accountId} folder={reading.folder} uid={reading.uid} inDrafts={reading.inDrafts} />}
            />
          ) : null}
        </div>
      ) : null}
      {rowMenu && selected ? (
        <ContextMenu
          at={rowMenu.at}
          items={rowMenuItems(rowMenu.messages, selected)}
          label={t('courrier.actions.rowMenu', { count: rowMenu.messages.length })}
          onClose={() => setRowMenu(null)}
          testId="message-menu"
        />
      ) : null}
      <UndoToast toast={mailActions.toast} onUndo={() => void mailActions.undo()} onClose={mailActions.dismiss} />
      <ShortcutsDialog open={shortcutsOpen} onClose={() => setShortcutsOpen(false)} />
      <p className="visually-hidden" role="status" data-testid="courrier-announcer">
        {newMailAnnouncement}
      </p>
    </section>
  );
}

type DropMessages = (payload: { folder: string; uids: number[] }, target: string) => void;

function FolderTree({
  nodes,
  selectedPath,
  onSelect,
  onDropMessages,
}: {
  nodes: FolderNode[];
  selectedPath: string | null;
  onSelect(path: string): void;
  onDropMessages?: DropMessages;
}) {
  return (
    <ul className="folder-tree">
      {nodes.map((node) => (
        <FolderItem key={node.path} node={node} selectedPath={selectedPath} onSelect={onSelect} onDropMessages={onDropMessages} />
      ))}
    </ul>
  );
}

function FolderItem({
  node,
  selectedPath,
  onSelect,
  onDropMessages,
}: {
  node: FolderNode;
  selectedPath: string | null;
  onSelect(path: string): void;
  onDropMessages?: DropMessages;
}) {
  const { t } = useTranslation();
  const folder = node.folder;
  return (
    <li>
      {folder ? (
        <button
          type="button"
          className="list-button folder-item"
          data-testid="folder"
          data-path={folder.path}
          data-unread={folder.unread}
          aria-current={selectedPath === folder.path ? 'true' : undefined}
          onClick={() => onSelect(folder.path)}
          {...(onDropMessages ? folderDropTarget(folder.path, onDropMessages) : {})}
        >
          <Icon name="folder" />
          <span className="folder-name">{node.name}</span>
          {folder.unread > 0 ? (
            <>
              <span className="unread-count" aria-hidden="true">
                {folder.unread}
              </span>
              <span className="visually-hidden">{t('courrier.unreadForReaders', { count: folder.unread })}</span>
            </>
          ) : null}
        </button>
      ) : (
        <span className="list-button folder-item folder-placeholder">
          <Icon name="folder" />
          <span className="folder-name">{node.name}</span>
        </span>
      )}
      {node.children.length > 0 ? (
        <FolderTree nodes={node.children} selectedPath={selectedPath} onSelect={onSelect} onDropMessages={onDropMessages} />
      ) : null}
    </li>
  );
}

function MessageList({
  accountId,
  folder,
  filter,
  renderRow,
  onVisible,
  onOpen,
  onCursor,
  onRowMenu,
}: {
  accountId: string;
  folder: FolderInfo;
  filter: QuickFilter;
  renderRow(message: MessageSummary, position: RowPosition): ReactNode;
  onVisible(list: MessageSummary[]): void;
  onOpen(message: MessageSummary): void;
  onCursor(message: MessageSummary): void;
  onRowMenu(message: MessageSummary, at: { x: number; y: number }): void;
}) {
  const { t } = useTranslation();
  const listId = useId();
  const paged = usePagedMessages(accountId, folder.path, filter);
  useEffect(() => onVisible(paged.loaded), [paged.loaded, onVisible]);
  return (
    <section className="message-pane" aria-labelledby="message-list-title">
      <div className="pane-header">
        <h2 id="message-list-title">{folder.name}</h2>
        <span className="muted">
          {t('courrier.folderCounts', {
            total: t('courrier.totalCount', { count: folder.total }),
            unread: t('courrier.unreadCount', { count: folder.unread }),
          })}
        </span>
        <FolderOfflineToggle accountId={accountId} folder={folder} />
      </div>
      {paged.error ? <ErrorAlert message={paged.error.message} /> : null}
      {paged.total === null && !paged.error ? <Busy text={t('courrier.loadingMessages')} /> : null}
      {paged.total === 0 ? (
        <EmptyState
          title={t('courrier.emptyFolderTitle')}
          text={isInbox(folder) ? t('courrier.emptyInboxText') : t('courrier.emptyFolderText')}
        />
      ) : null}
      {paged.total ? (
        <MessageListbox
          total={paged.total}
          rowAt={paged.rowAt}
          onRange={paged.onRange}
          cached={paged.cached}
          renderRow={renderRow}
          onOpen={onOpen}
          onOpenWindow={(message) => openMessageWindow({ accountId, folder: message.folder, uid: message.uid })}
          onCursor={onCursor}
          onRowMenu={onRowMenu}
          labelledBy="message-list-title"
          listId={listId}
        />
      ) : null}
    </section>
  );
}

/** The folder's own « Disponible hors ligne » (unset: the choice of Réglages › « Messages disponibles hors ligne »). */
function FolderOfflineToggle({ accountId, folder }: { accountId: string; folder: FolderInfo }) {
  const { t } = useTranslation();
  const client = useClient();
  const settings = useApiQuery('settings.list', {}, { refreshOn: ['settings.changed'] });
  const window = settings.data?.find((s) => s.key === 'mail.offlineWindow')?.value;
  const [local, setLocal] = useState<boolean | null>(null);
  const checked = local ?? folder.offline ?? (window !== undefined && window !== 'none');
  useEffect(() => setLocal(null), [folder.offline, folder.path]);
  return (
    <label className="folder-offline" title={t('courrier.offlineFolderHint')} data-testid="folder-offline">
      <input
        type="checkbox"
        checked={checked}
        onChange={(event) => {
          const offline = event.target.checked;
          setLocal(offline);
          void client.call('mail.setFolderOffline', { accountId, folder: folder.path, offline }).catch(() => setLocal(null));
        }}
      />
      {t('courrier.offlineFolder')}
    </label>
  );
}

function MessageRow({
  message,
  position,
  now,
  open,
  selected,
  onPick,
  onDragStart,
  recipients,
  folderName,
}: {
  message: MessageSummary;
  /** Envoyés and Brouillons: who it goes to (« À : … »), as Outlook and Thunderbird, not oneself on every row. */
  recipients?: boolean;
  /** A search result: the folder it is in. */
  folderName?: string;
  position: RowPosition;
  now: Date;
  open: boolean;
  selected?: boolean;
  onPick(event: MouseEvent): void;
  onDragStart?(event: DragEvent): void;
}) {
  const { t } = useTranslation();
  const unread = !message.flags.includes('\\Seen');
  const sender = recipients
    ? message.to.length
      ? t('courrier.toRecipients', { names: message.to.map((a) => a.name || a.address).join(', ') })
      : t('courrier.noRecipient')
    : message.from
      ? message.from.name || message.from.address
      : t('courrier.unknownSender');
  const fullDate = message.date
    ? t('courrier.fullDate', { date: formatLongDate(message.date), time: formatSentenceTime(message.date) })
    : '';
  return (
    <div
      id={position.id}
      role="option"
      aria-selected={selected ? 'true' : 'false'}
      aria-setsize={position.setSize}
      aria-posinset={position.index + 1}
      className={[
        'message-row',
        unread ? 'unread' : '',
        selected ? 'selected' : '',
        message.flags.includes('\\Flagged') ? 'is-flagged' : '',
        position.active ? 'active' : '',
      ]
        .filter(Boolean)
        .join(' ')}
      style={position.style}
      data-testid="message"
      data-index={position.index}
      data-measure="row"
      data-uid={message.uid}
      data-folder={message.folder}
      data-selected={selected ? 'true' : undefined}
      data-flagged={message.flags.includes('\\Flagged') ? 'true' : undefined}
      data-unread={unread ? 'true' : undefined}
      data-open=""
      aria-current={open ? 'true' : undefined}
      draggable={onDragStart ? true : undefined}
      onDragStart={onDragStart}
      onClick={onPick}
    >
      {unread ? <span className="visually-hidden">{t('courrier.unread')}</span> : null}
      <RowMarks selected={!!selected} flagged={message.flags.includes('\\Flagged')} />
      <span className="message-from">{sender}</span>
      <span className="message-subject">{message.subject || t('courrier.noSubject')}</span>
      <span className="message-meta">
        {folderName ? (
          <span className="message-folder" data-testid="message-folder">
            <span className="visually-hidden">{t('courrier.inFolder')}</span>
            {folderName}
          </span>
        ) : null}
        {message.hasAttachments ? (
          <span className="attachment-mark" title={t('courrier.hasAttachment')}>
            <span className="visually-hidden">{t('courrier.hasAttachment')}</span>
            <Icon name="attachment" />
          </span>
        ) : null}
        {message.date ? (
          <time dateTime={message.date} title={fullDate}>
            {formatListDate(message.date, now)}
          </time>
        ) : null}
      </span>
    </div>
  );
}
