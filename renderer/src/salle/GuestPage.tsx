/**
 * The guest page: someone outside the organisation opens the meeting link in any browser, gives a name, checks
 * camera and micro (PreJoin), asks to enter (« Demander à entrer »), waits in the salle d'attente, then takes
 * part in the meeting (Meeting) — the very components of Ostal's Visio, as a guest (never organiser).
 */
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Meeting } from '../views/visio/Meeting';
import { meetingLink, parseMeetingLink } from '../views/visio/link';
import { PreJoin, type JoinChoice } from '../views/visio/PreJoin';
import { MeetingSession } from '../views/visio/session';
import '../views/visio/visio.css';
import './salle.css';

const NAME_KEY = 'ostal-salle-nom';

/** A phone or a small touch screen: large controls (CSS) and the lowest video layers by default. */
export function isSmallTouchScreen(): boolean {
  return typeof window.matchMedia === 'function' && window.matchMedia('(max-width: 600px), (pointer: coarse)').matches;
}

type Stage = { name: 'prejoin' } | { name: 'meeting'; session: MeetingSession; speakerId: string } | { name: 'left' };

function rememberedName(): string {
  try {
    return window.localStorage.getItem(NAME_KEY) ?? '';
  } catch {
    return '';
  }
}

export function GuestPage() {
  const { t } = useTranslation();
  // The link of this page; a token in it is ignored: a guest has none.
  const address = parseMeetingLink(window.location.href);
  const link = address ? (meetingLink(address.serverUrl, address.roomId) ?? window.location.href) : '';
  const [name, setName] = useState(rememberedName);
  const [stage, setStage] = useState<Stage>({ name: 'prejoin' });

  // Closing the tab leaves the meeting cleanly (the server also notices the closed socket).
  useEffect(() => {
    if (stage.name !== 'meeting') return;
    const session = stage.session;
    const onUnload = () => void session.leave();
    window.addEventListener('pagehide', onUnload);
    return () => window.removeEventListener('pagehide', onUnload);
  }, [stage]);

  useEffect(() => {
    requestAnimationFrame(() => document.querySelector<HTMLElement>('h1')?.focus());
  }, [stage.name]);

  const enter = (choice: JoinChoice) => {
    if (!address) return;
    const displayName = name.trim();
    try {
      window.localStorage.setItem(NAME_KEY, displayName);
    } catch {
      // private browsing: the name is simply not remembered
    }
    const session = new MeetingSession({
      serverUrl: address.serverUrl,
      roomId: address.roomId,
      displayName,
      token: null,
      guest: true,
      slowMode: isSmallTouchScreen(),
      audioTrack: choice.audio,
      videoTrack: choice.video,
      startMuted: choice.startMuted,
      startCameraOff: choice.startCameraOff,
      blur: choice.blur,
      log: (message, detail) => console.warn(message, detail),
    });
    setStage({ name: 'meeting', session, speakerId: choice.speakerId });
    void session.start();
  };

  return (
    <div className="salle">
      <header className="app-header salle-header">
        <div className="brand">
          <span className="brand-mark" aria-hidden="true" />
          <span className="brand-name">{t('visio.guest.brand')}</span>
        </div>
      </header>
      <main id="main" className="salle-main visio-view">
        <h1 tabIndex={-1}>{stage.name === 'meeting' ? t('visio.meeting.title') : t('visio.guest.pageTitle')}</h1>
        {!webRtcAvailable() ? (
          <div className="alert alert-error" role="alert" data-testid="salle-unsupported">
            <p>{t('visio.guest.unsupported')}</p>
          </div>
        ) : !address ? (
          <div className="alert alert-error" role="alert" data-testid="salle-bad-link">
            <p>{t('visio.guest.badLink')}</p>
          </div>
        ) : stage.name === 'prejoin' ? (
          <>
            <p className="salle-intro">{t('visio.guest.intro')}</p>
            <PreJoin
              displayName={name}
              nameField={{ value: name, onChange: setName }}
              joinLabel={t('visio.guest.requestEntry')}
              onJoin={enter}
            />
          </>
        ) : stage.name === 'meeting' ? (
          <Meeting session={stage.session} speakerId={stage.speakerId} link={link} onClose={() => setStage({ name: 'left' })} />
        ) : (
          <div className="card visio-status" data-testid="salle-left">
            <p role="status">{t('visio.guest.left')}</p>
            <div className="form-actions">
              <button type="button" className="button button-primary" onClick={() => setStage({ name: 'prejoin' })}>
                {t('visio.guest.rejoin')}
              </button>
            </div>
          </div>
        )}
      </main>
    </div>
  );
}

/** A browser without WebRTC or without access to cameras (very old, or some embedded viewers) cannot join. */
function webRtcAvailable(): boolean {
  return typeof RTCPeerConnection !== 'undefined' && typeof navigator.mediaDevices?.getUserMedia === 'function';
}
