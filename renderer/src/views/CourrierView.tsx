/** Courrier: the account's folder tree and the message list of the selected folder, from the local store. */
import { useEffect, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AccountSummary, FolderInfo, MessageSummary } from '../../../src/api/contract';
import { useApiQuery } from '../api/react';
import { Busy, EmptyState, ErrorAlert, PageHeader } from '../components/common';
import { Icon } from '../components/icons';
import { SyncButton } from '../components/SyncButton';
import { buildFolderTree, defaultFolder, type FolderNode } from '../lib/folder-tree';
import { formatListDate, formatLongDate, formatSentenceTime } from '../lib/format';
import { MessageReader } from './courrier/Reader';
import { useCompose } from './courrier/compose-context';
import { ReplyActions } from './courrier/ComposeActions';
import { OUTBOX_PATH, OutboxFolderItem, OutboxView, useOutbox } from './courrier/OutboxView';

export function CourrierView({ accounts, onOpenSettings }: { accounts: AccountSummary[]; onOpenSettings(): void }) {
  const { t } = useTranslation();
  const [accountId, setAccountId] = useState<string>(accounts[0]?.id ?? '');
  const [folderPath, setFolderPath] = useState<string | null>(null);
  const [opened, setOpened] = useState<{ accountId: string; folder: string; uid: number } | null>(null);
  const selectId = useId();
  const { openCompose } = useCompose();
  const outbox = useOutbox(accountId);
  const showOutbox = folderPath === OUTBOX_PATH;

  useEffect(() => {
    if (!accounts.some((account) => account.id === accountId)) setAccountId(accounts[0]?.id ?? '');
  }, [accounts, accountId]);

  const folders = useApiQuery('mail.folders', accountId ? { accountId } : null, {
    refreshOn: ['mail.changed', 'accounts.changed'],
    shouldRefresh: (_event, data) => !data || typeof data !== 'object' || !('accountId' in data) || (data as { accountId: string }).accountId === accountId,
  });
  const folderList = folders.data ?? [];
  const selected: FolderInfo | null = folderList.find((folder) => folder.path === folderPath) ?? defaultFolder(folderList);

  const account = accounts.find((a) => a.id === accountId);
  const openUid = opened && selected && opened.accountId === accountId && opened.folder === selected.path ? opened.uid : null;

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
        <button type="button" className="button button-primary" data-testid="compose-new" title={t('compose.newMessageShortcut')} onClick={() => openCompose({ accountId })}>
          <Icon name="plus" />
          {t('compose.newMessage')}
        </button>
        {!showOutbox && selected && openUid !== null ? <ReplyActions accountId={accountId} folder={selected.path} uid={openUid} /> : null}
        <SyncButton accountId={accountId} only="mail" />
      </PageHeader>
      {folders.error ? <ErrorAlert message={folders.error.message} /> : null}
      {folders.loading && !folders.data ? <Busy text={t('courrier.loadingFolders')} /> : null}
      {folders.data && folderList.length === 0 ? (
        <EmptyState title={t('courrier.noFoldersTitle')} text={t('courrier.noFoldersText')}>
          <SyncButton accountId={accountId} only="mail" primary />
        </EmptyState>
      ) : null}
      {folderList.length > 0 ? (
        <div className={openUid !== null ? 'mail-panes with-reader' : 'mail-panes'}>
          <nav className="folder-pane" aria-label={t('courrier.foldersLabel')}>
            <FolderTree nodes={buildFolderTree(folderList)} selectedPath={showOutbox ? null : (selected?.path ?? null)} onSelect={setFolderPath} />
            {outbox && outbox.length > 0 ? <OutboxFolderItem count={outbox.length} selected={showOutbox} onSelect={() => setFolderPath(OUTBOX_PATH)} /> : null}
          </nav>
          {showOutbox ? <OutboxView accountId={accountId} /> : null}
          {showOutbox ? null : selected ? (
            <MessageList accountId={accountId} folder={selected} openUid={openUid} onOpen={(uid) => setOpened({ accountId, folder: selected.path, uid })} />
          ) : (
            <div className="message-pane" />
          )}
          {!showOutbox && selected && openUid !== null ? <MessageReader accountId={accountId} folder={selected.path} uid={openUid} /> : null}
        </div>
      ) : null}
    </section>
  );
}

