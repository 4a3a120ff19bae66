/** « Réagir »: a reaction (J’aime, J’adore, Applaudir, Rire, Surprise) shown a few seconds on the sender's tile. */
import { useId, useRef, useState, type KeyboardEvent as ReactKeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import { MEET_REACTIONS, type MeetReaction } from '../../../../src/shared/meet-protocol';
import { Icon } from '../../components/icons';
import { useDismissOnOutside } from '../../components/common';
import type { MeetingSession, ShownReaction } from './session';

/** The French name of a reaction (what the button and the screen reader say). */
export function reactionLabel(t: TFunction, reaction: MeetReaction): string {
  switch (reaction) {
    case 'thumbsUp':
      return t('visio.reactions.thumbsUp');
    case 'heart':
      return t('visio.reactions.heart');
    case 'applause':
      return t('visio.reactions.applause');
    case 'laugh':
      return t('visio.reactions.laugh');
    case 'surprise':
      return t('visio.reactions.surprise');
  }
}

/** « Réagir » in the meeting's controls: opens the row of reactions, which stays open to react again (Échap closes). */
export function ReactionsButton({ session, disabled }: { session: MeetingSession; disabled: boolean }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const box = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  const barId = useId();
  useDismissOnOutside(box, open, () => setOpen(false));
  const onKeyDown = (event: ReactKeyboardEvent) => {
    if (event.key !== 'Escape' || !open) return;
    event.stopPropagation();
    setOpen(false);
    button.current?.focus();
  };
  return (
    <div className="visio-reactions" ref={box} onKeyDown={onKeyDown}>
      <button
        ref={button}
        type="button"
        className="button"
        aria-expanded={open}
        aria-controls={open ? barId : undefined}
        onClick={() => setOpen(!open)}
        disabled={disabled}
        data-testid="visio-react"
      >
        {t('visio.reactions.button')}
      </button>
      {open ? (
        <div className="visio-reactions-bar" id={barId} role="group" aria-label={t('visio.reactions.label')} data-testid="visio-reactions">
          {MEET_REACTIONS.map((reaction) => (
            <button
              key={reaction}
              type="button"
              className={`button visio-reaction-choice reaction-${reaction}`}
              title={reactionLabel(t, reaction)}
              aria-label={reactionLabel(t, reaction)}
              onClick={() => void session.react(reaction)}
              data-reaction={reaction}
            >
              <Icon name={reaction} />
            </button>
          ))}
        </div>
      ) : null}
    </div>
  );
}

/** The reaction on a tile (rendered with the reaction's key: a new reaction of the same person restarts the animation). */
export function ShownReactionBadge({ reaction }: { reaction: ShownReaction }) {
  const { t } = useTranslation();
  return (
    <span
      className={`visio-reaction-shown reaction-${reaction.reaction}`}
      role="img"
      aria-label={reactionLabel(t, reaction.reaction)}
      data-testid="visio-reaction-shown"
      data-reaction={reaction.reaction}
    >
      <Icon name={reaction.reaction} />
    </span>
  );
}

/** For screen readers: who reacted how (others' reactions only: one's own was just chosen). */
export function ReactionAnnouncer({ reactions }: { reactions: readonly ShownReaction[] }) {
  const { t } = useTranslation();
  const last = [...reactions].reverse().find((r) => !r.mine);
  return (
    <p className="visually-hidden" aria-live="polite" data-testid="visio-reaction-announcer">
      {last ? t('visio.reactions.announce', { name: last.name, reaction: reactionLabel(t, last.reaction) }) : ''}
    </p>
  );
}
