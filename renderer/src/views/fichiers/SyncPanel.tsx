/**
 * The state of the files sync of one account: progress of the transfers, pause / reprise, the big deletion
 * waiting for confirmation, names refused with their fix, and the notices of the core (files.notice).
 */
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { EventData, FileSyncState, FilesAccountStatus } from '../../../../src/shared/contract';
import { ApiCallError } from '../../api/client';
import { useApiEvent, useClient } from '../../api/react';
import { ErrorAlert } from '../../components/common';
import { formatNumber, formatSize } from '../../lib/format';
import { formatLongDate, formatSentenceTime } from '../../../../src/shared/time';
import { StateIcon, useStateText } from './StateBadge';

const STATES: FileSyncState[] = ['synced', 'pending', 'syncing', 'conflict', 'error', 'online-only'];

export type FilesProgress = EventData<'files.progress'>;

/** The last progress event of an account, cleared when its transfers are done. */
export function useFilesProgress(accountId: string | null): FilesProgress | null {
  const [progress, setProgress] = useState<FilesProgress | null>(null);
  useApiEvent('files.progress', (data) => {
    if (data.accountId !== accountId) return;
    setProgress(data.total > 0 && data.done >= data.total ? null : data);
  });
  useApiEvent('status.changed', (status) => {
    if (status.state !== 'syncing') setProgress(null);
  });
  return progress;
}

export function SyncPanel({
  status,
  progress,
  onChanged,
}: {
  status: FilesAccountStatus;
  progress: FilesProgress | null;
  onChanged(): void;
}) {
  const { t } = useTranslation();
  const client = useClient();
  const stateText = useStateText();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const call = async (fn: () => Promise<unknown>) => {
    setBusy(true);
    setError(null);
    try {
      await fn();
      onChanged();
    } catch (err) {
      setError(err instanceof ApiCallError ? err.message : t('errors.unexpected'));
    } finally {
      setBusy(false);
    }
  };
  const counts = STATES.filter((s) => (status.counts[s] ?? 0) > 0);
  return (
    <section className="fichiers-sync" aria-labelledby="fichiers-sync-title" data-testid="files-sync-panel">
      <h2 id="fichiers-sync-title" className="visually-hidden">
        {t('fichiers.sync.title')}
      </h2>
      <div className="fichiers-sync-row">
        <div className="fichiers-sync-text">
          <p className="muted">
            {status.lastSync
              ? t('fichiers.sync.lastSync', { date: formatLongDate(status.lastSync), time: formatSentenceTime(status.lastSync) })
              : t('fichiers.sync.never')}
          </p>
          <p className="muted fichiers-root" data-testid="files-local-root">
            {t('fichiers.sync.localRoot', { path: status.localRoot })}
          </p>
          {status.quota ? (
            <p className="muted">
              {status.quota.available === null
                ? t('fichiers.sync.quotaUsed', { used: formatSize(status.quota.used) })
                : t('fichiers.sync.quota', { used: formatSize(status.quota.used), available: formatSize(status.quota.available) })}
            </p>
          ) : null}
        </div>
        <button
          type="button"
          className="button"
          disabled={busy}
          data-testid="files-pause"
          onClick={() => void call(() => client.call(status.paused ? 'files.resume' : 'files.pause', { accountId: status.accountId }))}
        >
          {status.paused ? t('fichiers.sync.resume') : t('fichiers.sync.pause')}
        </button>
      </div>
      {counts.length ? (
        <ul className="fichiers-counts" aria-label={t('fichiers.sync.countsLabel')}>
          {counts.map((s) => (
            <li key={s} className={`fichiers-state fichiers-state-${s}`}>
              <StateIcon state={s} />
              <span>{t('fichiers.sync.count', { n: formatNumber(status.counts[s], 0), state: stateText(s) })}</span>
            </li>
          ))}
        </ul>
      ) : null}
      {status.paused ? (
        <p className="fichiers-paused" role="status" data-testid="files-paused">
          {t('fichiers.sync.paused')}
        </p>
      ) : null}
      {progress ? (
        <div className="fichiers-progress" data-testid="files-progress">
          <label htmlFor="fichiers-progress-bar">{progress.label}</label>
          {progress.total > 0 ? (
            <progress id="fichiers-progress-bar" max={progress.total} value={progress.done} />
          ) : (
            <progress id="fichiers-progress-bar" />
          )}
          {progress.bytesTotal > 0 || progress.current ? (
            <p className="muted">
              {progress.bytesTotal > 0
                ? t('fichiers.sync.progressBytes', {
                    bytesDone: formatSize(progress.bytesDone),
                    bytesTotal: formatSize(progress.bytesTotal),
                  })
                : ''}
              {progress.bytesTotal > 0 && progress.current ? ' ' : ''}
              {progress.current ? t('fichiers.sync.current', { name: progress.current.split('/').pop() ?? progress.current }) : ''}
            </p>
          ) : null}
        </div>
      ) : null}
      {status.lastError ? <ErrorAlert message={status.lastError} testId="files-last-error" /> : null}
      {error ? <ErrorAlert message={error} /> : null}
      {status.pendingDeletion ? (
        <div className="alert fichiers-confirm" role="alert" data-testid="files-confirm-deletion">
          <div>
            <p className="fichiers-confirm-title">{t('fichiers.deletion.title')}</p>
            <p>
              {status.pendingDeletion.server === 0
                ? t('fichiers.deletion.textLocal', { local: formatNumber(status.pendingDeletion.local, 0) })
                : status.pendingDeletion.local === 0
                  ? t('fichiers.deletion.textServer', { server: formatNumber(status.pendingDeletion.server, 0) })
                  : t('fichiers.deletion.textBoth', {
                      local: formatNumber(status.pendingDeletion.local, 0),
                      server: formatNumber(status.pendingDeletion.server, 0),
                    })}
            </p>
            <div className="fichiers-buttons">
              <button
                type="button"
                className="button"
                disabled={busy}
                onClick={() => void call(() => client.call('files.confirmDeletion', { accountId: status.accountId, confirm: false }))}
              >
                {t('fichiers.deletion.keep')}
              </button>
              <button
                type="button"
                className="button button-danger"
                disabled={busy}
                onClick={() => void call(() => client.call('files.confirmDeletion', { accountId: status.accountId, confirm: true }))}
              >
                {t('fichiers.deletion.confirm')}
              </button>
            </div>
          </div>
        </div>
      ) : null}
      {status.problems.length ? (
        <section className="fichiers-problems" aria-labelledby="fichiers-problems-title" data-testid="files-name-problems">
          <h3 id="fichiers-problems-title">{t('fichiers.problems.title')}</h3>
          <p>{t('fichiers.problems.intro')}</p>
          <ul>
            {status.problems.map((p) => (
              <li key={`${p.side}:${p.path}`}>
                <span className="fichiers-problem-path">{p.path.replace(/^\//, '')}</span>
                <span className="muted"> — {p.side === 'local' ? t('fichiers.problems.local') : t('fichiers.problems.server')}</span>
                <p>{p.message}</p>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
    </section>
  );
}
