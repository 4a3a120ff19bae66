/** Local devices: opening micro and camera, listing them, and naming what went wrong. */

/**
 * How to name a device in the lists: the browser calls the system's default device « Default » (« Default -
 * Micro (Realtek) » on Windows, « Communications - … » beside it), in English whatever the system's language; Ostal
 * says it in French and keeps the device's own name, which is a proper name. Unnamed devices get a number.
 */
export type DeviceName =
  | { kind: 'systemDefault'; name: string | null }
  | { kind: 'communications'; name: string | null }
  | { kind: 'named'; name: string }
  | { kind: 'numbered'; number: number };

export function deviceName(device: { deviceId: string; label: string }, index: number): DeviceName {
  const label = device.label.trim();
  const inner = (prefix: RegExp) => {
    const m = prefix.exec(label);
    return m ? label.slice(m[0].length).trim() || null : null;
  };
  if (device.deviceId === 'default') return { kind: 'systemDefault', name: inner(/^default\s*-\s*/i) };
  if (device.deviceId === 'communications') return { kind: 'communications', name: inner(/^communications\s*-\s*/i) };
  return label ? { kind: 'named', name: label } : { kind: 'numbered', number: index + 1 };
}

/** What went wrong when opening a device (the view shows a French message for each). */
export type DeviceProblem = 'notFound' | 'busy' | 'denied' | 'other';

export function deviceProblem(err: unknown): DeviceProblem {
  const name = err instanceof DOMException || err instanceof Error ? err.name : '';
  if (name === 'NotFoundError' || name === 'OverconstrainedError' || name === 'DevicesNotFoundError') return 'notFound';
  if (name === 'NotReadableError' || name === 'TrackStartError' || name === 'AbortError') return 'busy';
  if (name === 'NotAllowedError' || name === 'SecurityError' || name === 'PermissionDeniedError') return 'denied';
  return 'other';
}

export interface LocalMedia {
  audio: MediaStreamTrack | null;
  video: MediaStreamTrack | null;
  audioProblem: DeviceProblem | null;
  videoProblem: DeviceProblem | null;
}

const VIDEO_CONSTRAINTS: MediaTrackConstraints = { width: { ideal: 1280 }, height: { ideal: 720 }, frameRate: { ideal: 24, max: 30 } };
const AUDIO_CONSTRAINTS: MediaTrackConstraints = { echoCancellation: true, noiseSuppression: true, autoGainControl: true };

/**
 * Open micro and camera (the chosen ones, else the default). One request for both (one permission prompt);
 * when it fails, each device alone, so that the message says which one is missing, busy or refused.
 */
export async function openLocalMedia(choice: { audioId?: string; videoId?: string; wantVideo?: boolean } = {}): Promise<LocalMedia> {
  const audio: MediaTrackConstraints = { ...AUDIO_CONSTRAINTS, ...(choice.audioId ? { deviceId: { exact: choice.audioId } } : {}) };
  const video: MediaTrackConstraints = { ...VIDEO_CONSTRAINTS, ...(choice.videoId ? { deviceId: { exact: choice.videoId } } : {}) };
  const wantVideo = choice.wantVideo ?? true;
  if (!navigator.mediaDevices?.getUserMedia) return { audio: null, video: null, audioProblem: 'other', videoProblem: 'other' };
  try {
    const stream = await navigator.mediaDevices.getUserMedia({ audio, video: wantVideo ? video : false });
    return { audio: stream.getAudioTracks()[0] ?? null, video: stream.getVideoTracks()[0] ?? null, audioProblem: null, videoProblem: null };
  } catch {
    // Find out which device is the problem.
  }
  const result: LocalMedia = { audio: null, video: null, audioProblem: null, videoProblem: null };
  try {
    result.audio = (await navigator.mediaDevices.getUserMedia({ audio })).getAudioTracks()[0] ?? null;
  } catch (err) {
    result.audioProblem = deviceProblem(err);
  }
  if (wantVideo) {
    try {
      result.video = (await navigator.mediaDevices.getUserMedia({ video })).getVideoTracks()[0] ?? null;
    } catch (err) {
      result.videoProblem = deviceProblem(err);
    }
  }
  return result;
}

export interface DeviceLists {
  micros: MediaDeviceInfo[];
  cameras: MediaDeviceInfo[];
  speakers: MediaDeviceInfo[];
}

export async function listDevices(): Promise<DeviceLists> {
  const all = navigator.mediaDevices?.enumerateDevices ? await navigator.mediaDevices.enumerateDevices() : [];
  return {
    micros: all.filter((d) => d.kind === 'audioinput'),
    cameras: all.filter((d) => d.kind === 'videoinput'),
    speakers: all.filter((d) => d.kind === 'audiooutput'),
  };
}

/** Whether this browser can choose the loudspeaker of an audio element. */
export function canChooseSpeaker(): boolean {
  return typeof HTMLMediaElement !== 'undefined' && 'setSinkId' in HTMLMediaElement.prototype;
}

/** Can this browser share a screen? (Not phone browsers: « Partager l’écran » is then not offered.) */
export function canShareScreen(): boolean {
  return typeof navigator !== 'undefined' && typeof navigator.mediaDevices?.getDisplayMedia === 'function';
}

/** Route an element's sound to a loudspeaker (ignored where it is not possible). */
export async function applySpeaker(element: HTMLMediaElement, sinkId: string): Promise<void> {
  const withSink = element as HTMLMediaElement & { setSinkId?: (id: string) => Promise<void> };
  if (!sinkId || !withSink.setSinkId) return;
  try {
    await withSink.setSinkId(sinkId);
  } catch {
    // The device went away: the default loudspeaker keeps playing.
  }
}

/**
 * Live level of a micro (0..1) for the meter: an AnalyserNode on the track, read on each animation frame.
 * Returns the function that stops it.
 */
export function watchLevel(track: MediaStreamTrack, onLevel: (level: number) => void): () => void {
  const AudioContextClass = window.AudioContext;
  if (!AudioContextClass) return () => undefined;
  const context = new AudioContextClass();
  const source = context.createMediaStreamSource(new MediaStream([track]));
  const analyser = context.createAnalyser();
  analyser.fftSize = 512;
  source.connect(analyser);
  const samples = new Float32Array(analyser.fftSize);
  let frame = 0;
  let stopped = false;
  const tick = () => {
    if (stopped) return;
    analyser.getFloatTimeDomainData(samples);
    let sum = 0;
    for (const v of samples) sum += v * v;
    const rms = Math.sqrt(sum / samples.length);
    // Speech sits around 0.02–0.2 RMS: spread it over the meter.
    onLevel(Math.min(1, rms * 5));
    frame = requestAnimationFrame(tick);
  };
  void context.resume().catch(() => undefined);
  frame = requestAnimationFrame(tick);
  return () => {
    stopped = true;
    cancelAnimationFrame(frame);
    source.disconnect();
    void context.close().catch(() => undefined);
  };
}
