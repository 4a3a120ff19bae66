/**
 * Fichiers: the documents of the WebDAV server kept on this computer. Folder tree and listing (from the local
 * store, files.list), the sync state of every item in words and icon, search by name, « Ouvrir », « Ouvrir le
 * dossier », « Disponible hors ligne » per folder, pause / reprise and progress, conflicts with the user's
 * choice, the Corbeille of Ostal, names refused with their fix; « Nouveau dossier » and « Ajouter des fichiers » (picker
 * or drag and drop onto the list) in the folder shown.
 */
import { useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AccountSummary, EventData, FileEntrySummary } from '../../../src/shared/contract';
import { ApiCallError } from '../api/client';
import { useApiEvent, useApiQuery, useClient } from '../api/react';
import { Busy, EmptyState, ErrorAlert, PageHeader } from '../components/common';
import { SyncButton } from '../components/SyncButton';
import { ConflictList } from './fichiers/ConflictList';
import { FileTable, parentOf } from './fichiers/FileTable';
import { FolderTree } from './fichiers/FolderTree';
import { OpenNotice, type OpenedItem } from './fichiers/OpenNotice';
import { displayFileName } from '../lib/file-name';
import { useNameSearch } from './fichiers/search';
import { SyncPanel, useFilesProgress } from './fichiers/SyncPanel';
import { TrashList } from './fichiers/TrashList';
import { AddFilesButton, AddOutcomeNotice, AddProgressLine, NewFolderForm, useFileAdder, useFileDrop } from './fichiers/AddItems';
import './fichiers/fichiers.css';
import { useViewMemory } from '../lib/view-memory';
import { folderShown, type FilesPlace } from './fichiers/place';

type Section = 'documents' | 'conflicts' | 'trash';
type Notice = EventData<'files.notice'> & { key: number };

