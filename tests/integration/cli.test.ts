/**
 * The headless CLI as IT scripts use it: real processes (`bin/ostal.mjs`), real Dovecot and Postfix.
 * `account add` (by discovery) → `sync --only mail` → `status --json` must give the server's counts.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { ImapFlow } from 'imapflow';
import { describe, expect, it } from 'vitest';
import type { CliStatus } from '../../src/shared/contract.js';
import { SEED_COUNTS, SEED_FOLDERS } from '../servers/seed.js';
import { caCert, getServers, testUser } from '../servers/testing.js';

const run = promisify(execFile);
const REPO = path.resolve(import.meta.dirname, '../..');

function cliEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const s = getServers();
  return {
    ...process.env,
    NODE_EXTRA_CA_CERTS: s.caCertPath,
    OSTAL_DNS_SERVERS: `127.0.0.1:${s.dns.port}`,
    OSTAL_DISCOVERY_HTTPS_PORT: String(s.apache.port),
    OSTAL_POLICIES: path.join(os.tmpdir(), 'ostal-no-policy.json'),
    ...extra,
  };
}

async function ostal(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['bin/ostal.cjs', ...args], { cwd: REPO, env, timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

/** Counts straight from Dovecot, independently of Ostal. */
async function serverCounts(user: { email: string; password: string }): Promise<Map<string, { total: number; unread: number }>> {
  const s = getServers();
  const client = new ImapFlow({
    host: 'localhost',
    port: s.imap.tlsPort,
    secure: true,
    auth: { user: user.email, pass: user.password },
    tls: { ca: caCert() },
    logger: false,
  });
  await client.connect();
  try {
    const out = new Map<string, { total: number; unread: number }>();
    for (const box of await client.list()) {
      const st = await client.status(box.path, { messages: true, unseen: true });
      if (!st) throw new Error(`STATUS refused for ${box.path}`);
      out.set(box.path, { total: st.messages ?? 0, unread: st.unseen ?? 0 });
    }
    return out;
  } finally {
    await client.logout();
  }
}

