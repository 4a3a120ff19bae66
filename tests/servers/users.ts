import type { TestUser } from './types.js';

export const TEST_DOMAIN = 'ostal.test' as const;

const NAMES = ['Camille Martin', 'Dominique Bernard', 'Claude Petit', 'Sacha Durand', 'Alix Lefèvre'] as const;

/** agent1@ostal.test … agent5@ostal.test, password `motdepasse-agentN`. */
export const TEST_USERS: readonly TestUser[] = NAMES.map((name, i) => {
  const email = `agent${i + 1}@${TEST_DOMAIN}`;
  return { email, username: email, password: `motdepasse-agent${i + 1}`, name };
});
