/**
 * After « Ouvrir » / « Ouvrir le dossier »: the core made sure the item is on the disk (files.open) and gave its
 * path. The window cannot start a desktop application itself, so the path is shown, ready to copy. A file the core
 * refused to open (program, script, shortcut, hidden characters in the name) comes with the core's French warning:
 * it is shown as an alert, with its folder shown instead (`shownInFolder`) or its path.
 */
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { displayFileName } from '../../lib/file-name';

export interface OpenedItem {
  name: string;
  localPath: string;
  folder: boolean;
  /** French warning from the core (files.open): the file was not opened. */
  warning?: string | null;
  /** With a warning: the desktop showed the containing folder instead. */
  shownInFolder?: boolean;
}

export function OpenNotice({ item, onClose }: { item: OpenedItem; onClose(): void }) {
  const { t } = useTranslation();
  const [copied, setCopied] = useState(false);
  const ref = useRef<HTMLDivElement>(null);
  const pathRef = useRef<HTMLElement>(null);
  useEffect(() => {
    setCopied(false);
    ref.current?.focus();
  }, [item]);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(item.localPath);
      setCopied(true);
    } catch {
      // No clipboard access (page not focused, browser policy): select the path for Ctrl+C.
      const range = document.createRange();
      if (pathRef.current) range.selectNodeContents(pathRef.current);
      const selection = window.getSelection();
      selection?.removeAllRanges();
      selection?.addRange(range);
    }
  };
  const name = displayFileName(item.name);
  const title = item.warning
    ? t('fichiers.open.blockedTitle', { name })
    : item.folder
      ? t('fichiers.open.folderTitle', { name })
      : t('fichiers.open.title', { name });
  return (
    <div
      className={item.warning ? 'fichiers-open fichiers-open-blocked' : 'fichiers-open'}
      role="region"
      aria-labelledby="fichiers-open-title"
      tabIndex={-1}
      ref={ref}
      data-testid="files-open-notice"
    >
      <p id="fichiers-open-title" className="fichiers-card-title">
        {title}
      </p>
      {item.warning ? (
        <p role="alert" className="fichiers-open-warning" data-testid="files-open-warning">
          {displayFileName(item.warning)}
        </p>
      ) : null}
      {item.warning && item.shownInFolder ? <p data-testid="files-open-shown">{t('fichiers.open.blockedShown')}</p> : null}
      {item.warning ? <p className="muted">{t('fichiers.open.blockedWhere')}</p> : null}
      <code ref={pathRef} className="fichiers-path" data-testid="files-open-path">
        {displayFileName(item.localPath)}
      </code>
      {item.warning ? null : <p className="muted">{item.folder ? t('fichiers.open.folderHint') : t('fichiers.open.hint')}</p>}
      <div className="fichiers-buttons">
        <button type="button" className="button" onClick={() => void copy()}>
          {t('fichiers.open.copy')}
        </button>
        <button type="button" className="button button-quiet" onClick={onClose}>
          {t('common.close')}
        </button>
        {copied ? (
          <span role="status" className="muted">
            {t('fichiers.open.copied')}
          </span>
        ) : null}
      </div>
    </div>
  );
}