describe('CLI ostal', () => {
  it('account add (découverte) puis sync --only mail puis status --json donne les comptes du serveur', async () => {
    const agent = testUser(1);
    const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'ostal-cli-'));
    const env = cliEnv({ OSTAL_TEST_PW: agent.password });

    const add = await ostal(
      ['account', 'add', '--email', agent.email, '--name', agent.name, '--password-env', 'OSTAL_TEST_PW', '--profile', profile],
      env,
    );
    expect(add.stderr).toContain('Vérification de la connexion');
    expect(add.code).toBe(0);
    expect(add.stdout).toContain(`Compte ${agent.email} ajouté.`);

    const list = await ostal(['account', 'list', '--json', '--profile', profile], env);
    expect(list.code).toBe(0);
    const accounts = JSON.parse(list.stdout) as { email: string; settings: { imap: string } }[];
    expect(accounts.map((a) => a.email)).toEqual([agent.email]);
    expect(accounts[0].settings.imap).toMatch(/^imaps?:\/\/localhost:\d+$/);

    const sync = await ostal(['sync', '--only', 'mail', '--profile', profile], env);
    expect(sync.code).toBe(0);
    expect(sync.stderr).toContain('Boîte de réception');
    expect(sync.stderr).toContain(`Synchronisation terminée pour ${agent.email}.`);

    const status = await ostal(['status', '--json', '--profile', profile], env);
    expect(status.code).toBe(0);
    const parsed = JSON.parse(status.stdout) as CliStatus;
    expect(parsed.accounts).toHaveLength(1);
    const a = parsed.accounts[0];
    expect(Object.keys(a).sort()).toEqual(['email', 'folders', 'lastSync', 'online', 'pendingOperations']);
    expect(a).toMatchObject({ email: agent.email, online: true, pendingOperations: 0 });
    expect(Date.parse(a.lastSync!)).toBeGreaterThan(Date.now() - 120_000);
    for (const f of a.folders) expect(Object.keys(f).sort()).toEqual(['bodiesCached', 'name', 'path', 'specialUse', 'total', 'unread']);

    // Same counts as the seed plan, and as Dovecot itself says.
    const byPath = new Map(a.folders.map((f) => [f.path, f]));
    const fromServer = await serverCounts(agent);
    expect([...byPath.keys()].sort()).toEqual([...fromServer.keys()].sort());
    for (const folder of SEED_FOLDERS) {
      const seeded = SEED_COUNTS[agent.email].mail[folder];
      expect(byPath.get(folder), folder).toMatchObject({ total: seeded.total, unread: seeded.unread });
      expect(byPath.get(folder), folder).toMatchObject(fromServer.get(folder)!);
    }
    expect(byPath.get('INBOX')).toMatchObject({ name: 'Boîte de réception', specialUse: '\\Inbox' });
    expect(byPath.get('Sent')).toMatchObject({ name: 'Envoyés', specialUse: '\\Sent' });
    expect(byPath.get('Trash')).toMatchObject({ name: 'Corbeille', specialUse: '\\Trash' });
    // Default « Messages disponibles hors ligne » : « Tous » — every body of every folder is local after `sync`.
    for (const folder of SEED_FOLDERS) expect(byPath.get(folder)!.bodiesCached, folder).toBe(byPath.get(folder)!.total);

    // Human-readable status, in French.
    const human = await ostal(['status', '--profile', profile], env);
    expect(human.stdout).toContain(`${agent.email} — en ligne`);
    expect(human.stdout).toMatch(/Boîte de réception\u00a0: \d+ message\(s\)/);

    // Several scopes in one command: one report per account, with every scope done.
    const both = await ostal(['sync', '--only', 'calendar,contacts', '--json', '--profile', profile], env);
    expect(both.code, both.stderr).toBe(0);
    expect(JSON.parse(both.stdout)).toEqual({ accounts: [{ email: agent.email, ok: true, scopes: ['calendar', 'contacts'] }] });
    const contacts = JSON.parse((await ostal(['contacts', 'list', '--json', '--profile', profile], env)).stdout) as unknown[];
    expect(contacts.length).toBe(SEED_COUNTS[agent.email].contacts);
  });

  it('le paquet de la commande (dist/cli/ostal.cjs) est en ASCII, lu à chaque démarrage comme une chaîne d’un octet', async () => {
    // Made by the first command of this file (or an earlier run): bin/ostal.mjs reads it with latin1Slice when it is
    // ASCII, as UTF-8 (slower, twice the memory) otherwise. A pattern written with an accented letter instead of
    // \u00e9 brings it back: this names the line.
    const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'ostal-cli-'));
    expect((await ostal(['account', 'list', '--json', '--profile', profile], cliEnv())).code).toBe(0);
    const text = fs.readFileSync(path.join(REPO, 'dist', 'cli', 'ostal.cjs'), 'latin1');
    const lines = text.split('\n');
    const offending = lines.filter((line) => /[\u0080-\u00ff]/.test(line)).map((line) => line.match(/.{0,60}[\u0080-\u00ff].{0,20}/)?.[0]);
    expect(offending).toEqual([]);
  });

  it('mauvais mot de passe : message français, code de sortie non nul, aucun compte enregistré', async () => {
    const agent = testUser(2);
    const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'ostal-cli-'));
    const env = cliEnv({ OSTAL_TEST_PW: 'mauvais' });
    const add = await ostal(['account', 'add', '--email', agent.email, '--password-env', 'OSTAL_TEST_PW', '--profile', profile], env);
    expect(add.code).toBe(1);
    expect(add.stderr).toMatch(/mot de passe/i);
    expect(add.stderr).not.toMatch(/at .*\.ts:|Error:|AUTHENTICATIONFAILED/);
    const list = await ostal(['account', 'list', '--json', '--profile', profile], env);
    expect(JSON.parse(list.stdout)).toEqual([]);
  });

  it('erreurs d’utilisation : option manquante, variable vide, commande inconnue (code 2, en français)', async () => {
    const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'ostal-cli-'));
    const env = cliEnv();
    const noPw = await ostal(['account', 'add', '--email', 'a@ostal.test', '--profile', profile], env);
    expect(noPw.code).toBe(2);
    expect(noPw.stderr).toContain('L’option --password-env est obligatoire.');
    const empty = await ostal(['account', 'add', '--email', 'a@ostal.test', '--password-env', 'OSTAL_ABSENTE', '--profile', profile], env);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('OSTAL_ABSENTE');
    const unknown = await ostal(['frobnique', '--profile', profile], env);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('Commande inconnue');
    // Node's parser speaks English: only the option it names reaches the French sentence.
    const badOption = await ostal(['sync', '--version', '--profile', profile], env);
    expect(badOption.code).toBe(2);
    expect(badOption.stderr).toMatch(/Option non reconnue\s:\s--version\./);
    expect(badOption.stderr).not.toMatch(/Unknown|positional|argument missing/);
    const noValue = await ostal(['status', '--profile'], env);
    expect(noValue.code).toBe(2);
    expect(noValue.stderr).toContain('L’option --profile attend une valeur.');
    expect(noValue.stderr).not.toMatch(/Unknown|positional|argument missing/);
    const badOnly = await ostal(['sync', '--only', 'tout', '--profile', profile], env);
    expect(badOnly.code).toBe(2);
    const badInList = await ostal(['sync', '--only', 'calendar,tout', '--profile', profile], env);
    expect(badInList.code).toBe(2);
    expect(badInList.stderr).toMatch(/«\s?calendar,tout\s?»/);
  });

  it('sync d’un compte dont le serveur ne répond pas : code non nul et message français', async () => {
    const agent = testUser(3);
    const s = getServers();
    const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'ostal-cli-'));
    const env = cliEnv({ OSTAL_TEST_PW: agent.password });
    const add = await ostal(
      [
        'account',
        'add',
        '--email',
        agent.email,
        '--password-env',
        'OSTAL_TEST_PW',
        '--imap',
        `imaps://localhost:${s.imap.tlsPort}`,
        '--smtp',
        `smtps://localhost:${s.smtp.tlsPort}`,
        '--profile',
        profile,
      ],
      env,
    );
    expect(add.code).toBe(0);
    // Point the account at a closed port, as if the server had gone away.
    const Database = (await import('better-sqlite3')).default;
    const db = new Database(path.join(profile, 'ostal.sqlite'));
    db.prepare("UPDATE accounts SET settings = json_set(settings, '$.imap', 'imaps://localhost:9')").run();
    db.close();
    const sync = await ostal(['sync', '--only', 'mail', '--profile', profile], env);
    expect(sync.code).toBe(1);
    expect(sync.stderr).toContain(`Échec de la synchronisation pour ${agent.email}`);
    expect(sync.stderr).not.toMatch(/ECONNREFUSED|Error:/);
  });
});
