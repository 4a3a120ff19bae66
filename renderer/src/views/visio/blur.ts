/**
 * « Flouter l’arrière-plan »: the decisions, in plain code (no DOM, no wasm). The glue that runs the segmentation
 * model and draws the frames is blur-pipeline.ts.
 *
 * The pipeline is kept light for a 2-core office computer: the person is found on a small copy of the frame
 * (MASK_WIDTH × MASK_HEIGHT) at most MAX_SEGMENT_FPS times a second, while the frames sent keep the camera's own
 * rate, composited from the latest mask.
 */

/** Size of the frame given to the segmentation model (the landscape model's own input is 256 × 144). */
export const MASK_WIDTH = 256;
export const MASK_HEIGHT = 144;
/** At most this many segmentations a second (the video itself keeps its rate). */
export const MAX_SEGMENT_FPS = 15;
/** Frame rate of the blurred track when the camera does not say its own. */
export const DEFAULT_VIDEO_FPS = 24;

/** Where the choice is remembered, on this computer (as the guest page remembers the name). */
export const BLUR_PREFERENCE_KEY = 'ostal.visio.blur';

type ReadStorage = Pick<Storage, 'getItem'>;
type WriteStorage = Pick<Storage, 'setItem'>;

/** The page's localStorage, or null where it cannot be used. */
export function browserStorage(): Storage | null {
  try {
    return typeof window === 'undefined' ? null : window.localStorage;
  } catch {
    return null;
  }
}

export function loadBlurPreference(storage: ReadStorage | null | undefined): boolean {
  try {
    return storage?.getItem(BLUR_PREFERENCE_KEY) === 'on';
  } catch {
    // Storage refused (private browsing): blur starts off.
    return false;
  }
}

export function saveBlurPreference(storage: WriteStorage | null | undefined, on: boolean): void {
  try {
    storage?.setItem(BLUR_PREFERENCE_KEY, on ? 'on' : 'off');
  } catch {
    // Not remembered: the choice still holds for this meeting.
  }
}

/** What to do with the pipeline, given the choice, the camera and what runs now. */
export type BlurAction = 'start' | 'stop' | 'restart' | 'keep';

export interface BlurSituation {
  /** The agent chose « Flouter l’arrière-plan ». */
  wanted: boolean;
  /** The model could not be loaded on this computer: nothing is started again. */
  unavailable: boolean;
  /** The camera track (raw), or null without camera. */
  camera: { id: string; readyState: MediaStreamTrackState } | null;
  /** The id of the camera track the running pipeline reads, or null when none runs. */
  runningOn: string | null;
}

/**
 * Start when wanted and a live camera has no pipeline; restart when the camera changed (another device, a new
 * track); stop when not wanted any more or the camera is gone. Camera off (the track disabled) keeps the pipeline:
 * turning the camera back on shows the blurred image at once (the pipeline skips the model meanwhile).
 */
export function blurAction(s: BlurSituation): BlurAction {
  const cameraLive = s.camera !== null && s.camera.readyState === 'live';
  const shouldRun = s.wanted && !s.unavailable && cameraLive;
  if (!shouldRun) return s.runningOn === null ? 'keep' : 'stop';
  if (s.runningOn === null) return 'start';
  return s.runningOn === s.camera!.id ? 'keep' : 'restart';
}

/**
 * Share of the time the model may take at most: on a computer where one segmentation is slow (no GPU: hundreds of
 * milliseconds), segmenting back to back would leave no time to draw the video nor run the meeting.
 */
export const MAX_SEGMENT_SHARE = 1 / 3;
/** Rest after a segmentation, as a multiple of its duration, that keeps the model within MAX_SEGMENT_SHARE. */
const REST_FACTOR = Math.round(1 / MAX_SEGMENT_SHARE) - 1;

/**
 * Milliseconds to wait, after a segmentation that took `duration` ms, before the next one: at most `maxFps` a
 * second, and the model busy at most MAX_SEGMENT_SHARE of the time (the rest goes to drawing and the meeting).
 */
export function nextSegmentationDelay(duration: number, maxFps: number = MAX_SEGMENT_FPS): number {
  const d = Math.max(0, duration);
  return Math.ceil(Math.max(1000 / maxFps - d, d * REST_FACTOR));
}

/** While the camera is switched off (black frames), the model is not run: check again after this many ms. */
export const CAMERA_OFF_RECHECK_MS = 250;

/** Frame rate of the blurred track: the camera's own (within 1..30), else DEFAULT_VIDEO_FPS. */
export function outputFrameRate(cameraFps: number | undefined): number {
  if (!cameraFps || !Number.isFinite(cameraFps) || cameraFps <= 0) return DEFAULT_VIDEO_FPS;
  return Math.min(30, Math.max(1, Math.round(cameraFps)));
}

/**
 * Radius of the background blur, in pixels of the reduced background (a quarter of the frame's size): strong enough
 * that a room, papers or a whiteboard cannot be read, at any camera resolution.
 */
export const BACKGROUND_SCALE = 4;
export function backgroundBlurRadius(frameWidth: number): number {
  return Math.max(3, Math.round(frameWidth / BACKGROUND_SCALE / 40));
}
