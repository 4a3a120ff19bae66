import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ServersInfo } from '../servers/index.js';
import { getServers } from '../servers/testing.js';
import { Core } from '../../src/core.js';
import type { ApiError, EndpointCheck, ServerSettings } from '../../src/shared/contract.js';
import { OstalError } from '../../src/errors.js';
import { loadAccountCredentials } from '../../src/accounts/account-rows.js';
import { silentLogger } from '../../src/log.js';
import { OperationsJournal } from '../../src/store/operations-journal.js';

const REPO = path.resolve(import.meta.dirname, '../..');
let info: ServersInfo;
let dir: string;
const saved: Record<string, string | undefined> = {};

beforeAll(() => {
  info = getServers();
  for (const k of ['OSTAL_DNS_SERVERS', 'OSTAL_DISCOVERY_HTTPS_PORT']) saved[k] = process.env[k];
  process.env.OSTAL_DNS_SERVERS = `127.0.0.1:${info.dns.port}`;
  process.env.OSTAL_DISCOVERY_HTTPS_PORT = String(info.apache.port);
});
afterAll(() => {
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
});
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ostal-accounts-'));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

function manual(overrides: Partial<ServerSettings> = {}): ServerSettings {
  return {
    imap: `imaps://localhost:${info.imap.tlsPort}`,
    smtp: `smtp://localhost:${info.smtp.port}`,
    caldav: null,
    carddav: null,
    webdav: null,
    username: null,
    ...overrides,
  };
}

async function apiError(p: Promise<unknown>): Promise<ApiError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(OstalError);
    return (err as OstalError).toApiError();
  }
  throw new Error('expected a failure');
}

async function closedPort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as net.AddressInfo;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

function openCore(policyPath: string | null = null): Promise<Core> {
  return Core.open({ profileDir: path.join(dir, 'profil'), mode: 'cli', policyPath, logger: silentLogger });
}

