/** `ostal calendar add` and `ostal import FICHIER` as IT scripts use them: real processes, Radicale (agent4). */
import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import type { CalendarEventSummary } from '../../src/shared/contract.js';
import { getServers, testUser } from '../servers/testing.js';

const run = promisify(execFile);
const REPO = path.resolve(import.meta.dirname, '../..');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ostal-calendar-cli-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

async function ostal(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['bin/ostal.mjs', ...args, '--profile', path.join(dir, 'profil')], {
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

describe('CLI calendar add and import', () => {
  it('adds an event (sent to Radicale at once) and imports an .ics with a French summary', async () => {
    const s = getServers();
    const user = testUser(4);
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
        '--username',
        user.username,
      ],
      env,
    );
    expect(add.code, add.stderr).toBe(0);
    expect((await ostal(['sync', '--only', 'calendar'], env)).code).toBe(0);

    const title = `Commission des finances ${crypto.randomBytes(3).toString('hex')}`;
    const created = await ostal(
      [
        'calendar',
        'add',
        '--summary',
        title,
        '--start',
        '2027-09-14T17:00',
        '--end',
        '2027-09-14T19:00',
        '--location',
        'Salle 3',
        '--json',
      ],
      env,
    );
    expect(created.code, created.stderr).toBe(0);
    const { uid, sent } = JSON.parse(created.stdout) as { uid: string; sent: boolean };
    expect(sent).toBe(true);
    const human = await ostal(['calendar', 'add', '--summary', `${title} bis`, '--start', '2027-09-15', '--all-day'], env);
    expect(human.stdout).toContain(`Événement «\u00a0${title} bis\u00a0» enregistré et envoyé au serveur.`);

    // A fresh profile sees it on the server.
    const other = path.join(dir, 'autre');
    const again = async (args: string[]) => {
      try {
        const { stdout } = await run(process.execPath, ['bin/ostal.mjs', ...args, '--profile', other], { cwd: REPO, env, timeout: 90_000 });
        return stdout;
      } catch (err) {
        throw new Error(String((err as { stderr?: string }).stderr));
      }
    };
    await again([
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
      '--username',
      user.username,
    ]);
    await again(['sync', '--only', 'calendar']);
    const listed = JSON.parse(
      await again(['calendar', 'list', '--from', '2027-09-14', '--to', '2027-09-16', '--json']),
    ) as CalendarEventSummary[];
    expect(listed.find((e) => e.uid === uid)).toMatchObject({
      summary: title,
      start: '2027-09-14T15:00:00.000Z',
      end: '2027-09-14T17:00:00.000Z',
      allDay: false,
    });
    expect(listed.find((e) => e.summary === `${title} bis`)).toMatchObject({ allDay: true, start: '2027-09-15' });

    const imported = await ostal(['import', path.join(REPO, 'tests/fixtures/calendar-import/tronque.ics')], env);
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stdout).toContain('1 événement(s) importé(s).');
    const bad = await ostal(['calendar', 'add', '--summary', 'x'], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('Indiquez au moins --summary');
  }, 240_000);
});
