/** The connection state, always visible: « En ligne », « Hors ligne », « Synchronisation en cours… » with progress. */
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AppStatus, ConnectionState } from '../../../src/shared/contract';
import { useApiEvent, useApiQuery, useClient, useConnectionStatus } from '../api/react';
import { formatNumber } from '../lib/format';

/**
 * The core's status: read once the link to the core is open (again after a reconnection), then kept by status.changed.
 * The answer is applied when it arrives, in the order of the link: applied later (from an effect, after a render that a
 * busy page may batch with the next events), an answer older than an event overwrote it, and the status area stayed on
 * « Synchronisation en cours… » after the sync had ended.
 */
export function useAppStatus(): AppStatus | undefined {
  const client = useClient();
  const connection = useConnectionStatus();
  const [status, setStatus] = useState<AppStatus | undefined>(undefined);
  useEffect(() => {
    if (connection !== 'open') return;
    let current = true;
    client.call('status.get', {}).then(
      (answer) => {
        if (current) setStatus(answer);
      },
      () => undefined,
    );
    return () => {
      current = false;
    };
  }, [client, connection]);
  useApiEvent('status.changed', setStatus);
  return status;
}

export function StatusArea({ status }: { status: AppStatus | undefined }) {
  const { t } = useTranslation();
  const connection = useConnectionStatus();
  // Without the core, nothing can be online.
  const state: ConnectionState = connection !== 'open' || !status ? 'offline' : status.state;
  // A sync's progress, or the download for offline reading that goes on after it (status.progress while online).
  const progress = state !== 'offline' ? (status?.progress ?? null) : null;
  const download = useApiQuery('mail.download.state', {}, { refreshOn: ['status.changed'] });
  const client = useClient();
  const [busy, setBusy] = useState(false);
  const toggleDownload = async (pause: boolean) => {
    setBusy(true);
    try {
      await client.call(pause ? 'mail.download.pause' : 'mail.download.resume', {});
      download.reload();
    } finally {
      setBusy(false);
    }
  };
  const label = state === 'online' ? t('status.online') : state === 'syncing' ? t('status.syncing') : t('status.offline');
  const problems = status?.accounts.filter((account) => account.lastError) ?? [];

  return (
    <div className={`status-area status-${state}`} data-testid="connection-state" data-state={state}>
      <div role="status" aria-live="polite" className="status-line">
        <span className="status-dot" aria-hidden="true" />
        <span className="status-label">{label}</span>
        {progress ? (
          <span className="status-progress-text" data-testid="sync-progress-label">
            {/* A label that already ends with its numbers (« … : 3 420 / 48 000 ») is shown as it is. */}
            {progress.total > 0 && !progress.label.endsWith(formatNumber(progress.total))
              ? t('status.progress', { label: progress.label, done: progress.done, total: progress.total })
              : progress.label}
          </span>
        ) : null}
      </div>
      {progress && progress.total > 0 ? (
        <progress
          className="status-progress"
          data-testid="sync-progress"
          value={progress.done}
          max={progress.total}
          aria-label={t('status.progressLabel')}
          aria-valuemin={0}
          aria-valuemax={progress.total}
          aria-valuenow={progress.done}
          aria-valuetext={t('status.progressValue', { done: progress.done, total: progress.total })}
        />
      ) : null}
      {download.data?.running || download.data?.paused ? (
        <div className="status-download">
          {download.data.paused ? <span className="status-progress-text">{t('status.downloadPaused')}</span> : null}
          <button
            type="button"
            className="link-button"
            data-testid="download-toggle"
            disabled={busy}
            onClick={() => void toggleDownload(!download.data!.paused)}
          >
            {download.data.paused ? t('status.resumeDownload') : t('status.pauseDownload')}
          </button>
        </div>
      ) : null}
      {problems.length > 0 ? (
        <p className="status-problem" data-testid="status-problem">
          {problems[0].lastError}
        </p>
      ) : null}
    </div>
  );
}

/** Shown while the transport to the core is closed; the client keeps retrying. */
export function ConnectionLostBanner() {
  const { t } = useTranslation();
  const connection = useConnectionStatus();
  if (connection !== 'lost') return null;
  return (
    <div className="banner banner-error" role="alert" data-testid="connection-lost">
      <strong>{t('connection.lostTitle')}</strong>
      <span>{t('connection.lostText')}</span>
    </div>
  );
}