describe('accounts.add through Core.handle', () => {
  it('discovers, tests, stores the account, and keeps the password only in the 0600 secrets file', async () => {
    const core = await openCore();
    const events: unknown[] = [];
    core.onEvent((event, data) => events.push({ event, data }));
    const user = info.users[0];
    try {
      const summary = await core.handle('accounts.add', { email: user.email, password: user.password, name: user.name });
      expect(summary).toMatchObject({
        email: user.email,
        name: user.name,
        online: true, // every endpoint just answered the checks; no probe has said otherwise
        lastSync: null,
        pendingOperations: 0,
        lastError: null,
        settings: {
          imap: `imap://localhost:${info.imap.port}`,
          smtp: `smtp://localhost:${info.smtp.port}`,
          caldav: `https://localhost:${info.radicale.port}/`,
        },
      });
      expect(events).toEqual([{ event: 'accounts.changed', data: { accountIds: [summary.id] } }]);
      expect(await core.handle('accounts.list', {})).toEqual([summary]);

      // Pending operations and the online flag come from the journal and the connection state of the sync scheduler.
      new OperationsJournal(core.ctx.db).enqueue(summary.id, 'mail.flags', { uid: 1 });
      core.ctx.connections.set(summary.id, false, null);
      expect((await core.handle('accounts.list', {}))[0]).toMatchObject({ pendingOperations: 1, online: false });

      const { account, password } = await loadAccountCredentials(core.ctx, summary.id);
      expect(password).toBe(user.password);
      expect(account.email).toBe(user.email);

      await expect(core.handle('accounts.add', { email: user.email, password: user.password })).rejects.toMatchObject({
        code: 'already_exists',
      });
    } finally {
      await core.close();
    }
    const secretsFile = path.join(dir, 'profil', 'secrets.json');
    expect(fs.statSync(secretsFile).mode & 0o777).toBe(0o600);
    expect(fs.readFileSync(secretsFile, 'utf8')).toContain(user.password);
    for (const f of fs.readdirSync(path.join(dir, 'profil'))) {
      if (f.startsWith('ostal.sqlite'))
        expect(fs.readFileSync(path.join(dir, 'profil', f)).includes(Buffer.from(user.password)), f).toBe(false);
    }
    const db = new Database(path.join(dir, 'profil', 'ostal.sqlite'), { readonly: true });
    expect(db.prepare('SELECT count(*) AS n FROM accounts').get()).toEqual({ n: 1 });
    db.close();
  });

  it('refuses a wrong password in French and saves nothing', async () => {
    const core = await openCore();
    try {
      const error = await apiError(core.handle('accounts.add', { email: info.users[1].email, password: 'pas-le-bon', settings: manual() }));
      expect(error.code).toBe('auth_failed');
      expect(error.message).toBe(
        `Le mot de passe ou l’identifiant est refusé par le serveur de courrier entrant (IMAP) sur localhost:${info.imap.tlsPort}. Vérifiez-les puis réessayez\u202f; rien n’a été enregistré.`,
      );
      expect(await core.handle('accounts.list', {})).toEqual([]);
    } finally {
      await core.close();
    }
    expect(fs.existsSync(path.join(dir, 'profil', 'secrets.json'))).toBe(false);
  });

  it('says which server refuses the connection (closed port)', async () => {
    const core = await openCore();
    const port = await closedPort();
    try {
      const error = await apiError(
        core.handle('accounts.add', {
          email: info.users[1].email,
          password: info.users[1].password,
          settings: manual({ smtp: `smtps://127.0.0.1:${port}` }),
        }),
      );
      expect(error.code).toBe('connection_refused');
      expect(error.message).toContain(`Le serveur d’envoi du courrier (SMTP) sur 127.0.0.1:${port} refuse la connexion.`);
      const checks = await core.handle('accounts.test', {
        email: info.users[1].email,
        password: info.users[1].password,
        settings: manual({ caldav: `https://localhost:${port}/` }),
      });
      expect(checks.map((c: EndpointCheck) => [c.kind, c.ok, c.error?.code])).toEqual([
        ['imap', true, undefined],
        ['smtp', true, undefined],
        ['caldav', false, 'connection_refused'],
      ]);
    } finally {
      await core.close();
    }
  });

  it('refuses a certificate made out for another name', async () => {
    const core = await openCore();
    try {
      // localhost.localdomain reaches the same loopback server, whose certificate does not name it.
      const checks = await core.handle('accounts.test', {
        email: info.users[1].email,
        password: info.users[1].password,
        settings: manual({ imap: `imaps://localhost.localdomain:${info.imap.tlsPort}` }),
      });
      expect(checks[0].error?.code).toBe('tls_hostname');
      expect(checks[0].error?.message).toBe(
        'Le certificat de sécurité présenté par localhost.localdomain:' +
          info.imap.tlsPort +
          ' est établi pour un autre nom de serveur. Ostal refuse la connexion\u00a0: vérifiez l’adresse du serveur de courrier entrant (IMAP).',
      );
      expect(checks[1]).toEqual({ kind: 'smtp', ok: true });
    } finally {
      await core.close();
    }
  });

  it('updates the name and password after testing, and removes the account with its secret', async () => {
    const core = await openCore();
    const user = info.users[2];
    try {
      const added = await core.handle('accounts.add', { email: user.email, password: user.password, settings: manual() });
      expect((await core.handle('accounts.update', { id: added.id, name: 'Claude P.' })).name).toBe('Claude P.');
      const bad = await apiError(core.handle('accounts.update', { id: added.id, password: 'faux' }));
      expect(bad.code).toBe('auth_failed');
      expect((await loadAccountCredentials(core.ctx, added.id)).password).toBe(user.password);
      expect(await core.handle('accounts.remove', { id: added.id })).toEqual({ removed: true });
      expect(await core.ctx.secrets.get(`account:${added.id}:password`)).toBeNull();
      expect((await apiError(core.handle('accounts.remove', { id: added.id }))).code).toBe('not_found');
    } finally {
      await core.close();
    }
  });
});

describe('changing a server address asks for the password again', () => {
  it('refuses a new IMAP, SMTP or DAV address without the password, in French, and changes nothing; with it, checks and saves', async () => {
    const core = await openCore();
    const user = info.users[2];
    try {
      const added = await core.handle('accounts.add', { email: user.email, password: user.password, settings: manual() });
      const elsewhere = { ...added.settings, imap: `imap://localhost:${info.imap.port}` };
      const refused = await apiError(core.handle('accounts.update', { id: added.id, settings: elsewhere }));
      expect(refused).toEqual({
        code: 'invalid_input',
        message:
          'Vous avez changé l’adresse du serveur de courrier entrant (IMAP)\u00a0: saisissez à nouveau le mot de passe du compte. Ostal ne l’envoie jamais à un nouveau serveur sans que vous l’ayez tapé. Rien n’a été modifié.',
        details: { fields: ['imap'] },
      });
      for (const change of [
        { smtp: 'smtps://courrier.ailleurs.example:465' },
        { webdav: 'https://fichiers.ailleurs.example/dav/' },
        { caldav: 'https://dav.ailleurs.example/' },
      ]) {
        const e = await apiError(core.handle('accounts.update', { id: added.id, settings: { ...added.settings, ...change } }));
        expect(e.code).toBe('invalid_input');
        expect(e.message).toMatch(/saisissez à nouveau le mot de passe/);
      }
      expect((await core.handle('accounts.list', {})).find((a) => a.id === added.id)?.settings).toEqual(added.settings);
      // The same servers (a name change, an unchanged address) need no password.
      expect((await core.handle('accounts.update', { id: added.id, name: 'Claude', settings: { ...added.settings } })).name).toBe('Claude');
      // With the password typed again, the new address is checked and saved.
      const moved = await core.handle('accounts.update', { id: added.id, settings: elsewhere, password: user.password });
      expect(moved.settings.imap).toBe(`imap://localhost:${info.imap.port}`);
    } finally {
      await core.close();
    }
  });
});

