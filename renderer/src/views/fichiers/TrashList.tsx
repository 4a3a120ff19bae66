/** The Corbeille of Ostal: local files that sync removed, kept 30 days, restorable. */
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { FileTrashEntry } from '../../../../src/shared/contract';
import { ApiCallError } from '../../api/client';
import { useClient } from '../../api/react';
import { ErrorAlert } from '../../components/common';
import { Icon } from '../../components/icons';
import { formatSize } from '../../lib/format';
import { formatShortDate } from '../../../../src/shared/time';
import { parentOf } from './FileTable';
import { displayFileName } from '../../lib/file-name';

export function TrashList({ entries, onChanged }: { entries: FileTrashEntry[]; onChanged(): void }) {
  const { t } = useTranslation();
  const client = useClient();
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const restore = async (entry: FileTrashEntry) => {
    setBusy(entry.id);
    setError(null);
    setDone(null);
    try {
      const r = await client.call('files.trash.restore', { id: entry.id });
      const folder = parentOf(r.path);
      setDone(
        t('fichiers.trash.restored', {
          name: displayFileName(r.path.split('/').pop() ?? entry.name),
          folder: folder === '/' ? t('fichiers.root') : folder.slice(1),
        }),
      );
      onChanged();
    } catch (err) {
      setError(err instanceof ApiCallError ? err.message : t('errors.unexpected'));
    } finally {
      setBusy(null);
    }
  };
  return (
    <section className="fichiers-panel" aria-labelledby="fichiers-trash-title" data-testid="files-trash">
      <h2 id="fichiers-trash-title">{t('fichiers.trash.title')}</h2>
      <p>{t('fichiers.trash.intro')}</p>
      {done ? (
        <p className="notice" role="status">
          {done}
        </p>
      ) : null}
      {error ? <ErrorAlert message={error} /> : null}
      {entries.length === 0 ? (
        <p className="muted">{t('fichiers.trash.empty')}</p>
      ) : (
        <ul className="fichiers-cards">
          {entries.map((entry) => {
            const folder = parentOf(entry.path);
            return (
              <li key={entry.id} className="fichiers-card fichiers-trash-row" data-testid="trash-entry" data-path={entry.path}>
                <div>
                  <p className="fichiers-card-title">
                    <Icon name="file" />
                    <span>{displayFileName(entry.name)}</span>
                  </p>
                  <p className="muted">
                    {t('fichiers.trash.details', {
                      folder: folder === '/' ? t('fichiers.root') : folder.slice(1),
                      size: formatSize(entry.size),
                      deleted: formatShortDate(entry.deletedAt),
                      expires: formatShortDate(entry.expiresAt),
                    })}
                  </p>
                </div>
                <button
                  type="button"
                  className="button"
                  disabled={busy !== null}
                  onClick={() => void restore(entry)}
                  aria-label={t('fichiers.trash.restoreNamed', { name: displayFileName(entry.name) })}
                >
                  {t('fichiers.trash.restore')}
                </button>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
