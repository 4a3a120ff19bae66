/** In the meeting: the grid, the controls, participants and chat panels, the salle d'attente, failures. */
import {
  useEffect,
  useId,
  useMemo,
  useRef,
  useState,
  useSyncExternalStore,
  type FormEvent,
  type KeyboardEvent as ReactKeyboardEvent,
  type RefObject,
} from 'react';
import { useTranslation } from 'react-i18next';
import type { PeerInfo } from '../../../../src/shared/meet-protocol';
import { Busy, ErrorAlert } from '../../components/common';
import { ShortcutsDialog } from '../../components/ShortcutsDialog';
import { useMeetingAnnouncements } from './announcements';
import { browserStorage, saveBlurPreference } from './blur';
import { applySpeaker, canShareScreen, deviceProblem } from './media';
import { ModerationChatLine, ModerationNoticeBanner, ModerationTools } from './ModerationBar';
import { ParticipantMenu } from './ParticipantMenu';
import { ScreenSourcePicker } from './ScreenSourcePicker';
import { unreadChat } from './meeting-state';
import { arrangeTiles, lastSpeaker, type MeetingLayout } from './layout';
import { ReactionAnnouncer, ReactionsButton, ShownReactionBadge } from './Reactions';
import type { MeetingFailure, MeetingSession, MeetingState, ShownReaction } from './session';

export function useMeetingState(session: MeetingSession): MeetingState {
  return useSyncExternalStore(
    (listener) => session.subscribe(listener),
    () => session.snapshot,
  );
}

/** Is this key press the micro shortcut (Ctrl+Maj+M, as in the usual meeting tools) or the camera one (Ctrl+Maj+O)? */
export function meetingShortcut(event: {
  ctrlKey: boolean;
  metaKey: boolean;
  shiftKey: boolean;
  altKey: boolean;
  key: string;
}): 'micro' | 'camera' | null {
  if (!(event.ctrlKey || event.metaKey) || !event.shiftKey || event.altKey) return null;
  const key = event.key.toLowerCase();
  if (key === 'm') return 'micro';
  if (key === 'o') return 'camera';
  return null;
}

/** The meeting's keyboard shortcuts (meetingShortcut and the chat field), for the « Raccourcis » dialog. */
function meetingShortcutList(t: (key: string) => string): [string, string][] {
  return [
    [t('visio.meeting.shortcutKeys.micro'), t('visio.meeting.shortcutLabels.micro')],
    [t('visio.meeting.shortcutKeys.camera'), t('visio.meeting.shortcutLabels.camera')],
    [t('visio.meeting.shortcutKeys.chatSend'), t('visio.meeting.shortcutLabels.chatSend')],
    [t('visio.meeting.shortcutKeys.chatNewLine'), t('visio.meeting.shortcutLabels.chatNewLine')],
  ];
}

/**
 * The number in the key of the last discussion line the agent has seen (the panel open), per session: kept with the
 * session, since the screen is left for Courrier and built again on return, and the messages read stay read. A key
 * rather than a count: the session keeps only the last lines, so a count would drift once the oldest are dropped.
 */
const chatSeen = new WeakMap<MeetingSession, number>();

