/**
 * The invitation carried by a message (iMIP text/calendar part, read by the core): the event in French,
 * « Accepter », « Peut-être », « Refuser » for a REQUEST, « Retirer de mon agenda » for a CANCEL, the
 * participant's answer for a REPLY (the core writes it in the organiser's event when the message is read).
 * The answer shown comes from the core (the stored event), so it survives reopening the message.
 */
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import type { InvitationAnswer, MessageInvitation, MessageView } from '../../../../src/shared/contract';
import { ApiCallError } from '../../api/client';
import { useClient } from '../../api/react';
import { ErrorAlert } from '../../components/common';
import { formatDayKey, formatWallSentenceTime } from '../../../../src/shared/time';
import './invitation.css';

/** « mardi 5 octobre 2027 » of a wall-clock date 'YYYY-MM-DD'. */
const longDay = (wall: string) => formatDayKey(wall, 'long');
/** « 14 h 30 » of a wall-clock time 'YYYY-MM-DDTHH:mm'. */
const sentenceTime = formatWallSentenceTime;

/** When the event takes place, in a French sentence (wall clock of the user's zone, as the core gives it). */
export function invitationWhen(inv: Pick<MessageInvitation, 'start' | 'end' | 'allDay'>, t: TFunction): string {
  if (!inv.start) return '';
  if (inv.allDay) {
    // DTEND of an all-day event is the day after its last day.
    const last = inv.end ? new Date(Date.parse(`${inv.end.slice(0, 10)}T12:00:00Z`) - 86_400_000).toISOString().slice(0, 10) : inv.start;
    if (last > inv.start.slice(0, 10)) return t('courrier.invitation.whenDays', { from: longDay(inv.start), to: longDay(last) });
    return t('courrier.invitation.whenAllDay', { day: longDay(inv.start) });
  }
  if (inv.end && inv.end.slice(0, 10) !== inv.start.slice(0, 10)) {
    return t('courrier.invitation.whenSpan', {
      startDay: longDay(inv.start),
      start: sentenceTime(inv.start),
      endDay: longDay(inv.end),
      end: sentenceTime(inv.end),
    });
  }
  return t('courrier.invitation.when', {
    day: longDay(inv.start),
    start: sentenceTime(inv.start),
    end: sentenceTime(inv.end || inv.start),
  });
}

function answerText(answer: InvitationAnswer, t: TFunction): string {
  if (answer === 'ACCEPTED') return t('courrier.invitation.youAccepted');
  if (answer === 'TENTATIVE') return t('courrier.invitation.youTentative');
  return t('courrier.invitation.youDeclined');
}

function replyText(name: string, status: string, t: TFunction): string {
  if (status === 'ACCEPTED') return t('courrier.invitation.replyAccepted', { name });
  if (status === 'TENTATIVE') return t('courrier.invitation.replyTentative', { name });
  if (status === 'DECLINED') return t('courrier.invitation.replyDeclined', { name });
  return t('courrier.invitation.replyOther', { name });
}

