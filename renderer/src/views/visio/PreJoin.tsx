/** Before entering: camera preview, choice of micro, caméra and haut-parleur, micro level, « Entrer micro coupé ». */
import { useEffect, useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { MAX_DISPLAY_NAME_LENGTH } from '../../../../src/shared/meet-protocol';
import { Busy } from '../../components/common';
import {
  canChooseSpeaker,
  deviceName,
  listDevices,
  openLocalMedia,
  watchLevel,
  type DeviceLists,
  type DeviceProblem,
  type LocalMedia,
} from './media';
import { browserStorage, loadBlurPreference, saveBlurPreference } from './blur';
import type { BlurPipeline } from './blur-pipeline';

export interface JoinChoice {
  audio: MediaStreamTrack | null;
  video: MediaStreamTrack | null;
  startMuted: boolean;
  startCameraOff: boolean;
  /** « Flouter l’arrière-plan » (the meeting starts its own blurring of the camera). */
  blur: boolean;
  speakerId: string;
}

/** The guest page asks for the name shown to others (Ostal takes it from the account). */
export interface NameField {
  value: string;
  onChange(name: string): void;
}

export function PreJoin({
  displayName,
  nameField,
  joinLabel,
  onJoin,
  onCancel,
}: {
  displayName: string;
  nameField?: NameField;
  /** Label of the join button (« Rejoindre » by default; « Demander à entrer » for guests). */
  joinLabel?: string;
  onJoin(choice: JoinChoice): void;
  /** « Retour » (absent on the guest page: there is nothing to go back to). */
  onCancel?: () => void;
}) {
  const { t } = useTranslation();
  const [media, setMedia] = useState<LocalMedia | null>(null);
  const [devices, setDevices] = useState<DeviceLists>({ micros: [], cameras: [], speakers: [] });
  const [audioId, setAudioId] = useState('');
  const [videoId, setVideoId] = useState('');
  const [speakerId, setSpeakerId] = useState('');
  const [startMuted, setStartMuted] = useState(false);
  const [startCameraOff, setStartCameraOff] = useState(false);
  const [level, setLevel] = useState(0);
  const [blur, setBlur] = useState(() => loadBlurPreference(browserStorage()));
  const [blurred, setBlurred] = useState<MediaStreamTrack | null>(null);
  const [blurUnavailable, setBlurUnavailable] = useState(false);
  const videoRef = useRef<HTMLVideoElement>(null);
  const mediaRef = useRef<LocalMedia | null>(null);
  const handedOver = useRef(false);
  const ids = { micro: useId(), camera: useId(), speaker: useId(), muted: useId(), cameraOff: useId(), level: useId(), name: useId() };
  const [nameProblem, setNameProblem] = useState(false);

  // Open the devices at first, and again when the user picks another one — not when the lists below are given the
  // devices opened first (opening them again would stop the first ones, which « Rejoindre » may just have taken).
  useEffect(() => {
    const open = mediaRef.current;
    if (open && (open.audio?.getSettings().deviceId ?? '') === audioId && (open.video?.getSettings().deviceId ?? '') === videoId) return;
    let current = true;
    void openLocalMedia({ audioId: audioId || undefined, videoId: videoId || undefined }).then(async (opened) => {
      // Left, or joined meanwhile (the meeting has the devices opened before): these are not needed.
      if (!current || handedOver.current) {
        opened.audio?.stop();
        opened.video?.stop();
        return;
      }
      mediaRef.current?.audio?.stop();
      mediaRef.current?.video?.stop();
      mediaRef.current = opened;
      setMedia(opened);
      const lists = await listDevices().catch(() => ({ micros: [], cameras: [], speakers: [] }));
      if (!current) return;
      setDevices(lists);
      if (!audioId && opened.audio) setAudioId(opened.audio.getSettings().deviceId ?? '');
      if (!videoId && opened.video) setVideoId(opened.video.getSettings().deviceId ?? '');
    });
    return () => {
      current = false;
    };
  }, [audioId, videoId]);

  // Stop the devices when leaving without joining.
  useEffect(
    () => () => {
      if (handedOver.current) return;
      mediaRef.current?.audio?.stop();
      mediaRef.current?.video?.stop();
    },
    [],
  );

  // The preview shows what the others will see: blurred while « Flouter l’arrière-plan » is on.
  useEffect(() => {
    const camera = media?.video;
    if (!blur || !camera) return;
    let current = true;
    let pipeline: BlurPipeline | null = null;
    void import('./blur-pipeline')
      .then(({ startBlur }) => startBlur(camera))
      .then(
        (started) => {
          if (!current) {
            started.stop();
            return;
          }
          pipeline = started;
          setBlurred(started.output);
        },
        (err: unknown) => {
          console.warn('visio: background blur unavailable', err);
          if (!current) return;
          setBlurUnavailable(true);
          setBlur(false);
        },
      );
    return () => {
      current = false;
      pipeline?.stop();
      setBlurred(null);
    };
  }, [blur, media]);

  useEffect(() => {
    const video = videoRef.current;
    if (!video) return;
    const shown = blurred ?? media?.video;
    video.srcObject = shown ? new MediaStream([shown]) : null;
  }, [media, blurred]);

  useEffect(() => {
    if (!media?.audio) return;
    return watchLevel(media.audio, setLevel);
  }, [media]);

  const problemText = (kind: 'micro' | 'camera', problem: DeviceProblem): string => {
    if (kind === 'camera') {
      if (problem === 'notFound') return t('visio.device.cameraNotFound');
      if (problem === 'busy') return t('visio.device.cameraBusy');
      if (problem === 'denied') return t('visio.device.cameraDenied');
      return t('visio.device.cameraOther');
    }
    if (problem === 'notFound') return t('visio.device.microNotFound');
    if (problem === 'busy') return t('visio.device.microBusy');
    if (problem === 'denied') return t('visio.device.microDenied');
    return t('visio.device.microOther');
  };

  const join = () => {
    if (nameField && !nameField.value.trim()) {
      setNameProblem(true);
      document.getElementById(ids.name)?.focus();
      return;
    }
    handedOver.current = true;
    // The devices opened last (a click may come before the render that follows their opening).
    const opened = mediaRef.current;
    onJoin({ audio: opened?.audio ?? null, video: opened?.video ?? null, startMuted, startCameraOff, blur, speakerId });
  };

  const label = (device: MediaDeviceInfo, index: number, kind: 'micro' | 'camera' | 'speaker') => {
    const n = deviceName(device, index);
    if (n.kind === 'named') return n.name;
    if (n.kind === 'systemDefault')
      return n.name ? t('visio.device.systemDefaultNamed', { name: n.name }) : t('visio.device.systemDefault');
    if (n.kind === 'communications')
      return n.name ? t('visio.device.communicationsNamed', { name: n.name }) : t('visio.device.communications');
    return kind === 'micro'
      ? t('visio.device.microNumber', { number: n.number })
      : kind === 'camera'
        ? t('visio.device.cameraNumber', { number: n.number })
        : t('visio.device.speakerNumber', { number: n.number });
  };

  return (
    <div className="visio-prejoin card" data-testid="visio-prejoin">
      <h2>{t('visio.prejoin.title')}</h2>
      <div className="visio-prejoin-body">
        <div className="visio-preview">
          <video ref={videoRef} autoPlay muted playsInline data-testid="visio-preview" aria-label={t('visio.prejoin.preview')} />
          {!media ? (
            <div className="visio-preview-empty">
              <Busy text={t('visio.prejoin.opening')} />
            </div>
          ) : !media.video ? (
            <div className="visio-preview-empty">
              <p>{t('visio.prejoin.noPreview')}</p>
            </div>
          ) : null}
        </div>
        <div className="visio-prejoin-settings form">
          {nameField ? (
            <div className="field">
              <label htmlFor={ids.name}>{t('visio.prejoin.nameLabel')}</label>
              <input
                id={ids.name}
                type="text"
                autoComplete="name"
                maxLength={MAX_DISPLAY_NAME_LENGTH}
                value={nameField.value}
                aria-invalid={nameProblem ? true : undefined}
                aria-describedby={nameProblem ? `${ids.name}-error` : undefined}
                onChange={(e) => {
                  setNameProblem(false);
                  nameField.onChange(e.target.value);
                }}
                data-testid="visio-name-input"
              />
              {nameProblem ? (
                <p className="field-error" id={`${ids.name}-error`}>
                  {t('visio.prejoin.nameMissing')}
                </p>
              ) : null}
            </div>
          ) : (
            <p className="visio-name" data-testid="visio-name">
              {t('visio.prejoin.nameShown', { name: displayName })}
            </p>
          )}
          {media?.videoProblem ? (
            <p className="field-error" role="alert" data-testid="visio-camera-problem">
              {problemText('camera', media.videoProblem)}
            </p>
          ) : null}
          {media?.audioProblem ? (
            <p className="field-error" role="alert" data-testid="visio-micro-problem">
              {problemText('micro', media.audioProblem)}
            </p>
          ) : null}
          <div className="field">
            <label htmlFor={ids.micro}>{t('visio.prejoin.micro')}</label>
            <select id={ids.micro} value={audioId} onChange={(e) => setAudioId(e.target.value)} disabled={devices.micros.length === 0}>
              {devices.micros.map((d, i) => (
                <option key={d.deviceId || i} value={d.deviceId}>
                  {label(d, i, 'micro')}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <span id={ids.level} className="visio-level-label">
              {t('visio.prejoin.level')}
            </span>
            <div
              className="visio-level"
              role="meter"
              aria-labelledby={ids.level}
              aria-valuemin={0}
              aria-valuemax={100}
              aria-valuenow={Math.round(level * 100)}
              data-testid="visio-level"
              data-level={level.toFixed(3)}
            >
              <span style={{ width: `${Math.round(level * 100)}%` }} />
            </div>
          </div>
          <div className="field">
            <label htmlFor={ids.camera}>{t('visio.prejoin.camera')}</label>
            <select id={ids.camera} value={videoId} onChange={(e) => setVideoId(e.target.value)} disabled={devices.cameras.length === 0}>
              {devices.cameras.map((d, i) => (
                <option key={d.deviceId || i} value={d.deviceId}>
                  {label(d, i, 'camera')}
                </option>
              ))}
            </select>
          </div>
          {canChooseSpeaker() ? (
            <div className="field">
              <label htmlFor={ids.speaker}>{t('visio.prejoin.speaker')}</label>
              <select
                id={ids.speaker}
                value={speakerId}
                onChange={(e) => setSpeakerId(e.target.value)}
                disabled={devices.speakers.length === 0}
              >
                {devices.speakers.length === 0 ? <option value="">{t('visio.prejoin.speakerDefault')}</option> : null}
                {devices.speakers.map((d, i) => (
                  <option key={d.deviceId || i} value={d.deviceId}>
                    {label(d, i, 'speaker')}
                  </option>
                ))}
              </select>
            </div>
          ) : null}
          <div className="field field-check">
            <input id={ids.muted} type="checkbox" checked={startMuted} onChange={(e) => setStartMuted(e.target.checked)} />
            <label htmlFor={ids.muted}>{t('visio.prejoin.startMuted')}</label>
          </div>
          <div className="field field-check">
            <input
              id={ids.cameraOff}
              type="checkbox"
              checked={startCameraOff}
              onChange={(e) => setStartCameraOff(e.target.checked)}
              data-testid="visio-start-camera-off"
            />
            <label htmlFor={ids.cameraOff}>{t('visio.prejoin.startCameraOff')}</label>
          </div>
          <div className="field">
            <button
              type="button"
              className="button visio-blur-toggle"
              aria-pressed={blur}
              onClick={() => {
                setBlurUnavailable(false);
                saveBlurPreference(browserStorage(), !blur);
                setBlur(!blur);
              }}
              disabled={!media?.video}
              data-testid="visio-prejoin-blur"
            >
              {t('visio.blur.toggle')}
            </button>
            {blurUnavailable ? (
              <p className="field-error" role="alert" data-testid="visio-blur-unavailable">
                {t('visio.blur.unavailable')}
              </p>
            ) : null}
          </div>
          <div className="form-actions">
            {onCancel ? (
              <button type="button" className="button" onClick={onCancel}>
                {t('common.back')}
              </button>
            ) : null}
            <button type="button" className="button button-primary" onClick={join} disabled={!media} data-testid="visio-rejoindre">
              {joinLabel ?? t('visio.join')}
            </button>
          </div>
        </div>
      </div>
    </div>
  );
}
