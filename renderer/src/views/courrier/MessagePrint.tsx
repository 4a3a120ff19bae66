/**
 * « Imprimer » a message: an « Aperçu avant impression » showing the sheet as it will be printed (the header: De, À,
 * Cc, Date, Objet, the attachments' names, then the body), and its « Imprimer » button (the browser's print). The
 * sheet is a direct child of <body> (a portal) so that the print style sheet can leave out the rest of the window.
 * The body is the core's sanitised HTML rebuilt through an allowlist (printable-html.ts), or the plain text.
 */
import { useEffect, useRef } from 'react';
import { createPortal } from 'react-dom';
import { useTranslation } from 'react-i18next';
import PreviewDialog from './PreviewDialog';
import type { Address, MessageView } from '../../../../src/shared/contract';
import { formatClockTime, formatLongDate } from '../../../../src/shared/time';
import { displayFileName } from '../../lib/file-name';
import { printableFragment } from './printable-html';
import './print.css';

function useAddress(): (a: Address) => string {
  const { t } = useTranslation();
  return (a) => (a.name ? `${a.name} ${t('courrier.reader.addressInBrackets', { address: a.address })}` : a.address);
}

export default function MessagePrint({ view, onClose }: { view: MessageView; onClose(): void }) {
  const { t } = useTranslation();
  const printRef = useRef<HTMLButtonElement>(null);
  const bodyRef = useRef<HTMLDivElement>(null);
  const address = useAddress();
  const separator = t('courrier.reader.listSeparator');
  const date = view.date ? t('courrier.reader.dateLine', { date: formatLongDate(view.date), time: formatClockTime(view.date) }) : '';
  const files = view.attachments.filter((a) => !a.inline || !view.html);

  useEffect(() => {
    printRef.current?.focus();
  }, []);

  useEffect(() => {
    const target = bodyRef.current;
    if (!target || view.html === null) return;
    target.replaceChildren(printableFragment(view.html));
  }, [view.html]);

  const rows: { label: string; value: string; testId: string }[] = [
    { label: t('impression.from'), value: view.from ? address(view.from) : t('courrier.unknownSender'), testId: 'print-from' },
    ...(view.to.length ? [{ label: t('impression.to'), value: view.to.map(address).join(separator), testId: 'print-to' }] : []),
    ...(view.cc.length ? [{ label: t('impression.cc'), value: view.cc.map(address).join(separator), testId: 'print-cc' }] : []),
    ...(date ? [{ label: t('impression.date'), value: date, testId: 'print-date' }] : []),
    { label: t('impression.subject'), value: view.subject || t('courrier.noSubject'), testId: 'print-subject' },
    ...(files.length
      ? [
          {
            label: t('impression.attachments'),
            value: files.map((f) => (f.filename ? displayFileName(f.filename) : t('courrier.reader.unnamedAttachment'))).join(separator),
            testId: 'print-attachments',
          },
        ]
      : []),
  ];

  return createPortal(
    <PreviewDialog
      look="print-preview"
      testId="print-preview"
      title={t('impression.title')}
      onClose={onClose}
      actions={
        <>
          <button ref={printRef} type="button" className="button button-primary" onClick={() => window.print()} data-testid="print-now">
            {t('impression.print')}
          </button>
          <button type="button" className="button" onClick={onClose} data-testid="print-close">
            {t('impression.close')}
          </button>
        </>
      }
    >
      <div className="print-paper" role="region" aria-label={t('impression.sheetLabel')} tabIndex={0}>
        <article className="print-sheet" data-testid="print-sheet">
          <p className="print-sheet-subject">{view.subject || t('courrier.noSubject')}</p>
          <table className="print-headers">
            <tbody>
              {rows.map((r) => (
                <tr key={r.testId} data-testid={r.testId}>
                  <th scope="row">{r.label}</th>
                  <td>{r.value}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {view.html !== null ? (
            <div className="print-body" ref={bodyRef} data-testid="print-body" />
          ) : (
            <pre className="print-body print-text" data-testid="print-body">
              {view.text}
            </pre>
          )}
        </article>
      </div>
    </PreviewDialog>,
    document.body,
  );
}
