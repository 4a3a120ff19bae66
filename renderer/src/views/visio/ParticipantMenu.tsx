/**
 * The organiser's « Actions » menu on a participant of the « Participants » panel: couper le micro, arrêter la
 * caméra, ajouter aux organisateurs, retirer de la réunion. Shown to organisers only; the server checks the role
 * again on every request. It opens inline under the participant's name (never clipped by the scrolling list).
 */
import { useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { PeerInfo } from '../../../../src/shared/meet-protocol';
import type { MeetingSession, MeetingState } from './session';
import { useDismissOnOutside } from '../../components/common';

type Action = 'muteMicro' | 'stopCamera' | 'makeOrganiser' | 'remove';

/** What an organiser may do to `peer` right now. */
export function participantActions(peer: PeerInfo): Action[] {
  const actions: Action[] = [];
  if (peer.micro) actions.push('muteMicro');
  if (peer.camera) actions.push('stopCamera');
  if (peer.role !== 'organiser' && peer.guest !== true) actions.push('makeOrganiser');
  actions.push('remove');
  return actions;
}

export function ParticipantMenu({ session, state, peer }: { session: MeetingSession; state: MeetingState; peer: PeerInfo }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const [failed, setFailed] = useState(false);
  const menuId = useId();
  const triggerRef = useRef<HTMLButtonElement>(null);
  const menuRef = useRef<HTMLDivElement>(null);

  const rootRef = useRef<HTMLDivElement>(null);
  useDismissOnOutside(rootRef, open, () => setOpen(false));
  useEffect(() => {
    if (open) menuRef.current?.querySelector<HTMLButtonElement>('[role="menuitem"]')?.focus();
  }, [open]);

  if (state.role !== 'organiser' || state.phase !== 'joined') return null;

  const run = async (action: Action) => {
    setOpen(false);
    setFailed(false);
    try {
      if (action === 'muteMicro') await session.mutePeer(peer.peerId, 'micro');
      else if (action === 'stopCamera') await session.mutePeer(peer.peerId, 'camera');
      else if (action === 'makeOrganiser') await session.makeOrganiser(peer.peerId);
      else await session.removePeer(peer.peerId);
    } catch {
      setFailed(true);
    }
  };

  const onMenuKey = (event: KeyboardEvent<HTMLDivElement>) => {
    const items = [...(menuRef.current?.querySelectorAll<HTMLButtonElement>('[role="menuitem"]') ?? [])];
    const at = items.indexOf(document.activeElement as HTMLButtonElement);
    if (event.key === 'Escape') {
      event.preventDefault();
      setOpen(false);
      triggerRef.current?.focus();
    } else if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      const next = (at + (event.key === 'ArrowDown' ? 1 : -1) + items.length) % items.length;
      items[next]?.focus();
    } else if (event.key === 'Tab') {
      setOpen(false);
    }
  };

  return (
    <div className="visio-participant-menu" ref={rootRef} data-testid="visio-participant-menu">
      <button
        ref={triggerRef}
        type="button"
        className="button button-small visio-menu-trigger"
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={open ? menuId : undefined}
        aria-label={t('visio.moderation.menuLabel', { name: peer.displayName })}
        onClick={() => setOpen(!open)}
        data-testid="visio-participant-actions"
      >
        {t('visio.moderation.menu')}
      </button>
      {open ? (
        <div
          ref={menuRef}
          id={menuId}
          role="menu"
          aria-label={t('visio.moderation.menuLabel', { name: peer.displayName })}
          className="visio-menu"
          onKeyDown={onMenuKey}
        >
          {participantActions(peer).map((action) => (
            <button
              key={action}
              type="button"
              role="menuitem"
              tabIndex={-1}
              className={action === 'remove' ? 'visio-menu-item visio-menu-danger' : 'visio-menu-item'}
              onClick={() => void run(action)}
              data-testid={`visio-moderate-${action}`}
            >
              {action === 'muteMicro'
                ? t('visio.moderation.muteMicro')
                : action === 'stopCamera'
                  ? t('visio.moderation.stopCamera')
                  : action === 'makeOrganiser'
                    ? t('visio.moderation.makeOrganiser')
                    : t('visio.moderation.remove')}
            </button>
          ))}
        </div>
      ) : null}
      {failed ? (
        <p className="field-error" role="alert">
          {t('visio.moderation.failed')}
        </p>
      ) : null}
    </div>
  );
}
