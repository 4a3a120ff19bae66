/**
 * Visio: join a meeting by pasting its link or create one (« Nouvelle réunion »), check camera and micro
 * (pre-join), then the meeting itself (visio/Meeting.tsx) over the organisation's meeting server. The meeting
 * session belongs to the app shell (App.tsx), so that it goes on in a floating panel (visio/MeetingDock.tsx)
 * while the agent works in another view; only « Quitter » ends it.
 */
import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useApiQuery, useClient } from '../api/react';
import { PageHeader } from '../components/common';
import { ComposePanel } from './courrier/ComposePanel';
import type { ComposeRequest } from './courrier/compose-request';
import type { ActiveMeeting } from './visio/active-meeting';
import { meetingLink, newRoomId, normaliseServerUrl, parseMeetingLink, type MeetingAddress } from './visio/link';
import { Meeting } from './visio/Meeting';
import { PreJoin, type JoinChoice } from './visio/PreJoin';
import { SignInError } from './visio/meeting-state';
import { MeetingSession } from './visio/session';
import './visio/visio.css';

type Stage = { name: 'home' } | { name: 'prejoin'; address: MeetingAddress; link: string };

export function VisioView({
  onOpenSettings,
  meeting,
  onMeetingChange,
}: {
  onOpenSettings(): void;
  /** The meeting in progress, kept by the app shell across views. */
  meeting: ActiveMeeting | null;
  onMeetingChange(meeting: ActiveMeeting | null): void;
}) {
  const { t } = useTranslation();
  const client = useClient();
  const settings = useApiQuery('settings.list', {}, { refreshOn: ['settings.changed'] });
  const accounts = useApiQuery('accounts.list', {}, { refreshOn: ['accounts.changed'] });
  const serverUrl = String(settings.data?.find((entry) => entry.key === 'visio.serverUrl')?.value ?? '');
  const orgToken = String(settings.data?.find((entry) => entry.key === 'visio.joinToken')?.value ?? '');
  const displayName = accounts.data?.[0]?.name || accounts.data?.[0]?.email || t('visio.prejoin.defaultName');
  const [stage, setStage] = useState<Stage>({ name: 'home' });
  const [link, setLink] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [created, setCreated] = useState<string | null>(null);
  const [copied, setCopied] = useState(false);
  const [invite, setInvite] = useState<(ComposeRequest & { key: number }) | null>(null);
  const inviteButton = useRef<HTMLButtonElement>(null);
  const linkId = useId();
  const newHintId = useId();
  const createdId = useId();

  const openLink = (raw: string) => {
    setNotice(null);
    const address = parseMeetingLink(raw);
    if (!address) {
      setProblem(t('visio.linkInvalid'));
      return;
    }
    setProblem(null);
    setStage({ name: 'prejoin', address, link: meetingLink(address.serverUrl, address.roomId) ?? raw.trim() });
  };

  // « Rejoindre » from Agenda puts the meeting link in the page address (?salle=<link>): open its pre-join once.
  useEffect(() => {
    const url = new URL(window.location.href);
    const fromAgenda = url.searchParams.get('salle');
    if (!fromAgenda) return;
    url.searchParams.delete('salle');
    window.history.replaceState(window.history.state, '', url);
    setLink(fromAgenda);
    openLink(fromAgenda);
    // Only at mount: the address is read once.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  const join = (event: FormEvent) => {
    event.preventDefault();
    openLink(link);
  };

  const createMeeting = () => {
    const url = meetingLink(serverUrl, newRoomId());
    setCopied(false);
    setCreated(url);
  };

  const copyCreated = async () => {
    if (!created) return;
    try {
      await navigator.clipboard.writeText(created);
      setCopied(true);
    } catch {
      setCopied(false);
      // The address stays selected in its field: the user can copy it by hand.
      document.getElementById(createdId)?.focus();
    }
  };

  // « Inviter par courriel »: Courrier's own composer, prefilled with the link and how to join.
  const inviteByMail = () => {
    if (!created) return;
    setInvite({ mode: 'new', subject: t('visio.inviteSubject'), text: t('visio.inviteBody', { link: created }), key: Date.now() });
  };

  const enter = (address: MeetingAddress, joinLink: string, choice: JoinChoice) => {
    // The organisation's token goes only to the organisation's own server; a link may carry its own.
    const sameServer = normaliseServerUrl(serverUrl) !== null && normaliseServerUrl(serverUrl) === address.serverUrl;
    const token = address.token ?? (sameServer && orgToken ? orgToken : null);
    // On the organisation's server the agent signs in with its mail account (through the core, which holds the
    // password), for a fresh token at each (re)connection; the shared `visio.joinToken` is only a deprecated fallback.
    const fetchToken =
      sameServer && !address.token
        ? async (roomId: string) => {
            try {
              return (await client.call('visio.signIn', { roomId, serverUrl: address.serverUrl })).token;
            } catch (err) {
              console.warn('visio: sign-in failed', err);
              // The organisation's shared token (deprecated) still opens the room; without it, the core's French reason is shown.
              if (token) return token;
              throw new SignInError(err instanceof Error && err.message ? err.message : t('visio.failure.signIn'));
            }
          }
        : undefined;
    const session = new MeetingSession({
      serverUrl: address.serverUrl,
      roomId: address.roomId,
      displayName,
      token,
      fetchToken,
      audioTrack: choice.audio,
      videoTrack: choice.video,
      startMuted: choice.startMuted,
      startCameraOff: choice.startCameraOff,
      blur: choice.blur,
      log: (message, detail) => console.warn(message, detail),
    });
    onMeetingChange({ session, speakerId: choice.speakerId, link: joinLink });
    setStage({ name: 'home' });
    void session.start();
  };

  const backHome = (message: string | null) => {
    setStage({ name: 'home' });
    setNotice(message);
  };

  if (meeting) {
    return (
      <section className="view visio-view" aria-labelledby="visio-title">
        <PageHeader id="visio-title" title={t('visio.meeting.title')} />
        <Meeting
          session={meeting.session}
          speakerId={meeting.speakerId}
          link={meeting.link}
          onClose={() => {
            void meeting.session.leave();
            onMeetingChange(null);
            backHome(t('visio.left'));
          }}
        />
      </section>
    );
  }

  if (stage.name === 'prejoin') {
    return (
      <section className="view visio-view" aria-labelledby="visio-title">
        <PageHeader id="visio-title" title={t('visio.title')} />
        <PreJoin displayName={displayName} onJoin={(choice) => enter(stage.address, stage.link, choice)} onCancel={() => backHome(null)} />
      </section>
    );
  }

  return (
    <section className="view visio-view" aria-labelledby="visio-title">
      <PageHeader id="visio-title" title={t('visio.title')} />
      {notice ? (
        <p className="notice" role="status" data-testid="visio-notice">
          {notice}
        </p>
      ) : null}
      <div className="cards-row">
        <form className="card form" onSubmit={join} noValidate aria-labelledby="visio-join-title">
          <h2 id="visio-join-title">{t('visio.joinTitle')}</h2>
          <div className="field">
            <label htmlFor={linkId}>{t('visio.linkLabel')}</label>
            <input
              id={linkId}
              type="url"
              value={link}
              placeholder={t('visio.linkPlaceholder')}
              spellCheck={false}
              aria-invalid={problem ? true : undefined}
              aria-describedby={problem ? `${linkId}-error` : undefined}
              onChange={(event) => setLink(event.target.value)}
              data-testid="visio-link"
            />
            {problem ? (
              <p className="field-error" id={`${linkId}-error`}>
                {problem}
              </p>
            ) : null}
          </div>
          <div className="form-actions">
            <button type="submit" className="button button-primary" data-testid="visio-join">
              {t('visio.join')}
            </button>
          </div>
        </form>
        <div className="card" aria-labelledby="visio-new-title" role="region">
          <h2 id="visio-new-title">{t('visio.newTitle')}</h2>
          <p id={newHintId}>{serverUrl ? t('visio.newHint', { server: serverUrl }) : t('visio.newNeedsServer')}</p>
          {created ? (
            <div className="field">
              <label htmlFor={createdId}>{t('visio.createdLabel')}</label>
              <input
                id={createdId}
                type="url"
                readOnly
                value={created}
                onFocus={(e) => e.target.select()}
                data-testid="visio-created-link"
              />
            </div>
          ) : null}
          <div className="form-actions">
            {created ? (
              <>
                <button type="button" className="button" onClick={() => void copyCreated()} data-testid="visio-copy-created">
                  {copied ? t('visio.linkCopied') : t('visio.copyLink')}
                </button>
                <button
                  type="button"
                  className="button"
                  ref={inviteButton}
                  disabled={!accounts.data?.length}
                  onClick={inviteByMail}
                  data-testid="visio-invite-mail"
                >
                  {t('visio.inviteByMail')}
                </button>
                <button type="button" className="button button-primary" onClick={() => openLink(created)} data-testid="visio-enter-created">
                  {t('visio.enterCreated')}
                </button>
              </>
            ) : (
              <button
                type="button"
                className="button button-primary"
                disabled={!serverUrl}
                aria-describedby={newHintId}
                onClick={createMeeting}
                data-testid="visio-new"
              >
                {t('visio.newMeeting')}
              </button>
            )}
            {!serverUrl ? (
              <button type="button" className="button" onClick={onOpenSettings}>
                {t('visio.openSettings')}
              </button>
            ) : null}
          </div>
        </div>
      </div>
      {invite && accounts.data?.length ? (
        <ComposePanel
          key={invite.key}
          accounts={accounts.data}
          request={invite}
          onClose={() => {
            setInvite(null);
            requestAnimationFrame(() => inviteButton.current?.focus());
          }}
        />
      ) : null}
    </section>
  );
}
