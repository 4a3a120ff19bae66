/**
 * The meeting goes on while the agent works elsewhere in Ostal (Courrier, Agenda, Contacts, Fichiers): a small
 * floating panel with the active speaker's video, micro and caméra, « Revenir à la réunion » and « Quitter ».
 * It plays the others' sound (the meeting view is not mounted meanwhile). Only « Quitter » ends the meeting.
 */
import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import type { ActiveMeeting } from './active-meeting';
import { RemoteAudio, useMeetingState } from './Meeting';
import './visio.css';

export function MeetingDock({ meeting, onReturn, onLeave }: { meeting: ActiveMeeting; onReturn(): void; onLeave(): void }) {
  const { t } = useTranslation();
  const { session, speakerId } = meeting;
  const state = useMeetingState(session);
  const videoRef = useRef<HTMLVideoElement>(null);

  // Whom to show: the active speaker, else the first other participant with a camera, else oneself.
  const speaker = state.peers.find((p) => p.peerId === state.activeSpeaker) ?? null;
  const withCamera = state.peers.find((p) => state.media[p.peerId]?.camera && p.camera) ?? null;
  const shown = speaker ?? withCamera;
  const remote = shown ? state.media[shown.peerId]?.camera : undefined;
  const track = state.audioOnly
    ? null
    : remote && !remote.paused && shown?.camera
      ? remote.track
      : !shown && state.camOn
        ? (state.blurredCamera ?? state.localCamera)
        : null;
  const name = shown ? shown.displayName : state.displayName;

  useEffect(() => {
    const video = videoRef.current;
    if (!video) return;
    video.srcObject = track ? new MediaStream([track]) : null;
    if (track) void video.play().catch(() => undefined);
  }, [track]);

  const joined = state.phase === 'joined';
  return (
    <aside className="visio-dock" aria-label={t('visio.dock.label')} data-testid="visio-dock" data-phase={state.phase}>
      <div className="visio-dock-video">
        <video ref={videoRef} autoPlay playsInline muted hidden={!track} data-testid="visio-dock-video" />
        {!track ? <div className="visio-dock-empty">{name}</div> : null}
      </div>
      <p className="visio-dock-caption" data-testid="visio-dock-speaker">
        {speaker ? t('visio.dock.speaker', { name: speaker.displayName }) : shown ? shown.displayName : t('visio.dock.noSpeaker')}
      </p>
      <div className="visio-dock-controls">
        <button
          type="button"
          className={state.micOn ? 'button button-small' : 'button button-small button-off'}
          aria-pressed={!state.micOn}
          onClick={() => void session.setMicro(!state.micOn)}
          disabled={!joined}
          data-testid="visio-dock-micro"
        >
          {state.micOn ? t('visio.meeting.mute') : t('visio.meeting.unmute')}
        </button>
        <button
          type="button"
          className={state.camOn ? 'button button-small' : 'button button-small button-off'}
          aria-pressed={!state.camOn}
          onClick={() => void session.setCamera(!state.camOn)}
          disabled={!joined || !state.localCamera}
          data-testid="visio-dock-camera"
        >
          {state.camOn ? t('visio.meeting.cameraOff') : t('visio.meeting.cameraOn')}
        </button>
        <button type="button" className="button button-small button-primary" onClick={onReturn} data-testid="visio-dock-return">
          {t('visio.dock.back')}
        </button>
        <button type="button" className="button button-small button-danger" onClick={onLeave} data-testid="visio-dock-quitter">
          {t('visio.meeting.leave')}
        </button>
      </div>
      {state.peers.map((peer) =>
        state.media[peer.peerId]?.micro ? (
          <RemoteAudio
            key={`audio-${peer.peerId}`}
            track={state.media[peer.peerId]!.micro!.track}
            speakerId={speakerId}
            peerId={peer.peerId}
          />
        ) : null,
      )}
    </aside>
  );
}