export function InvitationCard({ view, invitation, onChanged }: { view: MessageView; invitation: MessageInvitation; onChanged(): void }) {
  const { t } = useTranslation();
  const client = useClient();
  const [busy, setBusy] = useState<InvitationAnswer | 'remove' | null>(null);
  const [error, setError] = useState<string | null>(null);
  const inv = invitation;

  if (inv.problem) {
    return (
      <section className="invitation-card" aria-label={t('courrier.invitation.label')} data-testid="invitation-card" data-state="problem">
        <p className="invitation-problem" role="note" data-testid="invitation-problem">
          {inv.problem}
        </p>
      </section>
    );
  }

  const run = (what: InvitationAnswer | 'remove', call: () => Promise<unknown>) => {
    setBusy(what);
    setError(null);
    call().then(
      () => {
        setBusy(null);
        onChanged();
      },
      (err: unknown) => {
        setBusy(null);
        setError(err instanceof ApiCallError ? err.message : t('courrier.invitation.failed'));
      },
    );
  };
  const answer = (response: InvitationAnswer) =>
    run(response, () =>
      client.call('calendar.respondToInvitation', { accountId: view.accountId, ics: inv.ics, response, messageId: view.messageId }),
    );
  const remove = () =>
    run('remove', () => client.call('calendar.removeCancelled', { accountId: view.accountId, ics: inv.ics, messageId: view.messageId }));

  const when = invitationWhen(inv, t);
  // The name written in the invitation is the sender's choice: on a refused one, the address is what counts.
  const organizer = inv.organizer ? (inv.refusal ? inv.organizer.address : inv.organizer.name || inv.organizer.address) : '';
  const title = inv.summary || t('courrier.invitation.untitled');
  const state = inv.method === 'REQUEST' ? (inv.myAnswer ?? 'waiting') : inv.method === 'CANCEL' ? 'cancelled' : 'reply';

  return (
    <section
      className="invitation-card"
      aria-label={t('courrier.invitation.label')}
      data-testid="invitation-card"
      data-state={state}
      data-method={inv.method}
    >
      <p className="invitation-kicker">
        {inv.method === 'REQUEST'
          ? t('courrier.invitation.request')
          : inv.method === 'CANCEL'
            ? t('courrier.invitation.cancelled')
            : t('courrier.invitation.answer')}
      </p>
      <h3 className="invitation-title" data-testid="invitation-title">
        {title}
      </h3>
      <dl className="invitation-facts">
        {when ? (
          <>
            <dt>{t('courrier.invitation.whenLabel')}</dt>
            <dd data-testid="invitation-when">{when}</dd>
          </>
        ) : null}
        {inv.location ? (
          <>
            <dt>{t('courrier.invitation.place')}</dt>
            <dd data-testid="invitation-place">{inv.location}</dd>
          </>
        ) : null}
        {organizer && inv.method !== 'REPLY' ? (
          <>
            <dt>{t('courrier.invitation.organizer')}</dt>
            <dd title={inv.organizer?.address}>{organizer}</dd>
          </>
        ) : null}
        {inv.meetingUrl ? (
          <>
            <dt>{t('courrier.invitation.visio')}</dt>
            <dd className="invitation-link" data-testid="invitation-visio">
              {inv.meetingUrl}
            </dd>
          </>
        ) : null}
      </dl>

      {inv.authWarning ? (
        <p className="invitation-warning" role="note" data-testid="invitation-auth-warning">
          {inv.authWarning}
        </p>
      ) : null}
      {inv.refusal ? (
        <p className="invitation-warning" role="note" data-testid="invitation-refusal">
          {inv.refusal}
        </p>
      ) : null}

      {inv.method === 'REQUEST' && !inv.refusal ? (
        <>
          {inv.myAnswer ? (
            <p className="invitation-status" role="status" data-testid="invitation-status">
              {answerText(inv.myAnswer, t)}
            </p>
          ) : (
            <p className="invitation-question">{t('courrier.invitation.question')}</p>
          )}
          <div className="invitation-actions" role="group" aria-label={t('courrier.invitation.answersLabel')}>
            {(['ACCEPTED', 'TENTATIVE', 'DECLINED'] as const).map((response) => (
              <button
                key={response}
                type="button"
                className={response === 'ACCEPTED' && !inv.myAnswer ? 'button button-primary' : 'button'}
                aria-pressed={inv.myAnswer === response}
                disabled={busy !== null}
                data-testid={`invitation-${response.toLowerCase()}`}
                onClick={() => answer(response)}
              >
                {response === 'ACCEPTED'
                  ? t('courrier.invitation.accept')
                  : response === 'TENTATIVE'
                    ? t('courrier.invitation.tentative')
                    : t('courrier.invitation.decline')}
              </button>
            ))}
          </div>
          {busy ? (
            <p className="muted" role="status">
              {t('courrier.invitation.sending')}
            </p>
          ) : null}
        </>
      ) : null}

      {inv.method === 'CANCEL' && !inv.refusal ? (
        <>
          <p className="invitation-status" role="status" data-testid="invitation-status">
            {inv.inAgenda ? t('courrier.invitation.cancelledInAgenda') : t('courrier.invitation.cancelledGone')}
          </p>
          {inv.inAgenda ? (
            <div className="invitation-actions">
              <button type="button" className="button" disabled={busy !== null} data-testid="invitation-remove" onClick={remove}>
                {t('courrier.invitation.remove')}
              </button>
            </div>
          ) : null}
        </>
      ) : null}

      {inv.method === 'REPLY' && inv.reply && !inv.refusal ? (
        <>
          <p className="invitation-status" role="status" data-testid="invitation-status">
            {replyText(inv.reply.name || inv.reply.email, inv.reply.status, t)}
          </p>
          <p className="muted" data-testid="invitation-reply-note">
            {inv.reply.applied
              ? t('courrier.invitation.replyNoted')
              : inv.reply.superseded
                ? t('courrier.invitation.replySuperseded')
                : t('courrier.invitation.replyNotInAgenda')}
          </p>
        </>
      ) : null}
      {error ? <ErrorAlert message={error} testId="invitation-error" /> : null}
    </section>
  );
}
