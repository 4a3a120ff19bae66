/**
 * `ostal mail send` (through the Boîte d'envoi) and `ostal mail list --json` as IT scripts use them:
 * real processes (`bin/ostal.mjs`), real Postfix submission and Dovecot.
 */
import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { MessageSummary } from '../../src/shared/contract.js';
import { getServers, testUser } from '../servers/testing.js';

const run = promisify(execFile);
const REPO = path.resolve(import.meta.dirname, '../..');

function cliEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const s = getServers();
  return { ...process.env, NODE_EXTRA_CA_CERTS: s.caCertPath, OSTAL_POLICIES: path.join(os.tmpdir(), 'ostal-no-policy.json'), ...extra };
}

async function ostal(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['bin/ostal.mjs', ...args], { cwd: REPO, env, timeout: 90_000 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

async function profileWith(n: 4 | 5): Promise<{ dir: string; env: NodeJS.ProcessEnv }> {
  const s = getServers();
  const agent = testUser(n);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ostal-cli-mail-'));
  const env = cliEnv({ OSTAL_TEST_PW: agent.password });
  const add = await ostal(
    [
      'account',
      'add',
      '--email',
      agent.email,
      '--name',
      agent.name,
      '--password-env',
      'OSTAL_TEST_PW',
      '--imap',
      `imaps://localhost:${s.imap.tlsPort}`,
      '--smtp',
      `smtp://localhost:${s.smtp.port}`,
      '--profile',
      dir,
    ],
    env,
  );
  expect(add.code, add.stderr).toBe(0);
  return { dir, env };
}

describe('CLI ostal mail', () => {
  it('mail send avec pièce jointe puis, côté destinataire, sync et mail list --json le montrent', async () => {
    const from = await profileWith(4);
    const to = await profileWith(5);
    try {
      const subject = `Envoi en ligne de commande ${crypto.randomUUID()}`;
      const body = path.join(from.dir, 'corps.txt');
      fs.writeFileSync(body, 'Bonjour,\nle rapport est joint.\n');
      const attachment = path.join(from.dir, 'rapport été.csv');
      fs.writeFileSync(attachment, 'colonne;valeur\nbudget;42\n');

      const sent = await ostal(
        [
          'mail',
          'send',
          '--from',
          testUser(4).email,
          '--to',
          testUser(5).email,
          '--subject',
          subject,
          '--body-file',
          body,
          '--attach',
          attachment,
          '--json',
          '--profile',
          from.dir,
        ],
        from.env,
      );
      expect(sent.code, sent.stderr).toBe(0);
      expect(sent.stderr).toContain(`Message envoyé à ${testUser(5).email}`);
      const entry = JSON.parse(sent.stdout) as { state: string; messageId: string; filedInSent: boolean };
      expect(entry).toMatchObject({ state: 'sent', filedInSent: true });

      // Delivery by Postfix → Dovecot LMTP is asynchronous: sync until the message is there.
      let found: MessageSummary | undefined;
      for (let i = 0; i < 10 && !found; i++) {
        const sync = await ostal(['sync', '--only', 'mail', '--profile', to.dir], to.env);
        expect(sync.code, sync.stderr).toBe(0);
        const list = await ostal(['mail', 'list', '--folder', 'INBOX', '--json', '--profile', to.dir], to.env);
        expect(list.code, list.stderr).toBe(0);
        const messages = JSON.parse(list.stdout) as MessageSummary[];
        expect(Array.isArray(messages)).toBe(true);
        found = messages.find((m) => m.messageId === entry.messageId);
        if (!found) await new Promise((r) => setTimeout(r, 500));
      }
      expect(found).toBeDefined();
      expect(found).toMatchObject({ subject, from: { address: testUser(4).email, name: testUser(4).name }, hasAttachments: true });
      for (const key of ['uid', 'messageId', 'subject', 'from', 'date', 'flags', 'hasBody']) expect(found).toHaveProperty(key);
      expect(typeof found!.uid).toBe('number');
      expect(Array.isArray(found!.flags)).toBe(true);

      // The sender's Envoyés has the copy once its profile syncs.
      await ostal(['sync', '--only', 'mail', '--profile', from.dir], from.env);
      const sentList = await ostal(['mail', 'list', '--folder', 'Sent', '--json', '--profile', from.dir], from.env);
      const sentMessages = JSON.parse(sentList.stdout) as MessageSummary[];
      expect(sentMessages.filter((m) => m.messageId === entry.messageId)).toHaveLength(1);
    } finally {
      fs.rmSync(from.dir, { recursive: true, force: true });
      fs.rmSync(to.dir, { recursive: true, force: true });
    }
  });

  it('adresse invalide ou option manquante : message français et code de sortie non nul', async () => {
    const from = await profileWith(4);
    try {
      const body = path.join(from.dir, 'corps.txt');
      fs.writeFileSync(body, 'x');
      const bad = await ostal(
        [
          'mail',
          'send',
          '--from',
          testUser(4).email,
          '--to',
          'pas-une-adresse',
          '--subject',
          'x',
          '--body-file',
          body,
          '--profile',
          from.dir,
        ],
        from.env,
      );
      expect(bad.code).toBe(1);
      expect(bad.stderr).toContain('ne sont pas valides');
      const missing = await ostal(
        ['mail', 'send', '--from', testUser(4).email, '--to', testUser(5).email, '--body-file', body, '--profile', from.dir],
        from.env,
      );
      expect(missing.code).toBe(2);
      expect(missing.stderr).toContain('--subject');
      const noFolder = await ostal(['mail', 'list', '--json', '--profile', from.dir], from.env);
      expect(noFolder.code).toBe(2);
      expect(noFolder.stderr).toContain('--folder');
    } finally {
      fs.rmSync(from.dir, { recursive: true, force: true });
    }
  });

  it('mail send --send-at (heure de Paris sans décalage) : l’entrée porte scheduledAt, mail outbox list --json la montre', async () => {
    const from = await profileWith(4);
    try {
      const body = path.join(from.dir, 'corps.txt');
      fs.writeFileSync(body, 'Bonjour,\nle compte rendu partira demain.\n');
      const env = { ...from.env, TZ: 'Europe/Paris' };
      // Tomorrow at 08:00 on Paris clocks, written without offset as an agent types it.
      const tomorrow = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris' }).format(Date.now() + 86_400_000);
      const sent = await ostal(
        [
          'mail',
          'send',
          '--from',
          testUser(4).email,
          '--to',
          testUser(5).email,
          '--subject',
          `Programmé ${crypto.randomUUID()}`,
          '--body-file',
          body,
          '--send-at',
          `${tomorrow}T08:00`,
          '--json',
          '--profile',
          from.dir,
        ],
        env,
      );
      expect(sent.code, sent.stderr).toBe(0);
      const entry = JSON.parse(sent.stdout) as { id: string; state: string; scheduledAt: string };
      expect(entry.state).toBe('queued');
      const offset = new Date(`${tomorrow}T12:00:00Z`).toLocaleString('en-US', { timeZone: 'Europe/Paris', timeZoneName: 'shortOffset' });
      const hours = Number(/GMT\+(\d+)/.exec(offset)?.[1] ?? 1);
      expect(entry.scheduledAt).toBe(`${tomorrow}T${String(8 - hours).padStart(2, '0')}:00:00.000Z`);
      expect(sent.stderr).toContain('Envoi programmé le');

      const list = await ostal(['mail', 'outbox', 'list', '--json', '--profile', from.dir], env);
      expect(list.code, list.stderr).toBe(0);
      expect(JSON.parse(list.stdout)).toEqual([expect.objectContaining({ id: entry.id, state: 'queued', scheduledAt: entry.scheduledAt })]);

      const past = await ostal(
        ['mail', 'send', '--from', testUser(4).email, '--to', testUser(5).email, '--subject', 'x', '--body-file', body].concat([
          '--send-at',
          '2020-01-01T08:00',
          '--profile',
          from.dir,
        ]),
        env,
      );
      expect(past.code).toBe(1);
      expect(past.stderr).toContain('Cette heure est déjà passée');
    } finally {
      fs.rmSync(from.dir, { recursive: true, force: true });
    }
  });
});
