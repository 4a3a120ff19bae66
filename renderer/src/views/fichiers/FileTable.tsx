/** The content of a folder (or search results) in Fichiers: name, size, date, sync state, and the actions of each item. */
import { useTranslation } from 'react-i18next';
import type { FileEntrySummary } from '../../../../src/shared/contract';
import { Icon } from '../../components/icons';
import { formatSize } from '../../lib/format';
import { formatListDate } from '../../../../src/shared/time';
import { StateBadge } from './StateBadge';
import { displayFileName } from '../../lib/file-name';

export function parentOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
}

export function FileTable({
  entries,
  label,
  showFolder,
  busyPath,
  onOpenFolder,
  onOpenFile,
  onOffline,
}: {
  entries: FileEntrySummary[];
  label: string;
  /** Search results: show where each item is. */
  showFolder?: boolean;
  busyPath: string | null;
  onOpenFolder(path: string): void;
  onOpenFile(entry: FileEntrySummary): void;
  onOffline(entry: FileEntrySummary, offline: boolean): void;
}) {
  const { t } = useTranslation();
  const collator = new Intl.Collator('fr', { sensitivity: 'base', numeric: true });
  const list = [...entries].sort((a, b) => Number(b.kind === 'folder') - Number(a.kind === 'folder') || collator.compare(a.name, b.name));
  return (
    <table className="fichiers-table" aria-label={label} data-testid="file-table">
      <thead>
        <tr>
          <th scope="col">{t('fichiers.columns.name')}</th>
          <th scope="col" className="fichiers-col-size">
            {t('fichiers.columns.size')}
          </th>
          <th scope="col" className="fichiers-col-date">
            {t('fichiers.columns.modified')}
          </th>
          <th scope="col" className="fichiers-col-state">
            {t('fichiers.columns.state')}
          </th>
          <th scope="col" className="fichiers-col-actions">
            {t('fichiers.columns.actions')}
          </th>
        </tr>
      </thead>
      <tbody>
        {list.map((entry) => {
          const folder = entry.kind === 'folder';
          return (
            <tr key={`${entry.accountId}:${entry.path}`} data-testid="file" data-path={entry.path} data-state={entry.state}>
              <td className="fichiers-name-cell">
                {folder ? (
                  <button type="button" className="link-button fichiers-name" onClick={() => onOpenFolder(entry.path)}>
                    <Icon name="folder" />
                    <span>{displayFileName(entry.name)}</span>
                  </button>
                ) : (
                  <span className="fichiers-name">
                    <Icon name="file" />
                    <span>{displayFileName(entry.name)}</span>
                  </span>
                )}
                {showFolder ? (
                  <span className="muted fichiers-where">
                    {t('fichiers.search.in', { folder: parentOf(entry.path) === '/' ? t('fichiers.root') : parentOf(entry.path).slice(1) })}
                  </span>
                ) : null}
                {entry.error ? <span className="fichiers-item-error">{entry.error}</span> : null}
              </td>
              <td className="fichiers-col-size">{folder ? '' : formatSize(entry.size)}</td>
              <td className="fichiers-col-date">{formatListDate(entry.modified)}</td>
              <td>
                <StateBadge state={entry.state} />
              </td>
              <td className="fichiers-actions">
                {folder ? (
                  <label className="fichiers-switch">
                    <input
                      type="checkbox"
                      role="switch"
                      checked={entry.availableOffline}
                      disabled={busyPath === entry.path}
                      onChange={(e) => onOffline(entry, e.currentTarget.checked)}
                      aria-label={t('fichiers.offline.named', { name: displayFileName(entry.name) })}
                    />
                    <span aria-hidden="true">{t('fichiers.offline.label')}</span>
                  </label>
                ) : (
                  <button
                    type="button"
                    className="button button-quiet"
                    onClick={() => onOpenFile(entry)}
                    disabled={busyPath === entry.path}
                    aria-label={t('fichiers.open.named', { name: displayFileName(entry.name) })}
                  >
                    {t('fichiers.open.action')}
                  </button>
                )}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