describe('IT policy in the account handlers and settings', () => {
  it('keeps locked servers, refuses other domains, and locks settings', async () => {
    const policyFile = path.join(dir, 'policies.json');
    fs.writeFileSync(
      policyFile,
      JSON.stringify({
        domains: {
          'ostal.test': {
            imap: `imaps://localhost:${info.imap.tlsPort}`,
            smtp: `smtps://localhost:${info.smtp.tlsPort}`,
            caldav: null,
            carddav: null,
            locked: true,
          },
        },
        allowOtherDomains: false,
        disabledFeatures: ['fichiers'],
        settings: {
          'mail.prefetchDays': { value: 90, locked: true },
          'visio.serverUrl': { value: 'https://visio.ostal.test', hidden: true },
        },
      }),
    );
    const core = await openCore(policyFile);
    const user = info.users[3];
    try {
      expect(await core.handle('policy.get', {})).toEqual({
        source: policyFile,
        disabledFeatures: ['fichiers'],
        lockedSettings: ['mail.offlineWindow'],
        hiddenSettings: ['visio.serverUrl'],
        presetDomains: ['ostal.test'],
        allowOtherDomains: false,
        error: null,
      });
      const discovered = await core.handle('accounts.discover', { email: user.email });
      expect(discovered).toMatchObject({
        sources: { mail: 'policy' },
        locked: ['imap', 'smtp', 'caldav', 'carddav', 'webdav', 'sieve', 'xmpp', 'username'],
      });

      const other = await apiError(core.handle('accounts.discover', { email: 'quelquun@ailleurs.fr' }));
      expect(other).toEqual({
        code: 'disabled_by_policy',
        message: 'Votre service informatique n’autorise que les comptes des domaines suivants\u00a0: ostal.test.',
      });

      const locked = await apiError(core.handle('accounts.add', { email: user.email, password: user.password, settings: manual() }));
      expect(locked.code).toBe('locked_by_policy');
      expect(locked.message).toBe(
        'Le réglage «\u00a0serveur d’envoi du courrier (SMTP)\u00a0» est fixé par votre service informatique pour les adresses ostal.test\u202f; il ne peut pas être modifié.',
      );

      const added = await core.handle('accounts.add', { email: user.email, password: user.password });
      expect(added.settings).toEqual({
        imap: `imaps://localhost:${info.imap.tlsPort}`,
        smtp: `smtps://localhost:${info.smtp.tlsPort}`,
        caldav: null,
        carddav: null,
        webdav: null,
        // Not in the preset: found by the domain's SRV record _sieve._tcp.
        sieve: `sieve://localhost:${info.sieve.port}`,
        // Not preset by the policy: found by SRV _xmpp-client._tcp.
        xmpp: `xmpp://localhost:${info.prosody.port}`,
        username: null,
      });
      const change = await apiError(
        core.handle('accounts.update', { id: added.id, settings: { ...added.settings, imap: `imap://localhost:${info.imap.port}` } }),
      );
      expect(change.code).toBe('locked_by_policy');

      const settings = await core.handle('settings.list', {});
      expect(settings).toEqual([
        // An old 'mail.prefetchDays' policy value (days) is read as the closest window.
        { key: 'mail.offlineWindow', value: '3months', locked: true, hidden: false },
        { key: 'mail.speedLimitKbps', value: 0, locked: false, hidden: false },
        { key: 'visio.serverUrl', value: 'https://visio.ostal.test', locked: false, hidden: true },
        { key: 'visio.joinToken', value: '', locked: false, hidden: false },
        { key: 'files.localRoot', value: path.join(os.homedir(), 'Documents', 'Ostal'), locked: false, hidden: false },
        { key: 'files.speedLimitKbps', value: 0, locked: false, hidden: false },
        { key: 'workspaces.webdavRoot', value: '', locked: false, hidden: false },
        { key: 'workspaces.caldavRoot', value: '', locked: false, hidden: false },
        { key: 'workspaces.mucService', value: '', locked: false, hidden: false },
        { key: 'aide.visiteGuidee', value: 'on', locked: false, hidden: false },
        { key: 'aide.visitesVues', value: '', locked: false, hidden: false },
        { key: 'aide.versionVue', value: '', locked: false, hidden: false },
        { key: 'mail.composeFormat', value: 'html', locked: false, hidden: false },
        { key: 'mail.signatures', value: '', locked: false, hidden: false },
        { key: 'mail.signatureTemplate', value: '', locked: false, hidden: false },
        { key: 'desktop.closeToTray', value: 'yes', locked: false, hidden: false },
        { key: 'desktop.startAtLogin', value: 'no', locked: false, hidden: false },
      ]);
      const refused = await apiError(core.handle('settings.set', { key: 'mail.offlineWindow', value: 'all' }));
      expect(refused).toEqual({
        code: 'locked_by_policy',
        message: 'Ce réglage est fixé par votre service informatique\u202f; il ne peut pas être modifié ici.',
      });
      expect(await core.handle('settings.set', { key: 'visio.serverUrl', value: 'https://autre.ostal.test' })).toEqual({
        key: 'visio.serverUrl',
        value: 'https://autre.ostal.test',
        locked: false,
        hidden: true,
      });
      expect((await apiError(core.handle('settings.set', { key: 'files.localRoot', value: 'relatif' }))).code).toBe('invalid_input');
      expect((await apiError(core.handle('settings.set', { key: 'files.speedLimitKbps', value: -5 }))).code).toBe('invalid_input');
      expect((await apiError(core.handle('settings.set', { key: 'files.speedLimitKbps', value: 1.5 }))).code).toBe('invalid_input');
      expect(await core.handle('settings.set', { key: 'files.speedLimitKbps', value: 200 })).toEqual({
        key: 'files.speedLimitKbps',
        value: 200,
        locked: false,
        hidden: false,
      });
      expect(await core.handle('app.info', {})).toMatchObject({
        mode: 'cli',
        locale: 'fr',
        version: expect.stringMatching(/^\d+\.\d+\.\d+/),
      });
    } finally {
      await core.close();
    }
  });
});

