/**
 * « Flouter l’arrière-plan » in a MeetingSession when the model cannot run (here: no DOM, no canvas, no wasm): the
 * camera stays as it is, the choice falls back to off and the view is told (`blurUnavailable`), the detail logged.
 */
import { describe, expect, it } from 'vitest';
import { MeetingSession } from '../../renderer/src/views/visio/session.js';

function fakeCamera(): MediaStreamTrack {
  return { id: 'camera-1', kind: 'video', readyState: 'live', enabled: true, stop() {} } as unknown as MediaStreamTrack;
}

function session(blur: boolean, logs: string[]) {
  return new MeetingSession({
    serverUrl: 'http://127.0.0.1:1',
    roomId: 'salle-de-test-0123456789ab',
    displayName: 'Agent',
    token: null,
    audioTrack: null,
    videoTrack: fakeCamera(),
    startMuted: false,
    blur,
    log: (message) => logs.push(message),
  });
}

describe('MeetingSession background blur', () => {
  it('starts without blur unless chosen', () => {
    const s = session(false, []);
    expect(s.snapshot.blur).toBe(false);
    expect(s.snapshot.blurredCamera).toBeNull();
    expect(s.snapshot.blurUnavailable).toBe(false);
  });

  it('keeps the camera as it is and says blur is unavailable when the model cannot load', async () => {
    const logs: string[] = [];
    const s = session(true, logs);
    const camera = s.snapshot.localCamera;
    await expect.poll(() => s.snapshot.blurUnavailable, { timeout: 10_000 }).toBe(true);
    expect(s.snapshot.blur).toBe(false);
    expect(s.snapshot.blurredCamera).toBeNull();
    expect(s.snapshot.localCamera).toBe(camera);
    expect(logs).toContain('visio: background blur unavailable');
    // Asked again: tried again (not cached as a failure), told again.
    await s.setBlur(true);
    expect(s.snapshot.blurUnavailable).toBe(true);
    expect(s.snapshot.blur).toBe(false);
  });
});
