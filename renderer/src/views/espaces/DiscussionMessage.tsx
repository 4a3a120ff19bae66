/**
 * One message of a space's Discussion with its actions: « Répondre » (XEP-0461), and on the agent's own messages
 * « Modifier » (XEP-0308) and « Supprimer » (XEP-0424). The text is shown as text (React escapes it): HTML in a
 * message is never interpreted. A correction or deletion from anyone else than the sender never reaches this view (the
 * core ignores it). The sender is shown as the name the agent's contacts give its address (the address the room
 * named, never a name from the message).
 */
import { useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { ChatMessage } from '../../../../src/shared/contract';
import { ApiCallError } from '../../api/client';
import { useClient } from '../../api/react';
import { ErrorAlert } from '../../components/common';
import { FileCard } from './ChatFiles';
import { Person, usePersonName } from '../../people';

const time = new Intl.DateTimeFormat('fr-FR', { dateStyle: 'short', timeStyle: 'short' });

/** The quoted message a reply answers (above the reply, and above the composer while answering). */
export function ReplyQuote({ reply }: { reply: NonNullable<ChatMessage['replyTo']> }) {
  const { t } = useTranslation();
  const text = reply.retracted
    ? t('espacesDiscussion.quoteRetracted')
    : reply.text === null
      ? t('espacesDiscussion.quoteUnknown')
      : reply.text;
  return (
    <blockquote className="discussion-quote" data-testid="message-quote">
      {reply.from ? (
        <Person address={reply.from} className="discussion-quote-from" />
      ) : (
        <span className="discussion-quote-from">{t('espacesDiscussion.quoteUnknownSender')}</span>
      )}
      <span className="discussion-quote-text">{text}</span>
    </blockquote>
  );
}

export function DiscussionMessage({
  message: m,
  me,
  onReply,
  onChanged,
}: {
  message: ChatMessage;
  /** The agent's own address: its messages get « Modifier » and « Supprimer ». */
  me: string | null;
  onReply: (m: ChatMessage) => void;
  onChanged: () => void;
}) {
  const { t } = useTranslation();
  const client = useClient();
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState(m.text);
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const editId = useId();
  const from = usePersonName()(m.from);
  // A pending message (not confirmed by the server yet) gets the same actions as once sent, kept invisible and out of
  // reach: its row has its final height from the start, so that the rows above do not move under the pointer when
  // the server confirms it (the list is kept at its newest message).
  const mine = me !== null && m.from === me && !m.retracted;

  const run = async (call: () => Promise<unknown>, done: () => void) => {
    setBusy(true);
    setProblem(null);
    try {
      await call();
      done();
      onChanged();
    } catch (err) {
      setProblem(err instanceof ApiCallError ? err.message : t('errors.unexpected'));
    } finally {
      setBusy(false);
    }
  };
  const save = (e: FormEvent) => {
    e.preventDefault();
    if (!draft.trim() || draft === m.text) return setEditing(false);
    void run(
      () => client.call('chat.edit', { workspaceId: m.workspaceId, messageId: m.id, text: draft }),
      () => setEditing(false),
    );
  };
  const remove = () =>
    void run(
      () => client.call('chat.retract', { workspaceId: m.workspaceId, messageId: m.id }),
      () => setConfirming(false),
    );

  return (
    <li
      className={`discussion-message${m.mentionsMe ? ' discussion-mention' : ''}${m.pending ? ' discussion-pending' : ''}${m.retracted ? ' discussion-retracted' : ''}`}
      data-testid="discussion-message"
      data-pending={m.pending}
      data-mention={m.mentionsMe}
      data-retracted={m.retracted}
    >
      <Person address={m.from} className="discussion-from" />
      <time className="discussion-time" dateTime={m.sentAt}>
        {time.format(new Date(m.sentAt))}
      </time>
      {/* On the line of the sender and time, which is there anyway: confirmed, the row keeps its height. */}
      {m.pending ? (
        <span className="discussion-state" data-testid="message-pending">
          {t('espaces.pending')}
        </span>
      ) : null}
      {m.replyTo && !m.retracted ? <ReplyQuote reply={m.replyTo} /> : null}
      {m.retracted ? (
        <p className="discussion-text discussion-removed" data-testid="message-retracted">
          {t('espacesDiscussion.retracted')}
        </p>
      ) : editing ? (
        <form className="discussion-form discussion-edit" onSubmit={save}>
          <label htmlFor={editId} className="visually-hidden">
            {t('espacesDiscussion.editLabel')}
          </label>
          <input id={editId} value={draft} onChange={(e) => setDraft(e.target.value)} data-testid="message-edit-input" autoFocus />
          <button type="submit" className="button button-primary" disabled={busy || !draft.trim()} data-testid="message-edit-save">
            {t('espacesDiscussion.save')}
          </button>
          <button
            type="button"
            className="button"
            onClick={() => {
              setEditing(false);
              setDraft(m.text);
            }}
          >
            {t('common.cancel')}
          </button>
        </form>
      ) : m.file ? (
        <FileCard file={m.file} target={{ workspaceId: m.workspaceId }} />
      ) : (
        <p className="discussion-text">{m.text}</p>
      )}
      {m.editedAt && !m.retracted ? (
        <span className="discussion-state" data-testid="message-edited">
          {t('espacesDiscussion.edited')}
        </span>
      ) : null}
      {m.mentionsMe && !m.retracted ? <span className="discussion-state">{t('espacesSuivi.mentionsYou')}</span> : null}
      {!m.retracted && !editing ? (
        <div
          className={`discussion-actions${m.pending ? ' discussion-actions-waiting' : ''}`}
          data-testid="message-actions"
          aria-hidden={m.pending || undefined}
          inert={m.pending}
        >
          <button
            type="button"
            className="button"
            onClick={() => onReply(m)}
            aria-label={t('espacesDiscussion.replyLabel', { from })}
            data-testid="message-reply"
          >
            {t('espacesDiscussion.reply')}
          </button>
          {mine ? (
            <>
              {m.file ? null : (
                <button
                  type="button"
                  className="button"
                  onClick={() => {
                    setDraft(m.text);
                    setEditing(true);
                  }}
                  data-testid="message-edit"
                >
                  {t('espacesDiscussion.edit')}
                </button>
              )}
              {confirming ? (
                <>
                  <button
                    type="button"
                    className="button button-danger"
                    disabled={busy}
                    onClick={remove}
                    data-testid="message-delete-confirm"
                  >
                    {t('espacesDiscussion.deleteConfirm')}
                  </button>
                  <button type="button" className="button" onClick={() => setConfirming(false)}>
                    {t('common.cancel')}
                  </button>
                </>
              ) : (
                <button type="button" className="button" onClick={() => setConfirming(true)} data-testid="message-delete">
                  {t('espacesDiscussion.delete')}
                </button>
              )}
            </>
          ) : null}
        </div>
      ) : null}
      {problem ? <ErrorAlert message={problem} /> : null}
    </li>
  );
}
