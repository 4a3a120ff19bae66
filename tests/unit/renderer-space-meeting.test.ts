/**
 * What the meeting of a space does when the agent's spaces change (renderer/src/views/espaces/space-meeting.ts): it is
 * recognised by its room, follows the space's new room after a member's removal, and is left when the space leaves the
 * agent's list; a meeting in another room, or in a space's old room, is left alone.
 */
import { describe, expect, it } from 'vitest';
import type { Workspace } from '../../src/shared/contract.js';
import { spaceMeetingRoomId, spaceMeetingStep } from '../../renderer/src/views/espaces/space-meeting.js';

const space = (id: string, name: string, visioRoom: string): Workspace => ({
  id,
  accountId: 'compte',
  name,
  description: '',
  members: ['agent1@mairie.test', 'agent2@mairie.test'],
  owner: 'agent1@mairie.test',
  documentsUrl: null,
  visioRoom,
  createdAt: '2026-12-01T09:00:00.000Z',
  unread: 0,
  mentions: 0,
});

const mediatheque = space('mediatheque@conference.mairie.test', 'Projet médiathèque', 'espace-AAAAAAAAAAAAAAAAAAAAAAAA');
const voirie = space('voirie@conference.mairie.test', 'Voirie', 'espace-BBBBBBBBBBBBBBBBBBBBBBBB');
const room = spaceMeetingRoomId(mediatheque.visioRoom);

describe('spaceMeetingStep', () => {
  it('pads a short (legacy) visio room to the protocol’s 22 characters and keeps a long one', () => {
    expect(spaceMeetingRoomId('espace-cafe')).toBe('espace-cafe-0000000000');
    expect(spaceMeetingRoomId('espace-cafe')).toHaveLength(22);
    expect(room).toBe('espace-AAAAAAAAAAAAAAAAAAAAAAAA');
  });

  it('recognises the space of a meeting by its room, and nothing else', () => {
    expect(spaceMeetingStep(room, null, [voirie, mediatheque])).toEqual({
      kind: 'stay',
      space: { id: mediatheque.id, name: 'Projet médiathèque' },
    });
    expect(spaceMeetingStep('q3Jd0wqV8m1X9pLh2kTzAw', null, [voirie, mediatheque])).toEqual({ kind: 'stay', space: null });
    // Not recognised yet and its space gone, or a meeting of an agent without spaces: nothing to do.
    expect(spaceMeetingStep(room, null, [])).toEqual({ kind: 'stay', space: null });
  });

  it('follows the space’s new room, and leaves when the space is gone', () => {
    const tracked = { id: mediatheque.id, name: 'Projet médiathèque' };
    const renewed = { ...mediatheque, visioRoom: 'espace-CCCCCCCCCCCCCCCCCCCCCCCC' };
    expect(spaceMeetingStep(room, tracked, [renewed, voirie])).toEqual({
      kind: 'move',
      space: tracked,
      roomId: 'espace-CCCCCCCCCCCCCCCCCCCCCCCC',
    });
    expect(spaceMeetingStep('espace-CCCCCCCCCCCCCCCCCCCCCCCC', tracked, [renewed])).toEqual({ kind: 'stay', space: tracked });
    expect(spaceMeetingStep(room, tracked, [voirie])).toEqual({ kind: 'leave', space: tracked });
    // Renamed meanwhile: the message names it as it is now.
    expect(spaceMeetingStep(room, tracked, [{ ...mediatheque, name: 'Médiathèque (travaux)' }])).toEqual({
      kind: 'stay',
      space: { id: mediatheque.id, name: 'Médiathèque (travaux)' },
    });
  });
});