/** The layout the agent chose and the tile it pinned, per session too (back from Courrier, the meeting looks the same). */
const viewChoices = new WeakMap<MeetingSession, { layout: MeetingLayout; pinned: string | null }>();
export function Meeting({
  session,
  speakerId,
  link,
  onClose,
}: {
  session: MeetingSession;
  speakerId: string;
  link: string;
  onClose(): void;
}) {
  const { t } = useTranslation();
  const state = useMeetingState(session);
  const [panel, setPanel] = useState<'participants' | 'chat' | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [showShortcuts, setShowShortcuts] = useState(false);
  const [view, setView] = useState(() => viewChoices.get(session) ?? { layout: 'mosaic' as MeetingLayout, pinned: null });
  const chooseView = (next: { layout: MeetingLayout; pinned: string | null }) => {
    viewChoices.set(session, next);
    setView(next);
  };
  const meetingRef = useRef<HTMLDivElement>(null);
  const fullScreen = useFullScreen(meetingRef);
  const announcement = useMeetingAnnouncements(state.peers, state.phase === 'joined');

  const lastLine = state.chat.at(-1)?.key;
  useEffect(() => {
    if (panel === 'chat' && lastLine !== undefined) chatSeen.set(session, Number(lastLine));
  }, [panel, session, lastLine]);

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const which = meetingShortcut(event);
      if (!which || session.snapshot.phase !== 'joined') return;
      event.preventDefault();
      if (which === 'micro') void session.setMicro(!session.snapshot.micOn);
      else void session.setCamera(!session.snapshot.camOn);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [session]);

  if (state.phase === 'failed' && state.failure) {
    return (
      <MeetingFailed
        failure={state.failure}
        by={state.failureBy}
        detail={state.failureDetail}
        onRetry={() => void session.start()}
        onClose={onClose}
      />
    );
  }
  if (state.phase === 'connecting') {
    return (
      <div className="card visio-status" data-testid="visio-connecting">
        <Busy text={t('visio.meeting.connecting')} />
      </div>
    );
  }
  if (state.phase === 'waiting') {
    return (
      <div className="card visio-status" data-testid="visio-waiting">
        <Busy text={t('visio.waiting.guest')} />
        <p>{t('visio.waiting.guestHint')}</p>
        <div className="form-actions">
          <button type="button" className="button" onClick={() => void session.leave().then(onClose)}>
            {t('visio.meeting.leave')}
          </button>
        </div>
      </div>
    );
  }

  const toggleScreen = async () => {
    setProblem(null);
    if (state.screenOn) {
      await session.stopScreen();
      return;
    }
    try {
      await session.startScreen();
    } catch (err) {
      // Closing the browser's picker is not an error worth a message.
      if (deviceProblem(err) !== 'denied') setProblem(t('visio.meeting.screenProblem'));
    }
  };

  // What others wrote since the agent last looked (one's own messages are not news).
  const seen = chatSeen.get(session) ?? 0;
  const unread = panel === 'chat' ? 0 : unreadChat(state.chat, seen);
  // Going over to the space's new room: the room-change banner says so, not the lost-connection one.
  const movingRoom = state.roomChanged && state.phase === 'reconnecting' && state.reconnectAttempt === 0;
  const peerName = (peerId: string | null) => state.peers.find((p) => p.peerId === peerId)?.displayName ?? '';

  return (
    <div ref={meetingRef} className="visio-meeting" data-testid="visio-meeting" data-phase={state.phase} data-role={state.role ?? ''}>
      <ScreenSourcePicker />
      <div className="visio-topbar">
        <QualityIndicator state={state} />
        <span className="visio-count" data-testid="visio-count">
          {t('visio.meeting.count', { count: state.peers.length + 1 })}
        </span>
        <CopyLink link={link} />
        <div className="visio-layout-choice" role="group" aria-label={t('visio.layout.label')}>
          <button
            type="button"
            className="button button-small"
            aria-pressed={view.layout === 'mosaic'}
            onClick={() => chooseView({ ...view, layout: 'mosaic' })}
            data-testid="visio-layout-mosaic"
          >
            {t('visio.layout.mosaic')}
          </button>
          <button
            type="button"
            className="button button-small"
            aria-pressed={view.layout === 'speaker'}
            onClick={() => chooseView({ ...view, layout: 'speaker' })}
            data-testid="visio-layout-speaker"
          >
            {t('visio.layout.speaker')}
          </button>
        </div>
        {fullScreen.available ? (
          <button
            type="button"
            className="button button-small"
            aria-pressed={fullScreen.on}
            onClick={() => fullScreen.toggle()}
            data-testid="visio-fullscreen"
          >
            {fullScreen.on ? t('visio.layout.fullScreenLeave') : t('visio.layout.fullScreen')}
          </button>
        ) : null}
        <ModerationTools session={session} state={state} />
      </div>
      {state.roomChanged ? (
        <div className="alert visio-banner" role="status" data-testid="visio-room-changed">
          <p>{t('visio.meeting.roomChanged')}</p>
          {movingRoom ? (
            <Busy text={t('visio.meeting.roomChanging')} />
          ) : (
            <div className="form-actions">
              <button type="button" className="button" onClick={() => session.dismissRoomChanged()}>
                {t('common.close')}
              </button>
            </div>
          )}
        </div>
      ) : null}
      {state.phase === 'reconnecting' && !movingRoom ? (
        <div className="alert alert-warning visio-banner" role="status" data-testid="visio-reconnecting">
          <Busy text={t('visio.meeting.reconnecting', { attempt: state.reconnectAttempt })} />
        </div>
      ) : null}
      {state.slowProposed ? (
        <div className="alert alert-warning visio-banner" role="status" data-testid="visio-slow-proposal">
          <p>{t('visio.slow.proposal')}</p>
          <div className="form-actions">
            <button type="button" className="button button-primary" onClick={() => void session.setSlowMode(true)}>
              {t('visio.slow.enable')}
            </button>
            <button type="button" className="button" onClick={() => void session.setAudioOnly(true)}>
              {t('visio.slow.audioOnly')}
            </button>
            <button type="button" className="button" onClick={() => session.dismissSlowProposal()}>
              {t('visio.slow.dismiss')}
            </button>
          </div>
        </div>
      ) : null}
      {state.slowMode ? (
        <div className="alert visio-banner" role="status" data-testid="visio-slow-on">
          <p>{state.audioOnly ? t('visio.slow.audioOnlyOn') : t('visio.slow.on')}</p>
          <div className="form-actions">
            {!state.audioOnly ? (
              <button type="button" className="button" onClick={() => void session.setAudioOnly(true)}>
                {t('visio.slow.audioOnly')}
              </button>
            ) : null}
            <button
              type="button"
              className="button"
              onClick={() => void session.setAudioOnly(false).then(() => session.setSlowMode(false))}
              data-testid="visio-slow-off"
            >
              {t('visio.slow.disable')}
            </button>
          </div>
        </div>
      ) : null}
      <ModerationNoticeBanner session={session} state={state} />
      {state.role === 'organiser' && state.waiting.length > 0 ? (
        <div className="alert visio-banner visio-lobby" role="region" aria-label={t('visio.waiting.title')} data-testid="visio-lobby">
          <p>{t('visio.waiting.organiser', { count: state.waiting.length })}</p>
          <ul>
            {state.waiting.map((guest) => (
              <li key={guest.peerId} data-testid="visio-guest">
                <span>{guest.displayName}</span>
                <button type="button" className="button button-primary" onClick={() => void session.admit(guest.peerId)}>
                  {t('visio.waiting.admit')}
                </button>
                <button type="button" className="button" onClick={() => void session.refuse(guest.peerId)}>
                  {t('visio.waiting.refuse')}
                </button>
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      {problem ? <ErrorAlert message={problem} testId="visio-problem" /> : null}
      {state.blurUnavailable ? <ErrorAlert message={t('visio.blur.unavailable')} testId="visio-blur-unavailable" /> : null}
      <div className={panel ? 'visio-stage with-panel' : 'visio-stage'}>
        <Grid
          session={session}
          state={state}
          speakerId={speakerId}
          layout={view.layout}
          pinned={view.pinned}
          onPin={(key) => chooseView({ ...view, pinned: key })}
        />
        {panel === 'participants' ? <Participants session={session} state={state} onClose={() => setPanel(null)} /> : null}
        {panel === 'chat' ? <Chat session={session} state={state} onClose={() => setPanel(null)} /> : null}
      </div>
      <div className="visio-controls" role="toolbar" aria-label={t('visio.meeting.controls')}>
        <button
          type="button"
          className={state.micOn ? 'button' : 'button button-off'}
          aria-pressed={!state.micOn}
          aria-keyshortcuts="Control+Shift+M"
          title={t('visio.meeting.microShortcut')}
          onClick={() => void session.setMicro(!state.micOn)}
          disabled={state.phase !== 'joined'}
          data-testid="visio-micro"
        >
          {state.micOn ? t('visio.meeting.mute') : t('visio.meeting.unmute')}
        </button>
        <button
          type="button"
          className={state.camOn ? 'button' : 'button button-off'}
          aria-pressed={!state.camOn}
          aria-keyshortcuts="Control+Shift+O"
          title={t('visio.meeting.cameraShortcut')}
          onClick={() => void session.setCamera(!state.camOn)}
          disabled={state.phase !== 'joined' || !state.localCamera}
          data-testid="visio-camera"
        >
          {state.camOn ? t('visio.meeting.cameraOff') : t('visio.meeting.cameraOn')}
        </button>
        <button
          type="button"
          className="button visio-blur-toggle"
          aria-pressed={state.blur}
          onClick={() => {
            const on = !state.blur;
            saveBlurPreference(browserStorage(), on);
            void session.setBlur(on);
          }}
          disabled={state.phase !== 'joined' || !state.localCamera || state.audioOnly}
          data-testid="visio-blur"
        >
          {t('visio.blur.toggle')}
        </button>
        {canShareScreen() ? (
          <button
            type="button"
            className="button"
            aria-pressed={state.screenOn}
            onClick={() => void toggleScreen()}
            disabled={state.phase !== 'joined'}
            data-testid="visio-screen"
          >
            {state.screenOn ? t('visio.meeting.screenStop') : t('visio.meeting.screenStart')}
          </button>
        ) : null}
        <button
          type="button"
          className="button"
          aria-pressed={state.hand}
          onClick={() => void session.setHand(!state.hand)}
          disabled={state.phase !== 'joined'}
          data-testid="visio-hand"
        >
          {state.hand ? t('visio.meeting.handDown') : t('visio.meeting.handUp')}
        </button>
        <ReactionsButton session={session} disabled={state.phase !== 'joined'} />
        <button
          type="button"
          className="button"
          aria-pressed={panel === 'participants'}
          onClick={() => setPanel(panel === 'participants' ? null : 'participants')}
          data-testid="visio-participants-button"
        >
          {t('visio.meeting.participants')}
        </button>
        <button
          type="button"
          className="button"
          aria-pressed={panel === 'chat'}
          onClick={() => setPanel(panel === 'chat' ? null : 'chat')}
          data-testid="visio-chat-button"
        >
          {t('visio.meeting.chat')}
          {unread > 0 && panel !== 'chat' ? (
            <span className="visio-badge" data-testid="visio-unread" aria-label={t('visio.meeting.unread', { count: unread })}>
              {unread}
            </span>
          ) : null}
        </button>
        {!state.slowMode ? (
          <button type="button" className="button" onClick={() => void session.setSlowMode(true)} data-testid="visio-slow-button">
            {t('visio.slow.enable')}
          </button>
        ) : null}
        <button
          type="button"
          className="button visio-shortcuts-button"
          aria-haspopup="dialog"
          onClick={() => setShowShortcuts(true)}
          data-testid="visio-shortcuts-button"
        >
          {t('visio.meeting.shortcutsButton')}
        </button>
        <button
          type="button"
          className="button button-danger"
          onClick={() => void session.leave().then(onClose)}
          data-testid="visio-quitter"
        >
          {t('visio.meeting.leave')}
        </button>
      </div>
      <ShortcutsDialog
        open={showShortcuts}
        onClose={() => setShowShortcuts(false)}
        title={t('visio.meeting.shortcutsTitle')}
        shortcuts={meetingShortcutList(t)}
      />
      <p className="visually-hidden" aria-live="polite">
        {state.activeSpeaker ? t('visio.meeting.speaking', { name: peerName(state.activeSpeaker) }) : ''}
      </p>
      <ReactionAnnouncer reactions={state.reactions} />
      <p className="visually-hidden" role="status" data-testid="visio-announcer">
        {announcement}
      </p>
    </div>
  );
}

/** « Plein écran » for the meeting (the browser's fullscreen API; Échap leaves it, as everywhere). */
function useFullScreen(target: RefObject<HTMLElement | null>): { available: boolean; on: boolean; toggle(): void } {
  const [on, setOn] = useState(() => !!document.fullscreenElement);
  useEffect(() => {
    const changed = () => setOn(!!document.fullscreenElement && document.fullscreenElement === target.current);
    document.addEventListener('fullscreenchange', changed);
    return () => {
      document.removeEventListener('fullscreenchange', changed);
      // Leaving the meeting (or the Visio screen) leaves full screen too (the element is already detached here).
      if (document.fullscreenElement?.classList.contains('visio-meeting')) void document.exitFullscreen().catch(() => undefined);
    };
  }, [target]);
  return {
    available: document.fullscreenEnabled,
    on,
    toggle: () => {
      if (document.fullscreenElement) void document.exitFullscreen().catch(() => undefined);
      else void target.current?.requestFullscreen().catch(() => undefined);
    },
  };
}

function CopyLink({ link }: { link: string }) {
  const { t } = useTranslation();
  const [copied, setCopied] = useState(false);
  return (
    <button
      type="button"
      className="button button-small"
      onClick={() =>
        void navigator.clipboard?.writeText(link).then(
          () => setCopied(true),
          () => setCopied(false),
        )
      }
      data-testid="visio-copy-link"
    >
      {copied ? t('visio.linkCopied') : t('visio.copyLink')}
    </button>
  );
}

function QualityIndicator({ state }: { state: MeetingState }) {
  const { t } = useTranslation();
  const text =
    state.quality === 'good'
      ? t('visio.quality.good')
      : state.quality === 'fair'
        ? t('visio.quality.fair')
        : state.quality === 'poor'
          ? t('visio.quality.poor')
          : t('visio.quality.unknown');
  const s = state.stats;
  return (
    <span
      className={`visio-quality visio-quality-${state.quality ?? 'unknown'}`}
      data-testid="visio-quality"
      data-quality={state.quality ?? ''}
      data-rtt={s?.rttMs !== null && s?.rttMs !== undefined ? Math.round(s.rttMs) : ''}
      data-loss={s ? s.lossPercent.toFixed(1) : ''}
      data-outgoing={s?.outgoingKbps !== null && s?.outgoingKbps !== undefined ? Math.round(s.outgoingKbps) : ''}
      data-audio-packets={s?.audioPacketsReceived ?? 0}
      data-frames={s?.videoFramesDecoded ?? 0}
    >
      <span className="visio-quality-dot" aria-hidden="true" />
      {text}
    </span>
  );
}

interface TileModel {
  key: string;
  peerId: string;
  name: string;
  source: 'camera' | 'screen';
  mine: boolean;
  track: MediaStreamTrack | null;
  consumerId: string | null;
  peer: PeerInfo | null;
}

function Grid({
  session,
  state,
  speakerId,
  layout,
  pinned,
  onPin,
}: {
  session: MeetingSession;
  state: MeetingState;
  speakerId: string;
  layout: MeetingLayout;
  pinned: string | null;
  onPin(key: string | null): void;
}) {
  const { t } = useTranslation();
  const tiles: TileModel[] = useMemo(() => {
    const list: TileModel[] = [];
    const selfId = state.selfPeerId ?? 'moi';
    if (state.localScreen)
      list.push({
        key: 'self-screen',
        peerId: selfId,
        name: state.displayName,
        source: 'screen',
        mine: true,
        track: state.localScreen,
        consumerId: null,
        peer: null,
      });
    for (const peer of state.peers) {
      const screen = state.media[peer.peerId]?.screen;
      if (screen && !state.audioOnly)
        list.push({
          key: `${peer.peerId}-screen`,
          peerId: peer.peerId,
          name: peer.displayName,
          source: 'screen',
          mine: false,
          track: screen.track,
          consumerId: screen.consumerId,
          peer,
        });
    }
    list.push({
      key: 'self',
      peerId: selfId,
      name: state.displayName,
      source: 'camera',
      mine: true,
      // What the others see: the blurred camera while « Flouter l’arrière-plan » runs.
      track: state.camOn ? (state.blurredCamera ?? state.localCamera) : null,
      consumerId: null,
      peer: null,
    });
    for (const peer of state.peers) {
      const camera = state.media[peer.peerId]?.camera;
      const visible = camera && !camera.paused && peer.camera && !state.audioOnly;
      list.push({
        key: peer.peerId,
        peerId: peer.peerId,
        name: peer.displayName,
        source: 'camera',
        mine: false,
        track: visible ? camera.track : null,
        consumerId: visible ? camera.consumerId : null,
        peer,
      });
    }
    return list;
  }, [state]);
  // Who spoke last and is still here (idempotent: the same inputs give the same name).
  const spokeLast = useRef<string | null>(null);
  spokeLast.current = lastSpeaker(spokeLast.current, state.activeSpeaker, new Set(state.peers.map((p) => p.peerId)));
  const { main, others } = arrangeTiles(tiles, { layout, pinned, speaker: spokeLast.current });
  // A pinned tile that is gone (its owner left, the share stopped) is forgotten.
  useEffect(() => {
    if (pinned && !tiles.some((tile) => tile.key === pinned)) onPin(null);
  }, [pinned, tiles, onPin]);
  const tile = (model: TileModel, wide: boolean) => (
    <Tile
      key={model.key}
      tile={model}
      session={session}
      wide={wide}
      pinned={model.key === pinned}
      onPin={tiles.length > 1 || model.key === pinned ? () => onPin(model.key === pinned ? null : model.key) : null}
      speaking={!model.mine && state.activeSpeaker === model.peerId && model.source === 'camera'}
      layer={model.consumerId ? (state.layers[model.consumerId] ?? null) : null}
      requestedLayer={model.consumerId ? (state.requestedLayers[model.consumerId] ?? null) : null}
      hand={model.mine ? state.hand : !!model.peer?.hand}
      reaction={
        model.source === 'camera'
          ? [...state.reactions].reverse().find((r) => (model.mine ? r.mine : r.peerId === model.peerId))
          : undefined
      }
      micOn={model.mine ? state.micOn : !!model.peer?.micro}
      youLabel={t('visio.meeting.you')}
    />
  );
  const audio = state.peers.map((peer) =>
    state.media[peer.peerId]?.micro ? (
      <RemoteAudio key={`audio-${peer.peerId}`} track={state.media[peer.peerId]!.micro!.track} speakerId={speakerId} peerId={peer.peerId} />
    ) : null,
  );
  if (layout === 'speaker' && main)
    return (
      <div className="visio-grid visio-speaker" data-testid="visio-grid" data-tiles={tiles.length} data-layout="speaker">
        <div className="visio-main" data-testid="visio-main">
          {tile(main, true)}
        </div>
        {others.length > 0 ? (
          <div className="visio-strip" data-testid="visio-strip">
            {others.map((model) => tile(model, false))}
          </div>
        ) : null}
        {audio}
      </div>
    );
  // « Mosaïque »: shared screens and the pinned tile across the width, two rows of cameras high.
  const ordered = main ? [main, ...others] : others;
  const isWide = (model: TileModel) => model === main || model.source === 'screen';
  const wide = ordered.filter(isWide).length;
  const cameras = ordered.length - wide;
  const columns = Math.max(1, Math.ceil(Math.sqrt(cameras)));
  const rows = 2 * wide + Math.ceil(cameras / columns);
  return (
    <div
      className="visio-grid"
      style={{ gridTemplateColumns: `repeat(${columns}, minmax(0, 1fr))`, ['--rows' as string]: rows }}
      data-testid="visio-grid"
      data-tiles={tiles.length}
      data-layout="mosaic"
    >
      {ordered.map((model) => tile(model, isWide(model)))}
      {audio}
    </div>
  );
}

function Tile(props: {
  tile: TileModel;
  session: MeetingSession;
  wide: boolean;
  pinned: boolean;
  /** Null alone in the meeting: nothing to pin a tile against. */
  onPin: (() => void) | null;
  speaking: boolean;
  layer: number | null;
  requestedLayer: number | null;
  hand: boolean;
  reaction: ShownReaction | undefined;
  micOn: boolean;
  youLabel: string;
}) {
  const { t } = useTranslation();
  const { tile, session } = props;
  const videoRef = useRef<HTMLVideoElement>(null);
  useEffect(() => {
    const video = videoRef.current;
    if (!video) return;
    video.srcObject = tile.track ? new MediaStream([tile.track]) : null;
    if (tile.track) void video.play().catch(() => undefined);
  }, [tile.track]);
  useEffect(() => {
    const video = videoRef.current;
    const consumerId = tile.consumerId;
    if (!video || !consumerId || typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver((entries) => {
      const box = entries[entries.length - 1]?.contentRect;
      if (!box) return;
      const ratio = window.devicePixelRatio || 1;
      session.reportTileSize(consumerId, box.width * ratio, box.height * ratio);
    });
    observer.observe(video);
    return () => observer.disconnect();
  }, [tile.consumerId, session]);
  const name = tile.mine ? `${tile.name} (${props.youLabel})` : tile.name;
  const label = tile.source === 'screen' ? t('visio.meeting.screenOf', { name }) : name;
  const initials = tile.name
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((w) => w[0]!.toUpperCase())
    .join('');
  return (
    <figure
      className={`visio-tile${props.speaking ? ' speaking' : ''}${tile.source === 'screen' ? ' visio-tile-screen' : ''}${props.wide ? ' visio-tile-wide' : ''}${props.pinned ? ' pinned' : ''}`}
      data-testid={tile.source === 'screen' ? 'visio-screen-tile' : 'visio-tile'}
      data-peer={tile.peerId}
      data-pinned={props.pinned ? 'true' : 'false'}
      data-name={tile.name}
      data-mine={tile.mine ? 'true' : 'false'}
      data-speaking={props.speaking ? 'true' : 'false'}
      data-layer={props.layer ?? ''}
      data-requested-layer={props.requestedLayer ?? ''}
    >
      <video
        ref={videoRef}
        autoPlay
        playsInline
        muted
        className={tile.mine && tile.source === 'camera' ? 'mirrored' : undefined}
        hidden={!tile.track}
      />
      {!tile.track ? (
        <div className="visio-avatar" aria-hidden="true">
          {initials}
        </div>
      ) : null}
      {props.onPin ? (
        <button
          type="button"
          className="button button-small visio-pin"
          aria-pressed={props.pinned}
          aria-label={props.pinned ? t('visio.layout.unpinNamed', { name: label }) : t('visio.layout.pinNamed', { name: label })}
          onClick={props.onPin}
          data-testid="visio-pin"
        >
          {props.pinned ? t('visio.layout.unpin') : t('visio.layout.pin')}
        </button>
      ) : null}
      {props.reaction ? <ShownReactionBadge key={props.reaction.key} reaction={props.reaction} /> : null}
      <figcaption>
        <span className="visio-tile-name">{label}</span>
        {tile.source === 'camera' && !props.micOn ? <span className="visio-flag">{t('visio.state.microOff')}</span> : null}
        {tile.source === 'camera' && props.hand ? (
          <span className="visio-flag visio-flag-hand" data-testid="visio-hand-flag">
            {t('visio.state.hand')}
          </span>
        ) : null}
      </figcaption>
    </figure>
  );
}

export function RemoteAudio({ track, speakerId, peerId }: { track: MediaStreamTrack; speakerId: string; peerId: string }) {
  const ref = useRef<HTMLAudioElement>(null);
  useEffect(() => {
    const audio = ref.current;
    if (!audio) return;
    audio.srcObject = new MediaStream([track]);
    void applySpeaker(audio, speakerId).then(() => audio.play().catch(() => undefined));
  }, [track, speakerId]);
  return <audio ref={ref} autoPlay data-testid="visio-audio" data-peer={peerId} />;
}

function Participants({ session, state, onClose }: { session: MeetingSession; state: MeetingState; onClose(): void }) {
  const { t } = useTranslation();
  const states = (p: { micro: boolean; camera: boolean; hand: boolean; screen: boolean }) =>
    [
      p.micro ? t('visio.state.microOn') : t('visio.state.microOff'),
      p.camera ? t('visio.state.cameraOn') : t('visio.state.cameraOff'),
      p.screen ? t('visio.state.screen') : null,
      p.hand ? t('visio.state.hand') : null,
    ].filter(Boolean) as string[];
  return (
    <aside className="visio-panel" aria-labelledby="visio-participants-title" data-testid="visio-participants">
      <div className="visio-panel-head">
        <h2 id="visio-participants-title">{t('visio.meeting.participants')}</h2>
        <button type="button" className="button button-small" onClick={onClose}>
          {t('common.close')}
        </button>
      </div>
      <ul className="visio-people">
        <li data-testid="visio-participant" data-name={state.displayName}>
          <strong>
            {state.displayName} ({t('visio.meeting.you')})
          </strong>
          {state.role === 'organiser' ? <span className="visio-role">{t('visio.state.organiser')}</span> : null}
          <span className="visio-states">
            {states({ micro: state.micOn, camera: state.camOn, hand: state.hand, screen: state.screenOn }).join(' · ')}
          </span>
        </li>
        {state.peers.map((peer) => (
          <li key={peer.peerId} data-testid="visio-participant" data-name={peer.displayName} data-hand={peer.hand ? 'true' : 'false'}>
            <strong>{peer.displayName}</strong>
            {peer.role === 'organiser' ? <span className="visio-role">{t('visio.state.organiser')}</span> : null}
            {peer.guest ? <span className="visio-role">{t('visio.state.guest')}</span> : null}
            <span className="visio-states">{states(peer).join(' · ')}</span>
            <ParticipantMenu session={session} state={state} peer={peer} />
          </li>
        ))}
        {state.waiting.map((guest) => (
          <li key={guest.peerId} data-testid="visio-participant-waiting" data-name={guest.displayName}>
            <strong>{guest.displayName}</strong>
            <span className="visio-states">{t('visio.state.waiting')}</span>
          </li>
        ))}
      </ul>
    </aside>
  );
}

function Chat({ session, state, onClose }: { session: MeetingSession; state: MeetingState; onClose(): void }) {
  const { t } = useTranslation();
  const [text, setText] = useState('');
  const [failed, setFailed] = useState(false);
  const inputId = useId();
  const listRef = useRef<HTMLOListElement>(null);
  useEffect(() => {
    listRef.current?.lastElementChild?.scrollIntoView?.({ block: 'nearest' });
  }, [state.chat.length]);
  const send = async (event?: FormEvent) => {
    event?.preventDefault();
    if (!text.trim()) return;
    const ok = await session.sendChat(text);
    setFailed(!ok);
    if (ok) setText('');
  };
  const onKeyDown = (event: ReactKeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === 'Enter' && !event.shiftKey) {
      event.preventDefault();
      void send();
    }
  };
  const time = (at: number) => new Date(at).toLocaleTimeString('fr-FR', { hour: '2-digit', minute: '2-digit' });
  return (
    <aside className="visio-panel" aria-labelledby="visio-chat-title" data-testid="visio-chat">
      <div className="visio-panel-head">
        <h2 id="visio-chat-title">{t('visio.meeting.chat')}</h2>
        <button type="button" className="button button-small" onClick={onClose}>
          {t('common.close')}
        </button>
      </div>
      {state.chat.length === 0 ? <p className="visio-chat-empty">{t('visio.chat.empty')}</p> : null}
      <ol className="visio-chat-lines" ref={listRef} aria-live="polite">
        {state.chat.map((line) =>
          line.system ? (
            <ModerationChatLine key={line.key} event={line.system} time={time(line.at)} />
          ) : (
            <li key={line.key} className={line.mine ? 'mine' : undefined} data-testid="visio-chat-line">
              <span className="visio-chat-meta">
                {line.mine ? t('visio.meeting.you') : line.name} · {time(line.at)}
              </span>
              <span className="visio-chat-text">{line.text}</span>
            </li>
          ),
        )}
      </ol>
      <form className="visio-chat-form" onSubmit={(e) => void send(e)}>
        <label htmlFor={inputId} className="visually-hidden">
          {t('visio.chat.label')}
        </label>
        <textarea
          id={inputId}
          rows={2}
          value={text}
          maxLength={4000}
          placeholder={t('visio.chat.placeholder')}
          onChange={(e) => setText(e.target.value)}
          onKeyDown={onKeyDown}
          data-testid="visio-chat-input"
        />
        <button type="submit" className="button button-primary" disabled={state.phase !== 'joined'} data-testid="visio-chat-send">
          {t('visio.chat.send')}
        </button>
      </form>
      {failed ? <p className="field-error">{t('visio.chat.failed')}</p> : null}
    </aside>
  );
}

function MeetingFailed({
  failure,
  by,
  detail,
  onRetry,
  onClose,
}: {
  failure: MeetingFailure;
  by: string | null;
  detail: string | null;
  onRetry(): void;
  onClose(): void;
}) {
  const { t } = useTranslation();
  const message =
    failure === 'unreachable'
      ? t('visio.failure.unreachable')
      : failure === 'token_invalid'
        ? t('visio.failure.tokenInvalid')
        : failure === 'token_expired'
          ? t('visio.failure.tokenExpired')
          : failure === 'room_full'
            ? t('visio.failure.roomFull')
            : failure === 'refused'
              ? t('visio.failure.refused')
              : failure === 'lost'
                ? t('visio.failure.lost')
                : failure === 'removed'
                  ? t('visio.failure.removed')
                  : failure === 'ended'
                    ? by
                      ? t('visio.failure.ended', { by })
                      : t('visio.failure.endedNoName')
                    : failure === 'locked'
                      ? t('visio.failure.locked')
                      : failure === 'space_left'
                        ? t('visio.failure.spaceLeft', { name: detail ?? '' })
                        : failure === 'sign_in'
                          ? (detail ?? t('visio.failure.signIn'))
                          : t('visio.failure.serverError');
  const retryable =
    failure === 'unreachable' || failure === 'lost' || failure === 'server_error' || failure === 'locked' || failure === 'sign_in';
  return (
    <div className="card visio-status" data-testid="visio-failed" data-failure={failure}>
      <ErrorAlert message={message} testId="visio-failure-message" />
      <div className="form-actions">
        <button type="button" className="button" onClick={onClose}>
          {t('common.back')}
        </button>
        {retryable ? (
          <button type="button" className="button button-primary" onClick={onRetry} data-testid="visio-retry">
            {t('visio.failure.retry')}
          </button>
        ) : null}
      </div>
    </div>
  );
}
