/**
 * `ostal import FICHIER… --account E --json` on the sample PST against the test Dovecot: the stable JSON report
 * (MigrationReport), progress on stderr, and a French message with a non-zero code for a file of another kind.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { MigrationReport } from '../../src/shared/contract.js';
import { getServers } from '../servers/testing.js';
import { addImapUser, imapConnection } from './mail-offline-fixture.js';

const run = promisify(execFile);
const REPO = path.resolve(import.meta.dirname, '../..');
const PST = path.join(REPO, 'node_modules/pst-extractor/example/testdata/enron.pst');

async function ostal(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['bin/ostal.mjs', ...args], { cwd: REPO, env, timeout: 120_000 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

describe('ostal import (migration) en ligne de commande', () => {
  it(
    'importe le PST d’exemple avec un rapport JSON stable, puis refuse un fichier d’un autre genre en français',
    { timeout: 240_000 },
    async () => {
      const s = getServers();
      const user = addImapUser(s, 'mig-cli');
      await (await imapConnection(s, user)).logout();
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ostal-mig-cli-'));
      const profile = path.join(dir, 'profil');
      const env = { ...process.env, MDP: user.password, NODE_EXTRA_CA_CERTS: s.caCertPath };
      const add = await ostal(
        [
          'account',
          'add',
          '--email',
          user.email,
          '--password-env',
          'MDP',
          '--imap',
          `imaps://localhost:${s.imap.tlsPort}`,
          '--smtp',
          `smtps://localhost:${s.smtp.tlsPort}`,
          '--profile',
          profile,
        ],
        env,
      );
      expect(add.code, add.stderr).toBe(0);
      const r = await ostal(['import', PST, '--account', user.email, '--json', '--profile', profile], env);
      expect(r.code, r.stderr).toBe(0);
      const report = JSON.parse(r.stdout) as MigrationReport;
      expect(Object.keys(report).sort()).toEqual(
        ['accountId', 'email', 'state', 'sources', 'folders', 'totals', 'skipped', 'notes', 'startedAt', 'finishedAt', 'message'].sort(),
      );
      expect(report.email).toBe(user.email);
      expect(report.sources).toEqual([{ path: PST, kind: 'pst', error: null }]);
      expect(report.totals.imported).toBe(71);
      expect(r.stderr).toMatch(/\d+\/71/);
      const bad = path.join(dir, 'faux.pst');
      fs.writeFileSync(bad, 'pas un fichier Outlook\n');
      const refused = await ostal(['import', bad, '--account', user.email, '--profile', profile], env);
      expect(refused.code).toBe(1);
      expect(refused.stdout + refused.stderr).toContain('porte le nom d’un fichier Outlook (.pst, .ost) mais n’en est pas un');
    },
  );
});