export function FichiersView({ accounts, onOpenSettings }: { accounts: AccountSummary[]; onOpenSettings?: () => void }) {
  const { t } = useTranslation();
  const client = useClient();
  const withServer = accounts.filter((account) => account.settings.webdav);
  // The account, folder and section the agent left are there again on coming back from another module.
  const [chosen, setChosen] = useViewMemory<string | null>('fichiers.account', null);
  const accountId = withServer.find((a) => a.id === chosen)?.id ?? withServer[0]?.id ?? null;
  // The folder belongs to its account: when that account is gone (removed in Réglages), the next one opens at its root.
  const [place, setPlace] = useViewMemory<FilesPlace>('fichiers.path', { accountId: null, path: '/' });
  const path = folderShown(place, accountId);
  const [section, setSection] = useViewMemory<Section>('fichiers.section', 'documents');
  const [query, setQuery] = useState('');
  const [busyPath, setBusyPath] = useState<string | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);
  const [actionDone, setActionDone] = useState<string | null>(null);
  const [opened, setOpened] = useState<OpenedItem | null>(null);
  const [notices, setNotices] = useState<Notice[]>([]);
  const [newFolder, setNewFolder] = useState(false);

  const forAccount = (_event: unknown, data: unknown) => (data as { accountId?: string }).accountId === accountId;
  const params = accountId ? { accountId } : null;
  // During transfers, the states of the listed items change: reload at most once a second on progress.
  const lastProgressReload = useRef(0);
  const listRefresh = (event: unknown, data: unknown) => {
    if (!forAccount(event, data)) return false;
    if (event !== 'files.progress') return true;
    const now = Date.now();
    if (now - lastProgressReload.current < 1000) return false;
    lastProgressReload.current = now;
    return true;
  };
  const files = useApiQuery('files.list', accountId ? { accountId, path } : null, {
    refreshOn: ['files.changed', 'files.progress'],
    shouldRefresh: listRefresh,
    refreshAfterSync: true,
  });
  const adder = useFileAdder(accountId, path, () => {
    files.reload();
    status.reload();
  });
  const addFiles = (list: File[], folders: string[] = []) => {
    setActionError(null);
    setActionDone(null);
    setNewFolder(false);
    void adder.add(list, folders);
  };
  const drop = useFileDrop(addFiles, section === 'documents' && accountId !== null && adder.progress === null);
  const lastStatusReload = useRef(0);
  const statusRefresh = (event: unknown) => {
    if (event !== 'files.progress') return true;
    const now = Date.now();
    if (now - lastStatusReload.current < 2000) return false;
    lastStatusReload.current = now;
    return true;
  };
  const status = useApiQuery('files.status', params, {
    refreshOn: ['files.changed', 'files.notice', 'files.progress', 'accounts.changed'],
    shouldRefresh: statusRefresh,
    refreshAfterSync: true,
  });
  const conflicts = useApiQuery('files.conflicts', params, { refreshOn: ['files.changed', 'files.notice'], refreshAfterSync: true });
  const trash = useApiQuery('files.trash.list', params, { refreshOn: ['files.changed'], refreshAfterSync: true });
  const progress = useFilesProgress(accountId);
  const search = useNameSearch(client, accountId, path, query);
  const accountStatus = status.data?.accounts.find((a) => a.accountId === accountId) ?? null;

  useApiEvent('files.notice', (data) => {
    // Refused names and a big deletion waiting for confirmation are in the sync panel already, with what to do.
    if (data.accountId !== accountId || data.kind === 'name' || data.kind === 'confirmation') return;
    setNotices((prev) => [...prev.slice(-4), { ...data, key: Date.now() + Math.random() }]);
  });

  const go = (next: string, account = accountId) => {
    setPlace({ accountId: account, path: next });
    setQuery('');
    setOpened(null);
    setActionError(null);
    setActionDone(null);
    setNewFolder(false);
    adder.clear();
  };

  const run = async <T,>(key: string, fn: () => Promise<T>): Promise<T | undefined> => {
    setBusyPath(key);
    setActionError(null);
    setActionDone(null);
    try {
      return await fn();
    } catch (err) {
      setActionError(err instanceof ApiCallError ? err.message : t('errors.unexpected'));
      return undefined;
    } finally {
      setBusyPath(null);
    }
  };

  // The desktop app opens the item with the system application (`launched`); elsewhere the view shows where it is.
  const openFile = async (entry: FileEntrySummary) => {
    const r = await run(entry.path, () => client.call('files.open', { accountId: entry.accountId, path: entry.path }));
    if (r?.warning) setOpened({ name: entry.name, localPath: r.localPath, folder: false, warning: r.warning, shownInFolder: r.launched });
    else if (r?.launched) setActionDone(t('fichiers.open.launched', { name: displayFileName(entry.name) }));
    else if (r) setOpened({ name: entry.name, localPath: r.localPath, folder: false });
  };
  const openFolder = async () => {
    if (!accountId) return;
    const name = path === '/' ? t('fichiers.root') : (path.split('/').pop() ?? path);
    const r = await run(path, () => client.call('files.open', { accountId, path }));
    if (r?.launched) setActionDone(t('fichiers.open.folderLaunched', { name: displayFileName(name) }));
    else if (r) setOpened({ name, localPath: r.localPath, folder: true });
  };
  const setOffline = async (entry: FileEntrySummary, offline: boolean) => {
    const r = await run(entry.path, () => client.call('files.setOffline', { accountId: entry.accountId, path: entry.path, offline }));
    if (r) {
      setActionDone(
        offline
          ? t('fichiers.offline.on', { name: displayFileName(entry.name) })
          : t('fichiers.offline.off', { name: displayFileName(entry.name) }),
      );
      files.reload();
      status.reload();
    }
  };

  const header = (
    <PageHeader id="fichiers-title" title={t('fichiers.title')}>
      {withServer.length > 1 ? (
        <label className="fichiers-account">
          <span>{t('fichiers.account')}</span>
          <select
            value={accountId ?? ''}
            onChange={(e) => {
              setChosen(e.currentTarget.value);
              go('/', e.currentTarget.value);
            }}
          >
            {withServer.map((a) => (
              <option key={a.id} value={a.id}>
                {a.email}
              </option>
            ))}
          </select>
        </label>
      ) : null}
      {accountId ? <SyncButton only="files" accountId={accountId} /> : null}
    </PageHeader>
  );

  if (!accountId) {
    return (
      <section className="view view-fichiers" aria-labelledby="fichiers-title">
        {header}
        <EmptyState title={t('fichiers.noServerTitle')} text={t('fichiers.noServerText')}>
          {onOpenSettings ? (
            <button type="button" className="button button-primary" onClick={onOpenSettings} data-testid="files-open-settings">
              {t('fichiers.openSettings')}
            </button>
          ) : null}
        </EmptyState>
      </section>
    );
  }

  const conflictCount = conflicts.data?.length ?? 0;
  // A conflict notice goes away once its conflict is settled.
  const shown = notices.filter(
    (n) =>
      n.kind !== 'conflict' ||
      !conflicts.data ||
      (n.path === null ? conflictCount > 0 : conflicts.data.some((c) => c.path === n.path || c.conflictPath === n.path)),
  );
  const trashCount = trash.data?.length ?? 0;
  const segments = path.split('/').filter(Boolean);
  const searching = query.trim().length > 0;
  const entries = searching ? search.results : (files.data ?? []);

  return (
    <section className="view view-fichiers" aria-labelledby="fichiers-title">
      {header}
      {status.error ? <ErrorAlert message={status.error.message} /> : null}
      {accountStatus ? <SyncPanel status={accountStatus} progress={progress} onChanged={() => status.reload()} /> : null}
      {shown.length ? (
        <ul className="fichiers-notices" aria-label={t('fichiers.notices.label')} data-testid="files-notices">
          {shown.map((n) => (
            <li key={n.key} className={`alert fichiers-notice fichiers-notice-${n.kind}`}>
              <div>
                <p>{displayFileName(n.message)}</p>
                <div className="fichiers-buttons">
                  {n.kind === 'conflict' ? (
                    <button type="button" className="button" onClick={() => setSection('conflicts')}>
                      {t('fichiers.notices.seeConflicts')}
                    </button>
                  ) : null}
                  <button
                    type="button"
                    className="button button-quiet"
                    onClick={() => setNotices((prev) => prev.filter((x) => x.key !== n.key))}
                  >
                    {t('common.close')}
                  </button>
                </div>
              </div>
            </li>
          ))}
        </ul>
      ) : null}
      <nav className="fichiers-sections" aria-label={t('fichiers.sections.label')}>
        <button
          type="button"
          className="fichiers-section"
          aria-current={section === 'documents' ? 'page' : undefined}
          onClick={() => setSection('documents')}
          data-testid="files-section-documents"
        >
          {t('fichiers.sections.documents')}
        </button>
        <button
          type="button"
          className="fichiers-section"
          aria-current={section === 'conflicts' ? 'page' : undefined}
          onClick={() => setSection('conflicts')}
          data-testid="files-section-conflicts"
        >
          {conflictCount ? t('fichiers.sections.conflictsCount', { n: conflictCount }) : t('fichiers.sections.conflicts')}
        </button>
        <button
          type="button"
          className="fichiers-section"
          aria-current={section === 'trash' ? 'page' : undefined}
          onClick={() => setSection('trash')}
          data-testid="files-section-trash"
        >
          {trashCount ? t('fichiers.sections.trashCount', { n: trashCount }) : t('fichiers.sections.trash')}
        </button>
      </nav>

      {section === 'conflicts' ? (
        conflicts.error ? (
          <ErrorAlert message={conflicts.error.message} />
        ) : conflicts.data ? (
          <ConflictList
            conflicts={conflicts.data}
            onChanged={() => {
              conflicts.reload();
              files.reload();
              status.reload();
            }}
          />
        ) : (
          <Busy text={t('fichiers.loading')} />
        )
      ) : section === 'trash' ? (
        trash.error ? (
          <ErrorAlert message={trash.error.message} />
        ) : trash.data ? (
          <TrashList
            entries={trash.data}
            onChanged={() => {
              trash.reload();
              files.reload();
            }}
          />
        ) : (
          <Busy text={t('fichiers.loading')} />
        )
      ) : (
        <div className="fichiers-body">
          <FolderTree accountId={accountId} current={path} onSelect={go} />
          <div className={`fichiers-main${drop.dragging ? ' is-drop-target' : ''}`} {...drop.handlers} data-testid="files-drop-zone">
            {drop.dragging ? (
              <p className="fichiers-drop-hint" aria-hidden="true">
                {t('fichiers.add.dropHint', { folder: segments.length ? segments[segments.length - 1] : t('fichiers.root') })}
              </p>
            ) : null}
            <nav aria-label={t('fichiers.breadcrumb')} className="breadcrumb">
              <ol>
                <li>
                  <button
                    type="button"
                    className="link-button"
                    aria-current={segments.length === 0 ? 'location' : undefined}
                    onClick={() => go('/')}
                  >
                    {t('fichiers.root')}
                  </button>
                </li>
                {segments.map((segment, index) => {
                  const target = `/${segments.slice(0, index + 1).join('/')}`;
                  return (
                    <li key={target}>
                      <button
                        type="button"
                        className="link-button"
                        aria-current={index === segments.length - 1 ? 'location' : undefined}
                        onClick={() => go(target)}
                      >
                        {segment}
                      </button>
                    </li>
                  );
                })}
              </ol>
            </nav>
            <div className="fichiers-toolbar">
              <label className="fichiers-search">
                <span className="visually-hidden">{t('fichiers.search.label')}</span>
                <input
                  type="search"
                  value={query}
                  placeholder={t('fichiers.search.placeholder')}
                  onChange={(e) => setQuery(e.currentTarget.value)}
                  data-testid="files-search"
                />
              </label>
              <button
                type="button"
                className="button"
                onClick={() => void openFolder()}
                disabled={busyPath === path}
                data-testid="files-open-folder"
              >
                {t('fichiers.open.folder')}
              </button>
              {path !== '/' ? (
                <button type="button" className="button button-quiet" onClick={() => go(parentOf(path))}>
                  {t('fichiers.up')}
                </button>
              ) : null}
              <span className="fichiers-toolbar-add">
                <button
                  type="button"
                  className="button"
                  aria-expanded={newFolder}
                  disabled={adder.progress !== null}
                  onClick={() => {
                    setNewFolder((open) => !open);
                    adder.clear();
                  }}
                  data-testid="files-new-folder"
                >
                  {t('fichiers.newFolder.action')}
                </button>
                <AddFilesButton busy={adder.progress !== null} onFiles={(list) => addFiles(list)} />
              </span>
            </div>
            {newFolder ? (
              <NewFolderForm
                accountId={accountId}
                path={path}
                onCancel={() => setNewFolder(false)}
                onCreated={(name) => {
                  setNewFolder(false);
                  setActionDone(t('fichiers.newFolder.created', { name: displayFileName(name) }));
                  files.reload();
                }}
              />
            ) : null}
            {adder.progress ? <AddProgressLine progress={adder.progress} /> : null}
            {adder.outcome ? <AddOutcomeNotice outcome={adder.outcome} onClose={adder.clear} /> : null}
            {opened ? <OpenNotice item={opened} onClose={() => setOpened(null)} /> : null}
            {actionError ? <ErrorAlert message={actionError} /> : null}
            {actionDone ? (
              <p className="notice" role="status">
                {actionDone}
              </p>
            ) : null}
            {searching ? (
              <p className="muted" role="status" data-testid="files-search-status">
                {search.searching
                  ? t('fichiers.search.searching')
                  : search.results.length === 0
                    ? t('fichiers.search.none', { query: query.trim() })
                    : search.truncated
                      ? t('fichiers.search.truncated', { count: search.results.length })
                      : t('fichiers.search.results', { count: search.results.length })}
              </p>
            ) : null}
            {!searching && files.error ? <ErrorAlert message={files.error.message} /> : null}
            {!searching && files.loading && !files.data ? <Busy text={t('fichiers.loading')} /> : null}
            {!searching && files.data && files.data.length === 0 ? (
              segments.length ? (
                <EmptyState title={t('fichiers.emptyFolderTitle')} text={t('fichiers.emptyFolderText')} />
              ) : (
                <EmptyState title={t('fichiers.emptyTitle')} text={t('fichiers.emptyText', { path: accountStatus?.localRoot ?? '' })}>
                  <SyncButton only="files" accountId={accountId} />
                </EmptyState>
              )
            ) : null}
            {entries.length > 0 ? (
              <FileTable
                entries={entries}
                label={searching ? t('fichiers.search.resultsLabel') : t('fichiers.listLabel')}
                showFolder={searching}
                busyPath={busyPath}
                onOpenFolder={go}
                onOpenFile={(entry) => void openFile(entry)}
                onOffline={(entry, offline) => void setOffline(entry, offline)}
              />
            ) : null}
          </div>
        </div>
      )}
    </section>
  );
}
