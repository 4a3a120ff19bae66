/**
 * What the CalDAV/CardDAV integration tests share: a Core with one test user's account on Radicale (or on a relay
 * in front of it), requests sent directly to Radicale (another client, not Ostal), and the DAV journal's count.
 */
import fs from 'node:fs';
import { afterAll } from 'vitest';
import type { Core } from '../../src/core.js';
import { radicaleRequest, type DavReply } from '../servers/http.js';
import { getServers, type testUser } from '../servers/testing.js';
import { coreWithAccount, radicaleUrl } from './account-fixture.js';

export type TestUser = ReturnType<typeof testUser>;

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/**
 * A Core (CLI mode, no policy, silent log) in a temporary profile, removed after the test file, with `user`'s
 * account whose CalDAV and CardDAV address is Radicale's root — or `davPort` on 127.0.0.1 (a relay in front of it).
 */
export function davCore(user: TestUser, options: { davPort?: number } = {}): Promise<{ core: Core; accountId: string; dir: string }> {
  const dav = options.davPort ? `https://localhost:${options.davPort}/` : radicaleUrl();
  return coreWithAccount(user, dirs, 'ostal-dav-', { caldav: dav, carddav: dav });
}

/** A request to Radicale as `user`, not through Ostal (tests/servers/http.ts radicaleRequest). */
export function radicale(
  user: TestUser,
  method: string,
  urlPath: string,
  body?: string,
  headers: Record<string, string> = {},
): Promise<DavReply> {
  return radicaleRequest(getServers(), user, method, urlPath, body, headers);
}

/** DAV operations of the journal not done yet (of kinds starting with `prefix`; `failed` too when asked). */
export function pendingDavOperations(core: Core, options: { withFailed?: boolean; prefix?: string } = {}): number {
  const states = options.withFailed ? ['pending', 'running', 'failed'] : ['pending', 'running'];
  const row = core.ctx.db
    .prepare(`SELECT count(*) AS n FROM operations WHERE kind LIKE ? AND state IN (${states.map(() => '?').join(', ')})`)
    .get(`${options.prefix ?? 'dav.'}%`, ...states) as { n: number };
  return row.n;
}