describe('untrusted certificates', () => {
  // NODE_EXTRA_CA_CERTS is read once at process start: the check runs in a child process
  // started WITHOUT the test CA, as on a machine that does not know it.
  const script = (settings: ServerSettings, pinned: string[]) => `
    import { checkEndpoints } from ${JSON.stringify(path.join(REPO, 'src/accounts/checks.ts'))};
    const r = await checkEndpoints(${JSON.stringify(info.users[0].email)}, ${JSON.stringify(info.users[0].password)}, ${JSON.stringify(settings)}, { pinnedCertificates: ${JSON.stringify(pinned)} });
    process.stdout.write(JSON.stringify(r));
  `;
  async function runWithoutTestCa(settings: ServerSettings, pinned: string[]): Promise<EndpointCheck[]> {
    const file = path.join(dir, 'check.mts');
    fs.writeFileSync(file, script(settings, pinned));
    const env = { ...process.env };
    delete env.NODE_EXTRA_CA_CERTS;
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', file], { cwd: REPO, env, timeout: 60_000 });
    return JSON.parse(stdout) as EndpointCheck[];
  }

  it('refuses with the SHA-256 fingerprint to show, then connects once the certificate is pinned', async () => {
    const settings = manual({ caldav: `https://localhost:${info.radicale.port}/` });
    const serverCert = new X509Certificate(fs.readFileSync(path.join(info.dir, 'tls', 'server.crt')));

    const refused = await runWithoutTestCa(settings, []);
    expect(refused.map((c) => [c.kind, c.ok, c.error?.code])).toEqual([
      ['imap', false, 'tls_untrusted'],
      ['smtp', false, 'tls_untrusted'],
      ['caldav', false, 'tls_untrusted'],
    ]);
    for (const check of refused) {
      const cert = check.error!.details!.certificate as { fingerprint256: string; pem: string };
      expect(cert.fingerprint256).toBe(serverCert.fingerprint256);
      expect(check.error!.message).toContain(serverCert.fingerprint256);
      expect(check.error!.message).toMatch(/n’est pas reconnu\. Ostal ne s’y connecte pas sans votre accord/);
    }
    // SMTP with STARTTLS: the certificate was read after the STARTTLS exchange.
    const pem = (refused[1].error!.details!.certificate as { pem: string }).pem;
    expect(new X509Certificate(pem).fingerprint256).toBe(serverCert.fingerprint256);

    const pinned = await runWithoutTestCa(settings, [pem]);
    expect(pinned).toEqual([
      { kind: 'imap', ok: true },
      { kind: 'smtp', ok: true },
      { kind: 'caldav', ok: true },
    ]);
  });
});
