/**
 * Reading pane of Courrier: headers, remote-content bar, attachments and the body.
 *
 * The HTML body, already sanitised by the core, is shown in `<iframe sandbox srcdoc>` whose
 * document has its own strict CSP (see reader-document.ts). The sandbox allows no script, no same
 * origin, no navigation of the frame or of the app, no form; only new windows: the core gives every
 * link `target="_blank" rel="noopener noreferrer"`, so a click opens the address in a new browser
 * window (the system browser in browser mode; the Electron shell must route new windows to
 * shell.openExternal), never in the app. The real address shows on hover (the link's title).
 */
import { lazy, Suspense, useCallback, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { DiscussButton } from '../espaces/discuss';
import type { TFunction } from 'i18next';
import type { Address, MessagePartInfo, MessageView, RemoteContentScope } from '../../../../src/shared/contract';
import { ApiCallError } from '../../api/client';
import { useApiQuery, useClient } from '../../api/react';
import { Busy, ErrorAlert } from '../../components/common';
import { Icon } from '../../components/icons';
import { formatNumber, formatSize } from '../../lib/format';
import { formatClockTime, formatLongDate } from '../../../../src/shared/time';
import { attachmentKind, readerSrcdoc, type AttachmentKind } from './reader-document';
import { InvitationCard } from './InvitationCard';
import MessagePrint from './MessagePrint';
import { previewImageType } from './preview-types';
import './reader.css';
import { displayFileName } from '../../lib/file-name';

/** Recipients shown before « et N autres ». */
const SHOWN_RECIPIENTS = 20;

export function MessageReader({
  accountId,
  folder,
  uid,
  onBack,
  actions,
}: {
  accountId: string;
  folder: string;
  uid: number;
  /** Back to the list: only shown when the window is too narrow for both (one pane at a time). */
  onBack?: () => void;
  /** « Répondre », « Transférer »…: under the subject, as in Outlook's reading pane (also for a search result). */
  actions?: ReactNode;
}) {
  const { t } = useTranslation();
  const message = useApiQuery('mail.message', { accountId, folder, uid });
  const view = message.data;
  return (
    <section className="reader-pane" aria-labelledby="reader-subject" data-testid="reader">
      {onBack ? (
        <button type="button" className="button reader-back" data-testid="reader-back" onClick={onBack}>
          <Icon name="back" />
          {t('accessibilite.backToList')}
        </button>
      ) : null}
      {message.error ? <ErrorAlert message={message.error.message} testId="reader-error" /> : null}
      {message.loading && !view ? <Busy text={t('courrier.reader.loading')} /> : null}
      {view && view.uid === uid ? <MessageContent view={view} onAllowed={message.reload} actions={actions} /> : null}
    </section>
  );
}

function MessageContent({ view, onAllowed, actions }: { view: MessageView; onAllowed(): void; actions?: ReactNode }) {
  const { t } = useTranslation();
  const date = view.date ? t('courrier.reader.dateLine', { date: formatLongDate(view.date), time: formatClockTime(view.date) }) : '';
  const files = view.attachments.filter((a) => !a.inline || !view.html);
  const [printing, setPrinting] = useState<HTMLElement | null>(null);
  return (
    <>
      <div className="reader-title">
        <h2 id="reader-subject" className="reader-subject" data-testid="reader-subject">
          {view.subject || t('courrier.noSubject')}
        </h2>
        <button type="button" className="button button-quiet" data-testid="message-print" onClick={(e) => setPrinting(e.currentTarget)}>
          {t('impression.open')}
        </button>
      </div>
      {actions ? <div className="reader-actions">{actions}</div> : null}
      {printing ? (
        <MessagePrint
          view={view}
          onClose={() => {
            printing.focus();
            setPrinting(null);
          }}
        />
      ) : null}
      <dl className="reader-headers" data-testid="reader-headers">
        <dt>{t('courrier.reader.from')}</dt>
        <dd>
          {view.from ? <AddressText address={view.from} /> : t('courrier.unknownSender')}
          {view.from?.address ? (
            <DiscussButton
              emails={[view.from.address]}
              name={view.from.name || view.from.address}
              className="button button-quiet reader-discuss"
            />
          ) : null}
        </dd>
        {view.to.length > 0 ? (
          <>
            <dt>{t('courrier.reader.to')}</dt>
            <dd>
              <AddressList list={view.to} />
            </dd>
          </>
        ) : null}
        {view.cc.length > 0 ? (
          <>
            <dt>{t('courrier.reader.cc')}</dt>
            <dd>
              <AddressList list={view.cc} />
            </dd>
          </>
        ) : null}
        {date ? (
          <>
            <dt>{t('courrier.reader.date')}</dt>
            <dd>
              <time dateTime={view.date ?? undefined}>{date}</time>
            </dd>
          </>
        ) : null}
      </dl>
      {view.notice ? (
        <p className="reader-notice" role="note" data-testid="reader-notice">
          {view.notice}
        </p>
      ) : null}
      {view.hasRemoteContent && !view.remoteContentAllowed ? <RemoteContentBar view={view} onAllowed={onAllowed} /> : null}
      {view.invitation ? <InvitationCard view={view} invitation={view.invitation} onChanged={onAllowed} /> : null}
      {files.length > 0 ? <AttachmentList view={view} attachments={files} /> : null}
      <div className="reader-body">
        {view.html !== null ? (
          <iframe
            className="reader-frame"
            title={t('courrier.reader.frameTitle')}
            sandbox="allow-popups allow-popups-to-escape-sandbox"
            referrerPolicy="no-referrer"
            srcDoc={readerSrcdoc(view.html, view.remoteContentAllowed)}
            data-testid="reader-frame"
            data-remote-allowed={view.remoteContentAllowed ? 'true' : 'false'}
          />
        ) : (
          <pre className="reader-text" data-testid="reader-text">
            {view.text}
          </pre>
        )}
      </div>
      {view.html !== null ? <p className="reader-link-hint">{t('courrier.reader.linkHint')}</p> : null}
    </>
  );
}

function AddressText({ address }: { address: Address }) {
  const { t } = useTranslation();
  if (!address.name) return <span>{address.address}</span>;
  return (
    <span title={address.address}>
      {address.name} <span className="reader-address">{t('courrier.reader.addressInBrackets', { address: address.address })}</span>
    </span>
  );
}

function AddressList({ list }: { list: Address[] }) {
  const { t } = useTranslation();
  const [all, setAll] = useState(false);
  const shown = all ? list : list.slice(0, SHOWN_RECIPIENTS);
  return (
    <>
      {shown.map((a, i) => (
        <span key={`${a.address}-${i}`}>
          {i > 0 ? t('courrier.reader.listSeparator') : null}
          <AddressText address={a} />
        </span>
      ))}
      {list.length > shown.length ? (
        <>
          {t('courrier.reader.listSeparator')}
          <button type="button" className="link-button" onClick={() => setAll(true)}>
            {t('courrier.reader.moreRecipients', { count: list.length - shown.length, shown: formatNumber(list.length - shown.length) })}
          </button>
        </>
      ) : null}
    </>
  );
}

function RemoteContentBar({ view, onAllowed }: { view: MessageView; onAllowed(): void }) {
  const { t } = useTranslation();
  const client = useClient();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const allow = (scope: RemoteContentScope) => {
    setBusy(true);
    setError(null);
    client.call('mail.allowRemoteContent', { accountId: view.accountId, folder: view.folder, uid: view.uid, scope }).then(
      () => {
        setBusy(false);
        onAllowed();
      },
      (err: unknown) => {
        setBusy(false);
        setError(err instanceof ApiCallError ? err.message : t('errors.unexpected'));
      },
    );
  };
  return (
    <div className="reader-remote-bar" role="region" aria-label={t('courrier.reader.remoteLabel')} data-testid="remote-content-bar">
      <p>{t('courrier.reader.remoteBlocked')}</p>
      <button type="button" className="button" disabled={busy} onClick={() => allow('message')}>
        {t('courrier.reader.showImages')}
      </button>
      {view.from?.address ? (
        <button type="button" className="button" disabled={busy} onClick={() => allow('sender')}>
          {t('courrier.reader.alwaysForSender')}
        </button>
      ) : null}
      {error ? <ErrorAlert message={error} /> : null}
    </div>
  );
}

/** French name of a kind of file (literal keys, so that the i18n check sees them). */
function kindLabel(kind: AttachmentKind, t: TFunction): string {
  switch (kind) {
    case 'image':
      return t('courrier.reader.kind.image');
    case 'pdf':
      return t('courrier.reader.kind.pdf');
    case 'document':
      return t('courrier.reader.kind.document');
    case 'spreadsheet':
      return t('courrier.reader.kind.spreadsheet');
    case 'presentation':
      return t('courrier.reader.kind.presentation');
    case 'archive':
      return t('courrier.reader.kind.archive');
    case 'text':
      return t('courrier.reader.kind.text');
    case 'audio':
      return t('courrier.reader.kind.audio');
    case 'video':
      return t('courrier.reader.kind.video');
    case 'message':
      return t('courrier.reader.kind.message');
    case 'calendar':
      return t('courrier.reader.kind.calendar');
    default:
      return t('courrier.reader.kind.other');
  }
}

/** « Enregistrer »: the core gives the attachment's bytes; the browser saves them under the attachment's name. */
async function saveAttachment(client: ReturnType<typeof useClient>, view: MessageView, part: MessagePartInfo): Promise<void> {
  const file = await client.call('mail.attachment', { accountId: view.accountId, folder: view.folder, uid: view.uid, partId: part.id });
  const bytes = Uint8Array.from(atob(file.contentBase64), (c) => c.charCodeAt(0));
  const url = URL.createObjectURL(new Blob([bytes], { type: file.mimeType }));
  const link = document.createElement('a');
  link.href = url;
  // Saved without bidirectional controls: « facture\u202Efdp.js » must not read « facturesj.pdf » in the file manager.
  link.download = displayFileName(file.filename);
  link.rel = 'noopener';
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

const PdfPreview = lazy(() => import('./PdfPreview'));
const FilePreview = lazy(() => import('./FilePreview'));

/** What « Aperçu » shows for an attachment: a PDF, an image, a text, or nothing (saved only). */
function previewOf(kind: AttachmentKind, part: MessagePartInfo): { kind: 'pdf' | 'image' | 'text'; imageType: string | null } | null {
  if (kind === 'pdf') return { kind: 'pdf', imageType: null };
  if (kind === 'text') return { kind: 'text', imageType: null };
  const imageType = kind === 'image' ? previewImageType(part.mimeType, part.filename) : null;
  return imageType ? { kind: 'image', imageType } : null;
}

function AttachmentList({ view, attachments }: { view: MessageView; attachments: MessagePartInfo[] }) {
  const { t } = useTranslation();
  const client = useClient();
  const [error, setError] = useState<string | null>(null);
  const [preview, setPreview] = useState<{
    part: MessagePartInfo;
    name: string;
    kind: 'pdf' | 'image' | 'text';
    imageType: string | null;
    opener: HTMLElement | null;
  } | null>(null);
  const loadPreview = useCallback(async () => {
    if (!preview) throw new Error('no preview');
    const file = await client.call('mail.attachment', {
      accountId: view.accountId,
      folder: view.folder,
      uid: view.uid,
      partId: preview.part.id,
    });
    return Uint8Array.from(atob(file.contentBase64), (c) => c.charCodeAt(0));
  }, [client, preview, view.accountId, view.folder, view.uid]);
  return (
    <>
      <ul
        className="reader-attachments"
        aria-label={t('courrier.reader.attachments', { count: attachments.length })}
        data-testid="reader-attachments"
      >
        {attachments.map((a) => {
          const kind = attachmentKind(a);
          const name = a.filename ? displayFileName(a.filename) : t('courrier.reader.unnamedAttachment');
          const shown = previewOf(kind, a);
          return (
            <li key={a.id} className="reader-attachment" data-testid="reader-attachment">
              <Icon name={kind === 'other' ? 'attachment' : 'file'} />
              <span className="reader-attachment-name">{name}</span>
              <span className="reader-attachment-kind">{kindLabel(kind, t)}</span>
              <span className="muted">{formatSize(a.size)}</span>
              {shown ? (
                <button
                  type="button"
                  className="button"
                  aria-label={t('apercu.openFor', { name })}
                  data-testid="attachment-preview"
                  onClick={(e) => setPreview({ part: a, name, ...shown, opener: e.currentTarget })}
                >
                  {t('apercu.open')}
                </button>
              ) : null}
              <button
                type="button"
                className="button reader-attachment-save"
                aria-label={t('courrier.reader.saveAttachment', { name })}
                data-testid="attachment-save"
                onClick={() => {
                  setError(null);
                  saveAttachment(client, view, a).catch((err: unknown) =>
                    setError(err instanceof ApiCallError ? err.message : t('courrier.reader.saveFailed')),
                  );
                }}
              >
                {t('courrier.reader.save')}
              </button>
            </li>
          );
        })}
      </ul>
      {error ? <ErrorAlert message={error} testId="attachment-error" /> : null}
      {preview ? (
        <Suspense fallback={<Busy text={t('apercu.loading')} />}>
          {preview.kind === 'pdf' ? (
            <PdfPreview
              name={preview.name}
              load={loadPreview}
              onClose={() => {
                preview.opener?.focus();
                setPreview(null);
              }}
            />
          ) : (
            <FilePreview
              kind={preview.kind}
              name={preview.name}
              imageType={preview.imageType}
              load={loadPreview}
              onClose={() => {
                preview.opener?.focus();
                setPreview(null);
              }}
            />
          )}
        </Suspense>
      ) : null}
    </>
  );
}
