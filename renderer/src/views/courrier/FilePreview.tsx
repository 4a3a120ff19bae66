/**
 * « Aperçu » of an image or a text attachment inside the reader, running nothing from the file:
 *   - an image is shown by <img> from a blob: address typed by Ostal (PNG, JPEG, GIF, WebP, BMP, SVG); an SVG drawn
 *     as an image runs no script and loads nothing (the browser's rule for images), whatever it contains;
 *   - a text (including HTML or XML source) is decoded (UTF-8, else Windows-1252) and shown as text in <pre>, never
 *     interpreted; only its first PREVIEW_TEXT_MAX characters.
 */
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import PreviewDialog from './PreviewDialog';
import { Busy, ErrorAlert } from '../../components/common';
import { formatNumber } from '../../lib/format';
import './pdf-preview.css';
import './file-preview.css';
import { decodeText } from './preview-types';

export type FilePreviewKind = 'image' | 'text';

/** Characters of a text attachment shown in the preview. */
export const PREVIEW_TEXT_MAX = 200_000;

export default function FilePreview({
  kind,
  name,
  imageType,
  load,
  onClose,
}: {
  kind: FilePreviewKind;
  name: string;
  imageType: string | null;
  load(): Promise<Uint8Array>;
  onClose(): void;
}) {
  const { t } = useTranslation();
  const closeRef = useRef<HTMLButtonElement>(null);
  const [content, setContent] = useState<{ url?: string; text?: string; total?: number } | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    closeRef.current?.focus();
    let url: string | null = null;
    let cancelled = false;
    load().then(
      (bytes) => {
        if (cancelled) return;
        if (kind === 'image') {
          url = URL.createObjectURL(new Blob([bytes as Uint8Array<ArrayBuffer>], { type: imageType ?? 'application/octet-stream' }));
          setContent({ url });
        } else {
          const text = decodeText(bytes);
          setContent({ text: text.slice(0, PREVIEW_TEXT_MAX), total: text.length });
        }
      },
      () => {
        if (!cancelled) setError(kind === 'image' ? t('apercuFichier.imageUnreadable') : t('apercuFichier.textUnreadable'));
      },
    );
    return () => {
      cancelled = true;
      if (url) URL.revokeObjectURL(url);
    };
  }, [load, kind, imageType, t]);

  return (
    <PreviewDialog
      look="pdf-preview"
      testId="file-preview"
      title={t('apercu.title', { name })}
      onClose={onClose}
      actions={
        <button ref={closeRef} type="button" className="button" onClick={onClose} data-testid="file-preview-close">
          {t('apercu.close')}
        </button>
      }
    >
      {!content && !error ? <Busy text={t('apercu.loading')} /> : null}
      {error ? <ErrorAlert message={error} testId="file-preview-error" /> : null}
      {content?.url ? (
        <div className="file-preview-image" role="region" aria-label={t('apercuFichier.imageRegion')} tabIndex={0}>
          <img src={content.url} alt={name} data-testid="file-preview-image" onError={() => setError(t('apercuFichier.imageUnreadable'))} />
        </div>
      ) : null}
      {content?.text !== undefined ? (
        <>
          {content.total !== undefined && content.total > PREVIEW_TEXT_MAX ? (
            <p className="hint">{t('apercuFichier.textTruncated', { shown: formatNumber(PREVIEW_TEXT_MAX) })}</p>
          ) : null}
          <pre
            className="file-preview-text"
            data-testid="file-preview-text"
            role="region"
            aria-label={t('apercuFichier.textRegion')}
            tabIndex={0}
          >
            {content.text}
          </pre>
        </>
      ) : null}
    </PreviewDialog>
  );
}
