/**
 * After « Ouvrir » / « Ouvrir le dossier »: the core made sure the item is on the disk (files.open) and gave its
 * path. The window cannot start a desktop application itself, so the path is shown, ready to copy.
 */
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';

export interface OpenedItem {
  name: string;
  localPath: string;
  folder: boolean;
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
  return (
    <div className="fichiers-open" role="region" aria-labelledby="fichiers-open-title" tabIndex={-1} ref={ref} data-testid="files-open-notice">
      <p id="fichiers-open-title" className="fichiers-card-title">
        {item.folder ? t('fichiers.open.folderTitle', { name: item.name }) : t('fichiers.open.title', { name: item.name })}
      </p>
      <code ref={pathRef} className="fichiers-path" data-testid="files-open-path">
        {item.localPath}
      </code>
      <p className="muted">{item.folder ? t('fichiers.open.folderHint') : t('fichiers.open.hint')}</p>
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
