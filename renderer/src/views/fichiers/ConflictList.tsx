/** Conflicts of Fichiers: both versions are kept; the user reads the notice and chooses which one to keep. */
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { FileConflict } from '../../../../src/shared/contract';
import { ApiCallError } from '../../api/client';
import { useClient } from '../../api/react';
import { ErrorAlert } from '../../components/common';
import { formatLongDate, formatSentenceTime } from '../../../../src/shared/time';
import { StateIcon } from './StateBadge';
import { displayFileName } from '../../lib/file-name';

const baseName = (path: string): string => displayFileName(path.split('/').pop() ?? path);

export function ConflictList({ conflicts, onChanged }: { conflicts: FileConflict[]; onChanged(): void }) {
  const { t } = useTranslation();
  const client = useClient();
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const resolve = async (conflict: FileConflict, keep: 'local' | 'server' | 'both') => {
    setBusy(conflict.id);
    setError(null);
    setDone(null);
    try {
      await client.call('files.resolveConflict', { id: conflict.id, keep });
      setDone(
        keep === 'local'
          ? t('fichiers.conflicts.keptLocal', { name: baseName(conflict.path) })
          : keep === 'server'
            ? t('fichiers.conflicts.keptServer', { name: baseName(conflict.path) })
            : t('fichiers.conflicts.keptBoth', { name: baseName(conflict.path) }),
      );
      onChanged();
    } catch (err) {
      setError(err instanceof ApiCallError ? err.message : t('errors.unexpected'));
    } finally {
      setBusy(null);
    }
  };
  return (
    <section className="fichiers-panel" aria-labelledby="fichiers-conflicts-title" data-testid="files-conflicts">
      <h2 id="fichiers-conflicts-title">{t('fichiers.conflicts.title')}</h2>
      {done ? (
        <p className="notice" role="status">
          {done}
        </p>
      ) : null}
      {error ? <ErrorAlert message={error} /> : null}
      {conflicts.length === 0 ? (
        <p className="muted">{t('fichiers.conflicts.none')}</p>
      ) : (
        <>
          <p>{t('fichiers.conflicts.intro')}</p>
          <ul className="fichiers-cards">
            {conflicts.map((c) => (
              <li key={c.id} className="fichiers-card" data-testid="file-conflict" data-path={c.path}>
                <p className="fichiers-card-title">
                  <span className="fichiers-state fichiers-state-conflict">
                    <StateIcon state="conflict" />
                  </span>
                  <span>{baseName(c.path)}</span>
                </p>
                <p className="fichiers-conflict-message">{displayFileName(c.message)}</p>
                <dl className="fichiers-versions">
                  <dt>{t('fichiers.conflicts.serverVersion')}</dt>
                  <dd>{displayFileName(c.path)}</dd>
                  <dt>{t('fichiers.conflicts.localVersion')}</dt>
                  <dd>{c.conflictPath}</dd>
                </dl>
                <p className="muted">
                  {t('fichiers.conflicts.detected', { date: formatLongDate(c.detectedAt), time: formatSentenceTime(c.detectedAt) })}
                </p>
                <div className="fichiers-buttons" role="group" aria-label={t('fichiers.conflicts.choice', { name: baseName(c.path) })}>
                  <button type="button" className="button" disabled={busy !== null} onClick={() => void resolve(c, 'local')}>
                    {t('fichiers.conflicts.keepLocal')}
                  </button>
                  <button type="button" className="button" disabled={busy !== null} onClick={() => void resolve(c, 'server')}>
                    {t('fichiers.conflicts.keepServer')}
                  </button>
                  <button type="button" className="button button-primary" disabled={busy !== null} onClick={() => void resolve(c, 'both')}>
                    {t('fichiers.conflicts.keepBoth')}
                  </button>
                </div>
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
