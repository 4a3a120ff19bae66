/**
 * The folder tree of Fichiers (left pane): disclosure buttons (aria-expanded) and one button per folder,
 * loaded folder by folder from files.list. The current folder is marked with aria-current.
 */
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useApiQuery } from '../../api/react';
import { Icon } from '../../components/icons';
import { StateIcon, useStateText } from './StateBadge';
import { displayFileName } from '../../lib/file-name';

/** '/a/b/c' → ['/a', '/a/b'] (the ancestors, root excluded). */
export function ancestors(path: string): string[] {
  const parts = path.split('/').filter(Boolean);
  return parts.slice(0, -1).map((_, i) => `/${parts.slice(0, i + 1).join('/')}`);
}

export function FolderTree({ accountId, current, onSelect }: { accountId: string; current: string; onSelect(path: string): void }) {
  const { t } = useTranslation();
  const [expanded, setExpanded] = useState<Set<string>>(() => new Set(['/']));
  useEffect(() => {
    // Show the way to the current folder.
    setExpanded((prev) => {
      const need = ['/', ...ancestors(current)].filter((p) => !prev.has(p));
      return need.length ? new Set([...prev, ...need]) : prev;
    });
  }, [current]);
  const toggle = (path: string) =>
    setExpanded((prev) => {
      const next = new Set(prev);
      if (next.has(path)) next.delete(path);
      else next.add(path);
      return next;
    });
  return (
    <nav className="fichiers-tree" aria-label={t('fichiers.tree.label')}>
      <ul>
        <li>
          <button
            type="button"
            className="fichiers-tree-item"
            aria-current={current === '/' ? 'location' : undefined}
            onClick={() => onSelect('/')}
          >
            <Icon name="fichiers" />
            <span>{t('fichiers.root')}</span>
          </button>
          <FolderChildren accountId={accountId} path="/" current={current} expanded={expanded} onToggle={toggle} onSelect={onSelect} />
        </li>
      </ul>
    </nav>
  );
}

function FolderChildren({
  accountId,
  path,
  current,
  expanded,
  onToggle,
  onSelect,
}: {
  accountId: string;
  path: string;
  current: string;
  expanded: Set<string>;
  onToggle(path: string): void;
  onSelect(path: string): void;
}) {
  const { t } = useTranslation();
  const stateText = useStateText();
  const list = useApiQuery('files.list', expanded.has(path) ? { accountId, path } : null, {
    refreshOn: ['files.changed'],
    shouldRefresh: (_event, data) => {
      const d = data as { accountId: string; paths: string[] };
      return d.accountId === accountId && d.paths.some((p) => p === path || p.startsWith(path === '/' ? '/' : `${path}/`));
    },
  });
  if (!expanded.has(path)) return null;
  const collator = new Intl.Collator('fr', { sensitivity: 'base', numeric: true });
  const folders = (list.data ?? []).filter((e) => e.kind === 'folder').sort((a, b) => collator.compare(a.name, b.name));
  if (folders.length === 0) return null;
  return (
    <ul>
      {folders.map((folder) => {
        const open = expanded.has(folder.path);
        const flagged = folder.state === 'conflict' || folder.state === 'error';
        return (
          <li key={folder.path}>
            <div className="fichiers-tree-row">
              <button
                type="button"
                className="fichiers-tree-toggle"
                aria-expanded={open}
                aria-label={
                  open
                    ? t('fichiers.tree.collapse', { name: displayFileName(folder.name) })
                    : t('fichiers.tree.expand', { name: displayFileName(folder.name) })
                }
                onClick={() => onToggle(folder.path)}
              >
                <span aria-hidden="true">{open ? '▾' : '▸'}</span>
              </button>
              <button
                type="button"
                className="fichiers-tree-item"
                aria-current={current === folder.path ? 'location' : undefined}
                onClick={() => onSelect(folder.path)}
                data-testid="tree-folder"
                data-path={folder.path}
              >
                <Icon name="folder" />
                <span className="fichiers-tree-name">{displayFileName(folder.name)}</span>
                {flagged ? (
                  <span className="fichiers-tree-flag">
                    <StateIcon state={folder.state} />
                    <span className="visually-hidden">{stateText(folder.state)}</span>
                  </span>
                ) : null}
              </button>
            </div>
            <FolderChildren
              accountId={accountId}
              path={folder.path}
              current={current}
              expanded={expanded}
              onToggle={onToggle}
              onSelect={onSelect}
            />
          </li>
        );
      })}
    </ul>
  );
}
