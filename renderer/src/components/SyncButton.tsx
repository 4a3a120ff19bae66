/** « Synchroniser maintenant »: asks the core to sync; progress shows in the status area. */
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { SyncScope } from '../../../src/shared/contract';
import { ApiCallError } from '../api/client';
import { useClient } from '../api/react';
import { Icon } from './icons';

export function SyncButton({ accountId, only, primary }: { accountId?: string; only?: SyncScope; primary?: boolean }) {
  const { t } = useTranslation();
  const client = useClient();
  const [running, setRunning] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const run = async () => {
    setRunning(true);
    setError(null);
    try {
      const report = await client.call('sync.run', { ...(accountId ? { accountId } : {}), ...(only ? { only } : {}) });
      const failed = report.accounts.find((account) => !account.ok);
      if (failed?.error) setError(failed.error.message);
    } catch (err) {
      setError(err instanceof ApiCallError ? err.message : t('errors.unexpected'));
    } finally {
      setRunning(false);
    }
  };
  return (
    <span className="sync-button">
      <button
        type="button"
        className={primary ? 'button button-primary' : 'button'}
        onClick={() => void run()}
        disabled={running}
        data-testid="sync-now"
      >
        <Icon name="refresh" className={running ? 'spin' : undefined} />
        <span>{running ? t('sync.running') : t('sync.now')}</span>
      </button>
      {error ? (
        <span className="field-error sync-error" role="alert">
          <span>{error}</span>
          <button type="button" className="link-button" onClick={() => setError(null)}>
            {t('common.close')}
          </button>
        </span>
      ) : null}
    </span>
  );
}
