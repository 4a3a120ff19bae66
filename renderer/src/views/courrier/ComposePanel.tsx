/**
 * The composer: a dialog to write a new message, a reply, a forward, or to finish a draft of Brouillons. The draft is
 * saved every few seconds (locally at once, then in the server's Brouillons by the core); closing a message the
 * agent has written in asks « Enregistrer le brouillon ? ». Sent through the Boîte d'envoi.
 */
import { useCallback, useEffect, useId, useLayoutEffect, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { AccountSummary, OutgoingAttachment } from '../../../../src/shared/contract';
import { SendLaterButton } from './SendLaterDialog';
import { ApiCallError } from '../../api/client';
import { useClient } from '../../api/react';
import { Busy, ErrorAlert } from '../../components/common';
import { Icon } from '../../components/icons';
import { formatSize } from '../../lib/format';
import { formatClockTime, userTimeZone } from '../../../../src/shared/time';
import type { ComposeRequest } from './compose-request';
import { LARGE_ATTACHMENTS_BYTES, invalidRecipients, splitRecipients } from './compose-fields';
import { RecipientField } from './RecipientField';
import { LazyRichEditor as RichEditor, type RichEditorHandle } from './LazyRichEditor';
import { useApiQuery } from '../../api/react';
import { htmlToPlainText, textToHtml } from '../../../../src/shared/html-text';
import {
  composeFormatFor,
  lockedTemplateHtml,
  signatureBlock,
  signatureHtml,
  signatureSettings,
  signatureText,
  withLockedSignature,
} from '../../lib/signature';
import './compose.css';
import { displayFileName } from '../../lib/file-name';

interface Attachment extends OutgoingAttachment {
  size: number;
}

const DRAFT_INTERVAL_MS = 5000;

function readAsBase64(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).replace(/^data:[^,]*,/, ''));
    reader.onerror = () => reject(reader.error ?? new Error('read failed'));
    reader.readAsDataURL(file);
  });
}

