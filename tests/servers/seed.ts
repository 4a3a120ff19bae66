import type { ServersInfo } from './types.js';
export interface UserSeedCounts { x: number }
export type SeedCounts = Record<string, UserSeedCounts>;
export const SEED_COUNTS: SeedCounts = {};
export const DEMO_COUNTS: SeedCounts = {};
export async function seedServers(_info: ServersInfo, _kind: 'test' | 'demo'): Promise<void> {}
