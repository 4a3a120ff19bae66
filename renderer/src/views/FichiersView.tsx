/** Fichiers: the synchronised files of an account, folder by folder, from the local store. */
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AccountSummary, FileEntrySummary } from '../../../src/api/contract';
import { useApiQuery } from '../api/react';
import { Busy, EmptyState, ErrorAlert, PageHeader } from '../components/common';
import { Icon } from '../components/icons';
import { SyncButton } from '../components/SyncButton';
import { formatSize } from '../lib/format';

export function FichiersView({ accounts }: { accounts: AccountSummary[] }) {
  const { t } = useTranslation();
  const [path, setPath] = useState('');
  const files = useApiQuery('files.list', path ? { path } : {}, { refreshOn: ['accounts.changed'], refreshAfterSync: true });
  const segments = path.split('/').filter(Boolean);
  const stateText = (state: FileEntrySummary['state']): string => {
    switch (state) {
      case 'synced':
        return t('fichiers.states.synced');
      case 'pending':
        return t('fichiers.states.pending');
      case 'syncing':
        return t('fichiers.states.syncing');
      case 'conflict':
        return t('fichiers.states.conflict');
      case 'error':
        return t('fichiers.states.error');
      default:
        return t('fichiers.states.onlineOnly');
    }
  };
  const collator = new Intl.Collator('fr', { sensitivity: 'base', numeric: true });
  const list = [...(files.data ?? [])].sort((a, b) => Number(b.isFolder) - Number(a.isFolder) || collator.compare(a.name, b.name));
  const hasWebdav = accounts.some((account) => account.settings.webdav);

  return (
    <section className="view" aria-labelledby="fichiers-title">
      <PageHeader id="fichiers-title" title={t('fichiers.title')}>
        <SyncButton only="files" />
      </PageHeader>
      <nav aria-label={t('fichiers.breadcrumb')} className="breadcrumb">
        <ol>
          <li>
            <button type="button" className="link-button" aria-current={segments.length === 0 ? 'location' : undefined} onClick={() => setPath('')}>
              {t('fichiers.root')}
            </button>
          </li>
          {segments.map((segment, index) => {
            const target = `/${segments.slice(0, index + 1).join('/')}`;
            return (
              <li key={target}>
                <button type="button" className="link-button" aria-current={index === segments.length - 1 ? 'location' : undefined} onClick={() => setPath(target)}>
                  {segment}
                </button>
              </li>
            );
          })}
        </ol>
      </nav>
      {files.error ? <ErrorAlert message={files.error.message} /> : null}
      {files.loading && !files.data ? <Busy text={t('fichiers.loading')} /> : null}
      {files.data && list.length === 0 ? (
        <EmptyState title={segments.length ? t('fichiers.emptyFolderTitle') : t('fichiers.emptyTitle')} text={hasWebdav || segments.length ? t('fichiers.emptyText') : t('fichiers.noServerText')} />
      ) : null}
      {list.length > 0 ? (
        <ul className="file-list" aria-label={t('fichiers.listLabel')}>
          {list.map((entry) => (
            <li key={entry.path} className="file-row" data-testid="file" data-path={entry.path}>
              {entry.isFolder ? (
                <button type="button" className="link-button file-name" onClick={() => setPath(entry.path)}>
                  <Icon name="folder" />
                  <span>{entry.name}</span>
                </button>
              ) : (
                <span className="file-name">
                  <Icon name="file" />
                  <span>{entry.name}</span>
                </span>
              )}
              <span className="muted file-size">{entry.isFolder ? '' : formatSize(entry.size)}</span>
              <span className={`file-state state-${entry.state}`}>{stateText(entry.state)}</span>
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}
