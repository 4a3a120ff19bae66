import { describe, expect, it } from 'vitest';
import {
  backgroundBlurRadius,
  BLUR_PREFERENCE_KEY,
  blurAction,
  loadBlurPreference,
  MAX_SEGMENT_FPS,
  nextSegmentationDelay,
  outputFrameRate,
  saveBlurPreference,
} from '../../renderer/src/views/visio/blur';

const live = (id: string) => ({ id, readyState: 'live' as MediaStreamTrackState });

describe('blurAction (when to start, restart or stop the pipeline)', () => {
  it('starts when wanted with a live camera and nothing running', () => {
    expect(blurAction({ wanted: true, unavailable: false, camera: live('cam1'), runningOn: null })).toBe('start');
  });
  it('keeps a pipeline on the same camera, and does nothing when not wanted and not running', () => {
    expect(blurAction({ wanted: true, unavailable: false, camera: live('cam1'), runningOn: 'cam1' })).toBe('keep');
    expect(blurAction({ wanted: false, unavailable: false, camera: live('cam1'), runningOn: null })).toBe('keep');
  });
  it('restarts on another camera track (device change)', () => {
    expect(blurAction({ wanted: true, unavailable: false, camera: live('cam2'), runningOn: 'cam1' })).toBe('restart');
  });
  it('stops when turned off, when the camera ended or is gone', () => {
    expect(blurAction({ wanted: false, unavailable: false, camera: live('cam1'), runningOn: 'cam1' })).toBe('stop');
    expect(blurAction({ wanted: true, unavailable: false, camera: { id: 'cam1', readyState: 'ended' }, runningOn: 'cam1' })).toBe('stop');
    expect(blurAction({ wanted: true, unavailable: false, camera: null, runningOn: 'cam1' })).toBe('stop');
  });
  it('never starts once the model proved unavailable, nor on an ended camera', () => {
    expect(blurAction({ wanted: true, unavailable: true, camera: live('cam1'), runningOn: null })).toBe('keep');
    expect(blurAction({ wanted: true, unavailable: false, camera: { id: 'cam1', readyState: 'ended' }, runningOn: null })).toBe('keep');
  });
});

describe('segmentation throttling', () => {
  it('runs at most MAX_SEGMENT_FPS a second on a fast computer', () => {
    expect(MAX_SEGMENT_FPS).toBeLessThanOrEqual(15);
    expect(nextSegmentationDelay(0)).toBe(Math.ceil(1000 / MAX_SEGMENT_FPS));
    expect(nextSegmentationDelay(6) + 6).toBeGreaterThanOrEqual(1000 / MAX_SEGMENT_FPS);
  });
  it('leaves two thirds of the time to the video and the meeting on a slow one', () => {
    expect(nextSegmentationDelay(300)).toBe(600);
    expect(nextSegmentationDelay(2000)).toBe(4000);
    expect(nextSegmentationDelay(-5)).toBe(Math.ceil(1000 / MAX_SEGMENT_FPS));
  });
});

describe('output frame rate and blur strength', () => {
  it('keeps the camera’s own rate within 1..30, 24 when unknown', () => {
    expect(outputFrameRate(30)).toBe(30);
    expect(outputFrameRate(60)).toBe(30);
    expect(outputFrameRate(15)).toBe(15);
    expect(outputFrameRate(undefined)).toBe(24);
    expect(outputFrameRate(0)).toBe(24);
  });
  it('blurs more on larger frames, never less than 3 px of the reduced background', () => {
    expect(backgroundBlurRadius(1280)).toBe(8);
    expect(backgroundBlurRadius(320)).toBe(3);
    expect(backgroundBlurRadius(1920)).toBeGreaterThan(backgroundBlurRadius(1280));
  });
});

describe('blur preference', () => {
  it('is remembered as on/off, off by default and when storage fails', () => {
    const store = new Map<string, string>();
    const storage = { getItem: (k: string) => store.get(k) ?? null, setItem: (k: string, v: string) => void store.set(k, v) };
    expect(loadBlurPreference(storage)).toBe(false);
    saveBlurPreference(storage, true);
    expect(store.get(BLUR_PREFERENCE_KEY)).toBe('on');
    expect(loadBlurPreference(storage)).toBe(true);
    saveBlurPreference(storage, false);
    expect(loadBlurPreference(storage)).toBe(false);
    const broken = {
      getItem: () => {
        throw new Error('denied');
      },
      setItem: () => {
        throw new Error('denied');
      },
    };
    expect(loadBlurPreference(broken)).toBe(false);
    expect(() => saveBlurPreference(broken, true)).not.toThrow();
    expect(loadBlurPreference(null)).toBe(false);
  });
});
