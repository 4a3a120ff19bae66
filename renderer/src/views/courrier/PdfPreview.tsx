/**
 * « Aperçu » of a PDF attachment inside Ostal, and « Imprimer » (the browser's print of the rendered pages).
 * PDF.js draws each page on a canvas and nothing else: no annotation layer (links, forms), no scripting
 * (`isEvalSupported: false`, and the PDF's JavaScript and launch actions are never read by this viewer), no font or
 * file fetched from elsewhere. The document is parsed in PDF.js's worker, a file of the application ('self').
 */
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import PreviewDialog from './PreviewDialog';
import { getDocument, GlobalWorkerOptions, type PDFDocumentProxy } from 'pdfjs-dist';
import workerUrl from 'pdfjs-dist/build/pdf.worker.min.mjs?url';
import { Busy, ErrorAlert } from '../../components/common';
import './pdf-preview.css';

GlobalWorkerOptions.workerSrc = workerUrl;

/** At most this many pages are drawn (a preview, not a reader of 500-page reports). */
const MAX_PAGES = 50;

export default function PdfPreview({ name, load, onClose }: { name: string; load(): Promise<Uint8Array>; onClose(): void }) {
  const { t } = useTranslation();
  const pagesRef = useRef<HTMLDivElement>(null);
  const closeRef = useRef<HTMLButtonElement>(null);
  const [state, setState] = useState<{ pages: number; shown: number } | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    closeRef.current?.focus();
    let doc: PDFDocumentProxy | null = null;
    let cancelled = false;
    (async () => {
      const data = await load();
      doc = await getDocument({
        data,
        isEvalSupported: false,
        enableXfa: false,
        disableFontFace: false,
        useSystemFonts: true,
        stopAtErrors: false,
      }).promise;
      const shown = Math.min(doc.numPages, MAX_PAGES);
      for (let n = 1; n <= shown && !cancelled; n++) {
        const page = await doc.getPage(n);
        const viewport = page.getViewport({ scale: 1.5 });
        const canvas = document.createElement('canvas');
        canvas.width = Math.floor(viewport.width);
        canvas.height = Math.floor(viewport.height);
        canvas.className = 'pdf-page';
        canvas.setAttribute('role', 'img');
        canvas.setAttribute('aria-label', t('apercu.pageLabel', { page: n, count: doc.numPages }));
        canvas.dataset.testid = 'pdf-page';
        await page.render({ canvas, viewport }).promise;
        if (cancelled) break;
        pagesRef.current?.append(canvas);
      }
      if (!cancelled) setState({ pages: doc.numPages, shown });
    })().catch(() => {
      if (!cancelled) setError(t('apercu.unreadable'));
    });
    return () => {
      cancelled = true;
      void doc?.destroy();
    };
  }, [load, t]);

  return (
    <PreviewDialog
      look="pdf-preview"
      testId="pdf-preview"
      title={t('apercu.title', { name })}
      onClose={onClose}
      actions={
        <>
          <button type="button" className="button button-primary" disabled={!state} onClick={() => window.print()} data-testid="pdf-print">
            {t('apercu.print')}
          </button>
          <button ref={closeRef} type="button" className="button" onClick={onClose} data-testid="pdf-close">
            {t('apercu.close')}
          </button>
        </>
      }
    >
      {!state && !error ? <Busy text={t('apercu.loading')} /> : null}
      {error ? <ErrorAlert message={error} testId="pdf-error" /> : null}
      {state && state.shown < state.pages ? (
        <p className="hint">{t('apercu.truncated', { shown: state.shown, count: state.pages })}</p>
      ) : null}
      <div
        className="pdf-pages"
        ref={pagesRef}
        data-testid="pdf-pages"
        role="region"
        aria-label={t('apercu.pagesLabel')}
        // Scrolled with the arrows once focused.
        tabIndex={0}
      />
    </PreviewDialog>
  );
}