function FolderTree({ nodes, selectedPath, onSelect }: { nodes: FolderNode[]; selectedPath: string | null; onSelect(path: string): void }) {
  return (
    <ul className="folder-tree">
      {nodes.map((node) => (
        <FolderItem key={node.path} node={node} selectedPath={selectedPath} onSelect={onSelect} />
      ))}
    </ul>
  );
}

function FolderItem({ node, selectedPath, onSelect }: { node: FolderNode; selectedPath: string | null; onSelect(path: string): void }) {
  const { t } = useTranslation();
  const folder = node.folder;
  return (
    <li>
      {folder ? (
        <button
          type="button"
          className="folder-item"
          data-testid="folder"
          data-path={folder.path}
          data-unread={folder.unread}
          aria-current={selectedPath === folder.path ? 'true' : undefined}
          onClick={() => onSelect(folder.path)}
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
        <span className="folder-item folder-placeholder">
          <Icon name="folder" />
          <span className="folder-name">{node.name}</span>
        </span>
      )}
      {node.children.length > 0 ? <FolderTree nodes={node.children} selectedPath={selectedPath} onSelect={onSelect} /> : null}
    </li>
  );
}

function MessageList({ accountId, folder, openUid, onOpen }: { accountId: string; folder: FolderInfo; openUid: number | null; onOpen(uid: number): void }) {
  const { t } = useTranslation();
  const messages = useApiQuery(
    'mail.messages',
    { accountId, folder: folder.path, limit: 200 },
    {
      refreshOn: ['mail.changed'],
      shouldRefresh: (_event, data) => {
        const change = data as { accountId?: string; folders?: string[] } | undefined;
        return !change || (change.accountId === accountId && (!change.folders || change.folders.length === 0 || change.folders.includes(folder.path)));
      },
    },
  );
  const list = messages.data ?? [];
  const now = new Date();
  const isInbox = folder.specialUse === '\\Inbox' || folder.path.toUpperCase() === 'INBOX';
  return (
    <section className="message-pane" aria-labelledby="message-list-title">
      <div className="pane-header">
        <h2 id="message-list-title">{folder.name}</h2>
        <span className="muted">{t('courrier.folderCounts', { total: t('courrier.totalCount', { count: folder.total }), unread: t('courrier.unreadCount', { count: folder.unread }) })}</span>
      </div>
      {messages.error ? <ErrorAlert message={messages.error.message} /> : null}
      {messages.loading && !messages.data ? <Busy text={t('courrier.loadingMessages')} /> : null}
      {messages.data && list.length === 0 ? (
        <EmptyState title={t('courrier.emptyFolderTitle')} text={isInbox ? t('courrier.emptyInboxText') : t('courrier.emptyFolderText')} />
      ) : null}
      {list.length > 0 ? (
        <ul className="message-list" aria-labelledby="message-list-title" tabIndex={0} data-testid="message-list">
          {list.map((message) => (
            <MessageRow key={`${message.folder}:${message.uid}`} message={message} now={now} open={openUid === message.uid} onOpen={() => onOpen(message.uid)} />
          ))}
        </ul>
      ) : null}
    </section>
  );
}

function MessageRow({ message, now, open, onOpen }: { message: MessageSummary; now: Date; open: boolean; onOpen(): void }) {
  const { t } = useTranslation();
  const unread = !message.flags.includes('\\Seen');
  const sender = message.from ? message.from.name || message.from.address : t('courrier.unknownSender');
  const fullDate = message.date ? t('courrier.fullDate', { date: formatLongDate(message.date), time: formatSentenceTime(message.date) }) : '';
  return (
    <li
      className={unread ? 'message-row unread' : 'message-row'}
      data-testid="message"
      data-uid={message.uid}
      data-open=""
      tabIndex={0}
      aria-current={open ? 'true' : undefined}
      onClick={onOpen}
      onKeyDown={(event) => {
        if (event.key === 'Enter' || event.key === ' ') {
          event.preventDefault();
          onOpen();
        }
      }}
    >
      {unread ? <span className="visually-hidden">{t('courrier.unread')}</span> : null}
      <span className="message-from">{sender}</span>
      <span className="message-subject">{message.subject || t('courrier.noSubject')}</span>
      <span className="message-meta">
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
    </li>
  );
}
