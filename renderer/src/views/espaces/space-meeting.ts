/**
 * The visio of a space while a meeting of it goes on. Its room id is known to the members only (the room's subject,
 * see src/workspaces/service.ts); when a member is removed, the owner's Ostal draws a new one. The meeting then
 * follows it: every member's Ostal moves to the new room, so the removed member stays behind alone, and the removed
 * member's own Ostal, whose space is gone from its list, leaves the meeting. Decided here, applied by
 * SpaceMeetingWatch (App shell, for any meeting: one joined from a pasted link is recognised by its room id too).
 */
import type { Workspace } from '../../../../src/shared/contract';

/** The meeting room id of a space: its visio room, made long enough for the meeting protocol (22 to 64 characters). */
export function spaceMeetingRoomId(visioRoom: string): string {
  const clean = visioRoom.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 64);
  return clean.length >= 22 ? clean : `${clean}-${'0'.repeat(21 - clean.length)}`;
}

/** The space a meeting belongs to, once recognised. */
export interface TrackedSpace {
  id: string;
  name: string;
}

export type SpaceMeetingStep =
  /** Nothing to do; `space`: the space the meeting belongs to (null: none, or not known yet). */
  | { kind: 'stay'; space: TrackedSpace | null }
  /** The space's visio has a new room: the meeting moves there. */
  | { kind: 'move'; space: TrackedSpace; roomId: string }
  /** The agent is no longer in the space (removed, or the space deleted): it leaves the meeting. */
  | { kind: 'leave'; space: TrackedSpace };

/**
 * What to do about the meeting in `roomId` given the agent's spaces now. `tracked`: the space it was recognised as
 * (null before). A meeting is recognised only by its current room: a meeting joined in an old room of a space (a
 * stale link) is none of the space's business.
 */
export function spaceMeetingStep(roomId: string, tracked: TrackedSpace | null, spaces: readonly Workspace[]): SpaceMeetingStep {
  if (!tracked) {
    const found = spaces.find((w) => spaceMeetingRoomId(w.visioRoom) === roomId);
    return { kind: 'stay', space: found ? { id: found.id, name: found.name } : null };
  }
  const space = spaces.find((w) => w.id === tracked.id);
  if (!space) return { kind: 'leave', space: tracked };
  const current = { id: space.id, name: space.name };
  const newRoom = spaceMeetingRoomId(space.visioRoom);
  return newRoom === roomId ? { kind: 'stay', space: current } : { kind: 'move', space: current, roomId: newRoom };
}
