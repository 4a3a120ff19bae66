/**
 * Moderation in the meeting, apart from the participant menu (ParticipantMenu.tsx):
 *  - ModerationTools: « Verrouiller la réunion » and « Terminer pour tous » for organisers, « Réunion verrouillée »
 *    for everyone;
 *  - ModerationNoticeBanner: what an organiser just did to us (« Camille a coupé votre micro… »);
 *  - moderationLine / ModerationChatLine: the system lines of the meeting's messages (« Camille a coupé le micro
 *    de Jean. »).
 */
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ModerationEvent } from '../../../../src/shared/meet-protocol';
import type { MeetingSession, MeetingState } from './session';

export function ModerationTools({ session, state }: { session: MeetingSession; state: MeetingState }) {
  const { t } = useTranslation();
  const [confirming, setConfirming] = useState(false);
  const [failed, setFailed] = useState(false);
  const organiser = state.role === 'organiser' && state.phase === 'joined';
  const attempt = async (action: () => Promise<void>) => {
    setFailed(false);
    try {
      await action();
    } catch {
      setFailed(true);
    }
  };
  if (!organiser)
    return state.locked ? (
      <span className="visio-locked" data-testid="visio-locked">
        {t('visio.moderation.locked')}
      </span>
    ) : null;
  return (
    <div className="visio-moderation" role="group" aria-label={t('visio.moderation.tools')} data-testid="visio-moderation">
      {state.locked ? (
        <span className="visio-locked" data-testid="visio-locked">
          {t('visio.moderation.locked')}
        </span>
      ) : null}
      <button
        type="button"
        className="button button-small"
        aria-pressed={state.locked}
        title={t('visio.moderation.lockHint')}
        onClick={() => void attempt(() => session.setLocked(!state.locked))}
        data-testid="visio-lock"
      >
        {state.locked ? t('visio.moderation.unlock') : t('visio.moderation.lock')}
      </button>
      {confirming ? (
        <span className="visio-end-confirm" role="alertdialog" aria-label={t('visio.moderation.endForAll')} data-testid="visio-end-confirm">
          <span>{t('visio.moderation.endConfirm')}</span>
          <button
            type="button"
            className="button button-small button-danger"
            onClick={() => void attempt(() => session.endMeeting())}
            data-testid="visio-end-confirm-yes"
          >
            {t('visio.moderation.endForAll')}
          </button>
          <button type="button" className="button button-small" onClick={() => setConfirming(false)}>
            {t('common.cancel')}
          </button>
        </span>
      ) : (
        <button type="button" className="button button-small button-danger" onClick={() => setConfirming(true)} data-testid="visio-end-all">
          {t('visio.moderation.endForAll')}
        </button>
      )}
      {failed ? (
        <span className="field-error" role="alert">
          {t('visio.moderation.failed')}
        </span>
      ) : null}
    </div>
  );
}

export function ModerationNoticeBanner({ session, state }: { session: MeetingSession; state: MeetingState }) {
  const { t } = useTranslation();
  const notice = state.moderationNotice;
  if (!notice || state.phase !== 'joined') return null;
  return (
    <div className="alert alert-warning visio-banner" role="status" data-testid="visio-moderation-notice" data-action={notice.action}>
      <p>
        {notice.action === 'microMuted'
          ? t('visio.moderation.notice.microMuted', { by: notice.by })
          : notice.action === 'cameraStopped'
            ? t('visio.moderation.notice.cameraStopped', { by: notice.by })
            : t('visio.moderation.notice.madeOrganiser', { by: notice.by })}
      </p>
      <div className="form-actions">
        {notice.action === 'microMuted' && !state.micOn ? (
          <button type="button" className="button button-primary" onClick={() => void session.setMicro(true)} data-testid="visio-unmute-me">
            {t('visio.moderation.unmuteMe')}
          </button>
        ) : null}
        <button type="button" className="button" onClick={() => session.dismissModerationNotice()}>
          {t('common.close')}
        </button>
      </div>
    </div>
  );
}

/** The French system line of a moderation act. */
export function moderationLine(t: (key: string, options?: Record<string, string>) => string, event: ModerationEvent): string {
  const o = { by: event.by.name, target: event.target?.name ?? '' };
  switch (event.action) {
    case 'microMuted':
      return t('visio.moderation.line.microMuted', o);
    case 'cameraStopped':
      return t('visio.moderation.line.cameraStopped', o);
    case 'removed':
      return t('visio.moderation.line.removed', o);
    case 'madeOrganiser':
      return t('visio.moderation.line.madeOrganiser', o);
    case 'locked':
      return t('visio.moderation.line.locked', o);
    case 'unlocked':
      return t('visio.moderation.line.unlocked', o);
  }
}

export function ModerationChatLine({ event, time }: { event: ModerationEvent; time: string }) {
  const { t } = useTranslation();
  return (
    <li className="visio-chat-system" data-testid="visio-chat-system" data-action={event.action}>
      <span className="visio-chat-meta">{time}</span>
      <span className="visio-chat-text">{moderationLine(t, event)}</span>
    </li>
  );
}