export function ComposePanel({ accounts, request, onClose }: { accounts: AccountSummary[]; request: ComposeRequest; onClose(): void }) {
  const { t } = useTranslation();
  const client = useClient();
  const id = useId();
  const mode = request.mode ?? 'new';
  const [accountId, setAccountId] = useState(
    request.accountId && accounts.some((a) => a.id === request.accountId) ? request.accountId : accounts[0].id,
  );
  const [to, setTo] = useState(request.to ?? '');
  const [cc, setCc] = useState(request.cc ?? '');
  const [bcc, setBcc] = useState(request.bcc ?? '');
  const [showBcc, setShowBcc] = useState(Boolean(request.bcc));
  const [subject, setSubject] = useState(request.subject ?? '');
  const [text, setText] = useState(request.text ?? '');
  const [attachments, setAttachments] = useState<Attachment[]>(() =>
    (request.attachments ?? []).map(({ filename, contentBase64, size }) => ({ filename, contentBase64, size })),
  );
  const [threading, setThreading] = useState<{ inReplyTo: string | null; references: string[] }>({ inReplyTo: null, references: [] });
  const [preparing, setPreparing] = useState(mode !== 'new');
  const [error, setError] = useState<string | null>(null);
  const [sending, setSending] = useState(false);
  const [draftId, setDraftId] = useState<string | null>(null);
  const [savedAt, setSavedAt] = useState<string | null>(null);
  const dirty = useRef(false);
  /** The agent typed or attached something (the prefilled fields of a reply do not count). */
  const [edited, setEdited] = useState(false);
  const [confirmClose, setConfirmClose] = useState(false);
  const [closing, setClosing] = useState(false);
  const firstField = useRef<HTMLInputElement>(null);
  const panel = useRef<HTMLElement>(null);
  // The dialog takes the focus as it opens (before its fields are ready, when the settings still load): a key typed
  // at once (Échap, Ctrl+Entrée) reaches the dialog instead of the button that opened it. The first field takes the
  // focus from it once ready (below).
  useLayoutEffect(() => {
    if (panel.current && !panel.current.contains(document.activeElement)) panel.current.focus();
  }, []);
  const bodyField = useRef<HTMLTextAreaElement>(null);
  const editor = useRef<RichEditorHandle | null>(null);
  const settings = useApiQuery('settings.list', {});
  /** « Mise en forme » (HTML) or « Texte brut »; null until the settings and the prepared fields are known. */
  const [format, setFormat] = useState<'html' | 'text' | null>(null);
  const [initialHtml, setInitialHtml] = useState('');
  const prepared = useRef<{ html: string | null } | null>(mode === 'new' ? { html: null } : null);
  const [preparedTick, setPreparedTick] = useState(0);

  // Répondre / Transférer: fields prepared by the core from the stored original.
  useEffect(() => {
    // « Modifier » in the Boîte d'envoi: the scheduled message becomes a draft again, its fields come from the core.
    const fromOutbox = request.outboxId ? client.call('mail.outbox.edit', { id: request.outboxId }) : null;
    if (!fromOutbox && (mode === 'new' || !request.accountId || !request.folder || request.uid === undefined)) {
      setPreparing(false);
      return;
    }
    let current = true;
    (
      fromOutbox ??
      client.call('mail.compose.prepare', {
        accountId: request.accountId!,
        folder: request.folder!,
        uid: request.uid!,
        mode: mode as Exclude<typeof mode, 'new'>,
        timeZone: userTimeZone(),
      })
    ).then(
      (draft) => {
        if (!current) return;
        setTo(draft.to.join(', '));
        setCc(draft.cc.join(', '));
        setSubject(draft.subject);
        setText(draft.text);
        prepared.current = { html: draft.html };
        setPreparedTick((n) => n + 1);
        setBcc(draft.bcc.join(', '));
        if (draft.bcc.length) setShowBcc(true);
        setThreading({ inReplyTo: draft.inReplyTo, references: draft.references });
        if (draft.draftId) setDraftId(draft.draftId);
        setAttachments(draft.attachments.map((a) => ({ ...a, size: a.contentBase64 ? Math.floor((a.contentBase64.length * 3) / 4) : 0 })));
        setPreparing(false);
      },
      (err: unknown) => {
        if (!current) return;
        setError(err instanceof ApiCallError ? err.message : t('errors.unexpected'));
        // The agent can still write: an empty body in the chosen format.
        prepared.current = { html: null };
        setPreparedTick((n) => n + 1);
        setPreparing(false);
      },
    );
    return () => {
      current = false;
    };
  }, [client, mode, request.accountId, request.folder, request.uid, request.outboxId, t]);

  // Format and signature once the settings and the prepared fields are there: a plain-text original is answered in
  // plain text, a formatted one (or a new message) as the setting says; the signature goes above the quote.
  useEffect(() => {
    if (format !== null || !settings.data || !prepared.current) return;
    const setting = composeFormatFor(accountId, settings.data);
    const fromDraft = mode === 'draft';
    const html = prepared.current.html;
    const chosen = fromDraft ? (html !== null ? 'html' : 'text') : mode === 'new' || html !== null ? setting : 'text';
    const account = accounts.find((a) => a.id === accountId) ?? accounts[0];
    const signature = fromDraft ? '' : signatureHtml(account, signatureSettings(settings.data));
    if (chosen === 'html') {
      const body = html ?? (request.text ? textToHtml(request.text) : '<p></p>');
      const block = signatureBlock(signature);
      setInitialHtml(block ? body.replace(/^(<p><\/p>)?/, (first) => `${first || '<p></p>'}${block}`) : body);
    } else if (signature) {
      setText((current) => {
        const [head, ...rest] = current.split(/(?=\n\n)/);
        const sig = `\n\n${signatureText(signature)}`;
        return mode === 'new' && !request.text ? `\n${sig}` : `${head ?? ''}${sig}${rest.join('')}`;
      });
    }
    setFormat(chosen);
  }, [format, settings.data, preparedTick, mode, accounts, accountId, request.text]);

  useEffect(() => {
    if (preparing || format === null) return;
    if (mode === 'reply' || mode === 'replyAll') {
      if (format === 'html') editor.current?.focus(true);
      else {
        bodyField.current?.focus();
        bodyField.current?.setSelectionRange(0, 0);
      }
    } else firstField.current?.focus();
  }, [preparing, mode, format]);

  function switchFormat() {
    dirty.current = true;
    setEdited(true);
    if (format === 'html') {
      setText(htmlToPlainText(editor.current?.getHtml() ?? ''));
      setFormat('text');
    } else {
      setInitialHtml(textToHtml(text));
      setFormat('html');
    }
  }

  const fields = useCallback(
    () => ({
      accountId,
      to: splitRecipients(to),
      cc: splitRecipients(cc),
      bcc: splitRecipients(bcc),
      subject,
      ...(format === 'html' ? { text: '', html: editor.current?.getHtml() ?? '' } : { text }),
      inReplyTo: threading.inReplyTo,
      references: threading.references,
    }),
    [accountId, to, cc, bcc, subject, text, threading, format],
  );
  /** What a draft save sends: the fields and the attachments with their content (the server copy carries them). */
  const draftFields = useCallback(
    () => ({
      ...fields(),
      attachments: attachments.map(({ filename, contentBase64, contentType }) => ({ filename, contentBase64, contentType })),
    }),
    [fields, attachments],
  );

  // Local draft every few seconds while something changed.
  const latest = useRef(draftFields);
  latest.current = draftFields;
  const draftRef = useRef<string | null>(null);
  draftRef.current = draftId;
  const sendingRef = useRef(false);
  sendingRef.current = sending;
  useEffect(() => {
    const timer = setInterval(() => {
      if (!dirty.current || sendingRef.current) return;
      dirty.current = false;
      client.call('mail.draft.save', { ...latest.current(), ...(draftRef.current ? { id: draftRef.current } : {}) }).then(
        (saved) => {
          setDraftId(saved.id);
          setSavedAt(saved.savedAt);
        },
        () => {
          dirty.current = true;
        },
      );
    }, DRAFT_INTERVAL_MS);
    return () => clearInterval(timer);
  }, [client]);

  const change =
    <T,>(setter: (value: T) => void) =>
    (value: T) => {
      dirty.current = true;
      setEdited(true);
      setter(value);
    };

  const totalSize = attachments.reduce((sum, a) => sum + a.size, 0);

  async function addFiles(files: FileList | null) {
    if (!files) return;
    const added: Attachment[] = [];
    for (const file of Array.from(files)) {
      try {
        added.push({ filename: file.name, contentBase64: await readAsBase64(file), contentType: file.type || undefined, size: file.size });
      } catch {
        setError(t('compose.fileUnreadable', { name: file.name }));
      }
    }
    dirty.current = true;
    setEdited(true);
    setAttachments((list) => [...list, ...added]);
  }

  /** « Envoyer », or with `sendAt` « Envoyer plus tard » (the core keeps it in the Boîte d'envoi until then). */
  async function send(event?: FormEvent, sendAt?: string) {
    event?.preventDefault();
    if (sending) return;
    const f = fields();
    const invalid = invalidRecipients([...f.to, ...f.cc, ...f.bcc]);
    if (invalid.length) {
      setError(t('compose.invalidRecipients', { list: invalid.join(', ') }));
      return;
    }
    if (f.to.length + f.cc.length + f.bcc.length === 0) {
      setError(t('compose.noRecipient'));
      return;
    }
    setSending(true);
    setError(null);
    const account = accounts.find((x) => x.id === f.accountId) ?? accounts[0];
    const signed = withLockedSignature(f, lockedTemplateHtml(account, signatureSettings(settings.data)));
    try {
      await client.call('mail.send', {
        ...signed,
        attachments: attachments.map(({ filename, contentBase64, contentType }) => ({ filename, contentBase64, contentType })),
        ...(draftId ? { draftId } : {}),
        ...(sendAt ? { sendAt } : {}),
      });
      onClose();
    } catch (err) {
      setError(err instanceof ApiCallError ? err.message : t('errors.unexpected'));
      setSending(false);
    }
  }

  /** « Annuler » or Échap: nothing written closes at once; otherwise the agent chooses what becomes of the draft. */
  function cancel() {
    if (!edited) {
      onClose();
      return;
    }
    setConfirmClose(true);
  }

  async function keepDraft() {
    setClosing(true);
    try {
      await client.call('mail.draft.save', { ...draftFields(), ...(draftId ? { id: draftId } : {}) });
      onClose();
    } catch (err) {
      setConfirmClose(false);
      setClosing(false);
      setError(err instanceof ApiCallError ? err.message : t('errors.unexpected'));
    }
  }

  function discardDraft() {
    if (draftId) void client.call('mail.outbox.discard', { id: draftId }).catch(() => undefined);
    onClose();
  }

  function onKeyDown(event: KeyboardEvent) {
    if ((event.ctrlKey || event.metaKey) && event.key === 'Enter') {
      event.preventDefault();
      void send();
    } else if (event.key === 'Escape') {
      event.preventDefault();
      if (confirmClose) setConfirmClose(false);
      else cancel();
    }
  }

  const title =
    mode === 'draft'
      ? t('compose.titleDraft')
      : mode === 'reply' || mode === 'replyAll'
        ? t('compose.titleReply')
        : mode === 'forward' || mode === 'forwardAsAttachment'
          ? t('compose.titleForward')
          : t('compose.titleNew');

  return (
    <div className="compose-backdrop">
      <section
        className="compose-panel"
        role="dialog"
        aria-modal="true"
        aria-labelledby={`${id}-title`}
        data-testid="compose"
        ref={panel}
        tabIndex={-1}
        onKeyDown={onKeyDown}
      >
        <div className="compose-head">
          <h2 id={`${id}-title`}>{title}</h2>
          {savedAt ? (
            <span className="muted compose-saved" role="status">
              {t('compose.draftSaved', { time: formatClockTime(savedAt) })}
            </span>
          ) : null}
        </div>
        {preparing ? <Busy text={t('compose.preparing')} /> : null}
        <form className="compose-form" onSubmit={(e) => void send(e)} noValidate>
          <div className="compose-row">
            <label htmlFor={`${id}-from`}>{t('compose.from')}</label>
            <select
              id={`${id}-from`}
              value={accountId}
              onChange={(e) => change(setAccountId)(e.target.value)}
              disabled={accounts.length < 2}
            >
              {accounts.map((a) => (
                <option key={a.id} value={a.id}>
                  {a.name ? t('compose.fromOption', { name: a.name, email: a.email }) : a.email}
                </option>
              ))}
            </select>
          </div>
          <div className="compose-row">
            <label htmlFor={`${id}-to`}>{t('compose.to')}</label>
            <RecipientField
              id={`${id}-to`}
              inputRef={firstField}
              testId="compose-to"
              value={to}
              onChange={change(setTo)}
              describedBy={`${id}-recipients-hint`}
            />
          </div>
          <div className="compose-row">
            <label htmlFor={`${id}-cc`}>{t('compose.cc')}</label>
            <RecipientField id={`${id}-cc`} testId="compose-cc" value={cc} onChange={change(setCc)} />
            {!showBcc ? (
              <button type="button" className="link-button" onClick={() => setShowBcc(true)}>
                {t('compose.showBcc')}
              </button>
            ) : null}
          </div>
          {showBcc ? (
            <div className="compose-row">
              <label htmlFor={`${id}-bcc`}>{t('compose.bcc')}</label>
              <RecipientField id={`${id}-bcc`} testId="compose-bcc" value={bcc} onChange={change(setBcc)} />
            </div>
          ) : null}
          <p className="hint" id={`${id}-recipients-hint`}>
            {t('compose.recipientsHint')}
          </p>
          <div className="compose-row">
            <label htmlFor={`${id}-subject`}>{t('compose.subject')}</label>
            <input
              id={`${id}-subject`}
              type="text"
              data-testid="compose-subject"
              value={subject}
              onChange={(e) => change(setSubject)(e.target.value)}
            />
          </div>
          <div className="compose-body-head">
            <span id={`${id}-body-label`} className="visually-hidden">
              {t('compose.body')}
            </span>
            {format !== null ? (
              <button
                type="button"
                className="link-button compose-format-switch"
                onClick={switchFormat}
                data-testid="compose-format-switch"
              >
                {format === 'html' ? t('redaction.toPlainText') : t('redaction.toFormatted')}
              </button>
            ) : null}
          </div>
          {format === 'html' ? (
            <RichEditor
              initialHtml={initialHtml}
              labelledBy={`${id}-body-label`}
              handle={editor}
              focusAtStart={mode === 'reply' || mode === 'replyAll'}
              onChange={() => {
                dirty.current = true;
                setEdited(true);
              }}
              cleanHtml={(html) => client.call('mail.html.clean', { html }).then((r) => r.html)}
              onImageError={(name) => setError(t('compose.fileUnreadable', { name }))}
            />
          ) : format === 'text' ? (
            <>
              <label htmlFor={`${id}-body`} className="visually-hidden">
                {t('compose.body')}
              </label>
              <textarea
                id={`${id}-body`}
                ref={bodyField}
                className="compose-body"
                data-testid="compose-body"
                value={text}
                onChange={(e) => change(setText)(e.target.value)}
              />
            </>
          ) : null}
          <div className="compose-attachments">
            <label className="button button-quiet compose-attach">
              <Icon name="attachment" />
              {t('compose.attach')}
              <input
                type="file"
                multiple
                className="visually-hidden"
                data-testid="compose-file"
                onChange={(e) => {
                  void addFiles(e.target.files);
                  e.target.value = '';
                }}
              />
            </label>
            {attachments.length > 0 ? (
              <ul className="attachment-list" aria-label={t('compose.attachmentsLabel')}>
                {attachments.map((a, index) => (
                  <li key={`${a.filename}-${index}`} data-testid="compose-attachment">
                    <Icon name="file" />
                    <span className="attachment-name">{displayFileName(a.filename)}</span>
                    <span className="muted">{formatSize(a.size)}</span>
                    <button
                      type="button"
                      className="link-button"
                      aria-label={t('compose.removeAttachmentFor', { name: displayFileName(a.filename) })}
                      onClick={() => {
                        dirty.current = true;
                        setEdited(true);
                        setAttachments((list) => list.filter((_, i) => i !== index));
                      }}
                    >
                      {t('compose.removeAttachment')}
                    </button>
                  </li>
                ))}
              </ul>
            ) : null}
            {(request.problems ?? []).map((problem) => (
              <p key={problem} className="notice" role="status" data-testid="compose-launch-problem">
                <Icon name="warning" />
                {problem}
              </p>
            ))}
            {totalSize > LARGE_ATTACHMENTS_BYTES ? (
              <p className="notice compose-size-warning" role="status" data-testid="compose-size-warning">
                <Icon name="warning" />
                {t('compose.largeAttachments', { size: formatSize(totalSize) })}
              </p>
            ) : null}
          </div>
          {error ? <ErrorAlert message={error} testId="compose-error" /> : null}
          {confirmClose ? (
            <CloseConfirmation
              busy={closing}
              onKeep={() => void keepDraft()}
              onDiscard={discardDraft}
              onContinue={() => {
                setConfirmClose(false);
                if (format === 'html') editor.current?.focus();
                else bodyField.current?.focus();
              }}
            />
          ) : null}
          <div className="form-actions compose-actions" hidden={confirmClose}>
            <button
              type="submit"
              className="button button-primary"
              disabled={sending || preparing}
              data-testid="compose-send"
              title={t('compose.sendShortcut')}
            >
              {sending ? t('compose.sending') : t('compose.send')}
            </button>
            <SendLaterButton disabled={sending || preparing} onSchedule={(at) => void send(undefined, at)} />
            <button type="button" className="button" onClick={cancel} data-testid="compose-cancel">
              {t('compose.cancel')}
            </button>
          </div>
        </form>
      </section>
    </div>
  );
}

