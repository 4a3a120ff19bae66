/** `ostal calendar list --json` and `ostal contacts list --json` as IT scripts use them: real processes and Radicale. */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import type { CalendarEventSummary, ContactSummary } from '../../src/shared/contract.js';
import { SEED_COLLECTIONS, SEED_COUNTS } from '../servers/seed.js';
import { getServers, testUser } from '../servers/testing.js';

const run = promisify(execFile);
const REPO = path.resolve(import.meta.dirname, '../..');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ostal-caldav-cli-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

async function ostal(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['bin/ostal.mjs', ...args, '--profile', dir], {
      cwd: REPO,
      env,
      timeout: 90_000,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

describe('CLI calendar list and contacts list', () => {
  it('give the synced occurrences and contacts as JSON with the documented fields', async () => {
    const s = getServers();
    const user = testUser(1);
    const env = {
      ...process.env,
      NODE_EXTRA_CA_CERTS: s.caCertPath,
      OSTAL_POLICIES: path.join(dir, 'no-policy.json'),
      OSTAL_TEST_PW: user.password,
    };
    const dav = `https://localhost:${s.radicale.port}/`;
    const add = await ostal(
      [
        'account',
        'add',
        '--email',
        user.email,
        '--password-env',
        'OSTAL_TEST_PW',
        '--imap',
        `imaps://localhost:${s.imap.tlsPort}`,
        '--smtp',
        `smtp://localhost:${s.smtp.port}`,
        '--caldav',
        dav,
        '--carddav',
        dav,
      ],
      env,
    );
    expect(add.code, add.stderr).toBe(0);
    for (const only of ['calendar', 'contacts']) {
      const sync = await ostal(['sync', '--only', only], env);
      expect(sync.code, sync.stderr).toBe(0);
    }
    const year = new Date().getFullYear();
    const cal = await ostal(['calendar', 'list', '--from', `${year - 2}-01-01`, '--to', `${year + 2}-12-31`, '--json'], env);
    expect(cal.code, cal.stderr).toBe(0);
    const events = JSON.parse(cal.stdout) as CalendarEventSummary[];
    expect(new Set(events.map((e) => e.uid)).size).toBe(SEED_COUNTS[user.email]?.events);
    for (const e of events) {
      expect(Object.keys(e).sort()).toEqual(['allDay', 'calendar', 'end', 'readOnly', 'recurrenceId', 'start', 'summary', 'uid']);
      // Added field (a calendar shared in read-only): the seeded agenda is the agent's own.
      expect(e.readOnly).toBe(false);
      expect(e.calendar).toBe(SEED_COLLECTIONS.calendarName);
      expect(typeof e.allDay).toBe('boolean');
    }

    const book = await ostal(['contacts', 'list', '--json'], env);
    expect(book.code, book.stderr).toBe(0);
    const contacts = JSON.parse(book.stdout) as ContactSummary[];
    expect(contacts).toHaveLength(SEED_COUNTS[user.email]?.contacts ?? -1);
    for (const c of contacts) expect(Object.keys(c).sort()).toEqual(['addressBook', 'emails', 'fn', 'phones', 'uid']);

    const missing = await ostal(['calendar', 'list', '--json'], env);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('Indiquez la période');
    // Six CLI processes of a few seconds each on a busy machine.
  }, 120_000);
});
