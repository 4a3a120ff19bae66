import { describe, expect, it } from 'vitest';
import { colleagueAddress } from '../../renderer/src/views/espaces/discuss';

const discuss = { domains: ['ostal.test'], own: ['agent1@ostal.test'], open: () => undefined };

describe('« Discuter » (a message’s sender, a contact card)', () => {
  it('opens a discussion with a colleague of the agent’s own domain', () => {
    expect(colleagueAddress(discuss, ['agent2@ostal.test'])).toBe('agent2@ostal.test');
    expect(colleagueAddress(discuss, ['claude@mairie.example', 'Agent3@Ostal.test'])).toBe('Agent3@Ostal.test');
  });

  it('never with the agent itself (its own sent message, its own card), nor outside its domains', () => {
    expect(colleagueAddress(discuss, ['agent1@ostal.test'])).toBeUndefined();
    expect(colleagueAddress(discuss, [' AGENT1@ostal.test '])).toBeUndefined();
    expect(colleagueAddress(discuss, ['agent1@ostal.test', 'agent4@ostal.test'])).toBe('agent4@ostal.test');
    expect(colleagueAddress(discuss, ['claude@mairie.example'])).toBeUndefined();
    expect(colleagueAddress(null, ['agent2@ostal.test'])).toBeUndefined();
  });
});