/** « Enregistrer le brouillon ? » when a written message is closed without being sent (Outlook asks the same). */
function CloseConfirmation({
  busy,
  onKeep,
  onDiscard,
  onContinue,
}: {
  busy: boolean;
  onKeep(): void;
  onDiscard(): void;
  onContinue(): void;
}) {
  const { t } = useTranslation();
  const id = useId();
  const keep = useRef<HTMLButtonElement>(null);
  useEffect(() => keep.current?.focus(), []);
  return (
    <div
      className="compose-confirm"
      role="alertdialog"
      aria-labelledby={`${id}-title`}
      aria-describedby={`${id}-text`}
      data-testid="compose-confirm-close"
    >
      <h3 id={`${id}-title`}>{t('compose.confirmClose.title')}</h3>
      <p id={`${id}-text`}>{t('compose.confirmClose.text')}</p>
      <div className="form-actions">
        <button
          ref={keep}
          type="button"
          className="button button-primary"
          disabled={busy}
          onClick={onKeep}
          data-testid="compose-keep-draft"
        >
          {t('compose.confirmClose.keep')}
        </button>
        <button type="button" className="button button-danger" disabled={busy} onClick={onDiscard} data-testid="compose-discard-draft">
          {t('compose.confirmClose.discard')}
        </button>
        <button type="button" className="button" disabled={busy} onClick={onContinue} data-testid="compose-continue">
          {t('compose.confirmClose.continue')}
        </button>
      </div>
    </div>
  );
}
