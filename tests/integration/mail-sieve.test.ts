/**
 * « Réponse automatique » and « Règles » against the test Dovecot with Pigeonhole (ManageSieve + Sieve at LMTP
 * delivery), through Ostal's API. Users of their own (test-…@ostal.test, added to Dovecot's passwd file; Postfix
 * accepts test-… recipients), so no other test file ever sees an automatic answer. Nothing here runs an Ostal sync:
 * what the server did is read with independent IMAP connections.
 */
import fs from 'node:fs';
import os from 'node:os';
import net from 'node:net';
import path from 'node:path';
import nodemailer from 'nodemailer';
import type { ImapFlow } from 'imapflow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/cli.js';
import type { OstalError } from '../../src/errors.js';
import { ManageSieveClient } from '../../src/mail/sieve/client.js';
import { OSTAL_SCRIPT } from '../../src/mail/sieve/script.js';
import { ensureVmailUser } from '../servers/daemons.js';
import { runLayout } from '../servers/layout.js';
import type { TestUser } from '../servers/types.js';
import { caCert, getServers } from '../servers/testing.js';
import { addImapUser, imapConnection } from './mail-offline-fixture.js';
import { addAccount, openTestCore, waitFor, type TestProfile } from './mail-sync-fixture.js';

/** A user of this file, with the home folder Pigeonhole writes its scripts to. */
async function sieveUser(prefix: string): Promise<TestUser> {
  const s = getServers();
  const user = addImapUser(s, `test-${prefix}`);
  const [local, domain] = user.username.split('@') as [string, string];
  const home = path.join(runLayout(s.dir).dovecot.mail, domain, local);
  const vmail = await ensureVmailUser();
  fs.mkdirSync(home, { recursive: true, mode: 0o700 });
  fs.chownSync(home, vmail.uid, vmail.gid);
  // Dovecot reads its passwd file again a moment after it changed: until it has, LMTP would refuse the user and
  // Postfix would keep the message for its next queue run (10 s). A login proves the user is known.
  await (await imapConnection(s, user)).logout();
  return user;
}

async function send(from: TestUser, to: string, subject: string, text = 'Bonjour,\n\nun message d’essai.\n'): Promise<void> {
  const s = getServers();
  const transport = nodemailer.createTransport({
    host: 'localhost',
    port: s.smtp.port,
    secure: false,
    requireTLS: true,
    auth: { user: from.username, pass: from.password },
    tls: { ca: caCert(), rejectUnauthorized: true },
  });
  await transport.sendMail({ from: { name: from.name, address: from.email }, to, subject, text });
  transport.close();
}

interface Found {
  subject: string;
  from: string;
  autoSubmitted: string;
  text: string;
}

async function messagesIn(client: ImapFlow, folder: string): Promise<Found[]> {
  const list = await client.list();
  if (!list.some((f) => f.path === folder)) return [];
  const lock = await client.getMailboxLock(folder, { readOnly: true });
  try {
    const out: Found[] = [];
    // NOOP brings the messages delivered since the folder was selected; FETCH 1:* in an empty folder is an error.
    await client.noop();
    if (client.mailbox === false || client.mailbox.exists === 0) return out;
    for await (const m of client.fetch('1:*', { envelope: true, source: true }, { uid: false })) {
      const source = m.source?.toString('utf8') ?? '';
      out.push({
        subject: m.envelope?.subject ?? '',
        from: m.envelope?.from?.[0]?.address ?? '',
        autoSubmitted: /^Auto-Submitted:\s*(.*)$/im.exec(source)?.[1]?.trim() ?? '',
        text: source,
      });
    }
    return out;
  } finally {
    lock.release();
  }
}

const day = (offset: number): string => {
  const d = new Date(Date.now() + offset * 86_400_000);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
};

describe('Réponse automatique and Règles on Dovecot Pigeonhole', () => {
  let profile: TestProfile;
  let agent: TestUser;
  let outsider: TestUser;
  let secretariat: TestUser;
  let accountId: string;
  const stamp = `${process.pid}-${Date.now()}`;
  const sieveUrl = () => `sieve://localhost:${getServers().sieve.port}`;

  beforeAll(async () => {
    agent = await sieveUser('agent');
    outsider = await sieveUser('expediteur');
    secretariat = await sieveUser('secretariat');
    profile = await openTestCore();
    accountId = await addAccount(profile.core, agent, { sieve: sieveUrl() });
    // A script written by someone else (a webmail), active before Ostal: it files « [Facture] » into Factures.
    const other = await ManageSieveClient.connect({
      endpoint: { host: 'localhost', port: getServers().sieve.port },
      username: agent.username,
      password: agent.password,
    });
    await other.putScript(
      'webmail',
      'require ["fileinto", "mailbox"];\r\nif header :contains "subject" "[Facture]" {\r\n  fileinto :create "Factures";\r\n}\r\n',
    );
    await other.setActive('webmail');
    await other.logout();
  });

  afterAll(async () => {
    await profile?.close();
  });

  it('reads an account with no Ostal script: vacation off, no rules, the webmail script named as kept', async () => {
    const state = await profile.core.handle('mail.sieve.get', { accountId });
    expect(state.vacation.enabled).toBe(false);
    expect(state.rules).toEqual([]);
    expect(state.keptScript).toBe('webmail');
    expect(state.server).toBe(sieveUrl());
  });

  it('« Réponse automatique » set through Ostal: one message sent by SMTP gets exactly one answer, a second one none', async () => {
    const message = 'Bonjour,\n\nje suis absente jusqu’au lundi 4 janvier. Pour une urgence : accueil@ostal.test.\n\nCamille';
    const state = await profile.core.handle('mail.vacation.set', {
      accountId,
      vacation: { enabled: true, from: day(-1), to: day(1), message, externalMessage: null },
    });
    expect(state.vacation.enabled).toBe(true);
    expect(state.vacationActiveNow).toBe(true);
    expect(state.keptScript).toBe('webmail');

    await send(outsider, agent.email, `Demande de rendez-vous ${stamp}`);
    const box = await imapConnection(getServers(), outsider);
    try {
      const answers = await waitFor('the automatic answer', async () => {
        const found = (await messagesIn(box, 'INBOX')).filter((m) => m.from === agent.email);
        return found.length > 0 ? found : null;
      });
      // A second message from the same sender the same day: `:days 1`, no second answer.
      await send(outsider, agent.email, `Relance ${stamp}`);
      const agentBox = await imapConnection(getServers(), agent);
      try {
        await waitFor('the second message delivered', async () =>
          (await messagesIn(agentBox, 'INBOX')).some((m) => m.subject === `Relance ${stamp}`),
        );
      } finally {
        await agentBox.logout();
      }
      await new Promise((r) => setTimeout(r, 1500));
      const all = (await messagesIn(box, 'INBOX')).filter((m) => m.from === agent.email);
      expect(all).toHaveLength(1);
      expect(answers[0]?.subject).toBe('Réponse automatique');
      expect(answers[0]?.autoSubmitted).toMatch(/^auto-replied/i);
    } finally {
      await box.logout();
    }
  });

  it('a « Règle » « de : secretariat → dossier Secrétariat » files a new message there before any Ostal sync', async () => {
    const state = await profile.core.handle('mail.rules.set', {
      accountId,
      rules: [
        {
          id: 'r1',
          name: 'Secrétariat',
          enabled: true,
          match: 'all',
          conditions: [{ field: 'from', op: 'contains', value: 'secretariat' }],
          actions: [{ type: 'move', folder: 'Secrétariat' }, { type: 'read' }],
          stop: true,
        },
      ],
    });
    expect(state.rules).toHaveLength(1);
    expect(state.vacation.enabled).toBe(true);
    await send(secretariat, agent.email, `Courrier du secrétariat ${stamp}`);
    const box = await imapConnection(getServers(), agent);
    try {
      await waitFor('the message in Secrétariat', async () =>
        (await messagesIn(box, 'Secrétariat')).some((m) => m.subject === `Courrier du secrétariat ${stamp}`),
      );
      const inbox = await messagesIn(box, 'INBOX');
      expect(inbox.some((m) => m.subject === `Courrier du secrétariat ${stamp}`)).toBe(false);
      const lock = await box.getMailboxLock('Secrétariat', { readOnly: true });
      try {
        const flags = [];
        for await (const m of box.fetch('1:*', { flags: true })) flags.push([...(m.flags ?? [])]);
        expect(flags.some((f) => f.includes('\\Seen'))).toBe(true);
      } finally {
        lock.release();
      }
    } finally {
      await box.logout();
    }
  });

  it('the script that was active before keeps working (included), unchanged on the server', async () => {
    await send(outsider, agent.email, `[Facture] Mars ${stamp}`);
    const box = await imapConnection(getServers(), agent);
    try {
      await waitFor('the invoice in Factures', async () =>
        (await messagesIn(box, 'Factures')).some((m) => m.subject === `[Facture] Mars ${stamp}`),
      );
    } finally {
      await box.logout();
    }
    const c = await ManageSieveClient.connect({
      endpoint: { host: 'localhost', port: getServers().sieve.port },
      username: agent.username,
      password: agent.password,
    });
    try {
      const scripts = await c.listScripts();
      expect(scripts.find((s) => s.active)?.name).toBe(OSTAL_SCRIPT);
      expect(await c.getScript('webmail')).toContain('fileinto :create "Factures"');
      expect(await c.getScript(OSTAL_SCRIPT)).toContain('include :personal :optional "webmail";');
    } finally {
      await c.logout();
    }
  });

  it('turning the answer off keeps the rules; a second profile reads the same settings from the server', async () => {
    const off = await profile.core.handle('mail.vacation.set', { accountId, vacation: { enabled: false, message: '' } });
    expect(off.vacation.enabled).toBe(false);
    expect(off.rules.map((r) => r.name)).toEqual(['Secrétariat']);
    const second = await openTestCore();
    try {
      const id2 = await addAccount(second.core, agent, { sieve: sieveUrl() });
      const read = await second.core.handle('mail.sieve.get', { accountId: id2 });
      expect(read.rules).toEqual(off.rules);
      expect(read.vacation.enabled).toBe(false);
      expect(read.keptScript).toBe('webmail');
    } finally {
      await second.close();
    }
  });

  it('bad input is refused in French and nothing changes on the server: external redirect, reversed dates', async () => {
    await expect(
      profile.core.handle('mail.rules.set', {
        accountId,
        rules: [
          {
            id: 'r2',
            name: 'Fuite',
            enabled: true,
            match: 'all',
            conditions: [],
            actions: [{ type: 'redirect', to: 'moi@exemple.com' }],
            stop: false,
          },
        ],
      }),
    ).rejects.toMatchObject({ code: 'invalid_input', message: expect.stringContaining('organisation') });
    await expect(
      profile.core.handle('mail.vacation.set', {
        accountId,
        vacation: { enabled: true, from: day(3), to: day(1), message: 'Absente' },
      }),
    ).rejects.toMatchObject({ code: 'invalid_input', message: expect.stringContaining('précède') });
    const state = await profile.core.handle('mail.sieve.get', { accountId });
    expect(state.rules.map((r) => r.name)).toEqual(['Secrétariat']);
  });
});

describe('ManageSieve: servers that are missing or hostile get a French message', () => {
  let profile: TestProfile;
  let agent: TestUser;
  const servers: net.Server[] = [];

  /** A fake server on a free port answering `script` (by step) to whatever the client sends. */
  async function fake(greeting: string, afterFirstCommand = ''): Promise<number> {
    const server = net.createServer((socket) => {
      socket.on('error', () => undefined);
      socket.write(greeting);
      socket.once('data', () => {
        if (afterFirstCommand) socket.write(afterFirstCommand);
      });
    });
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return (server.address() as net.AddressInfo).port;
  }

  beforeAll(async () => {
    agent = await sieveUser('hostile');
    profile = await openTestCore();
  });

  afterAll(async () => {
    for (const s of servers) s.close();
    await profile?.close();
  });

  let accounts = 0;
  async function errorFor(port: number): Promise<OstalError> {
    // One account per fake server (the address differs only for the store's uniqueness; fakes check nothing).
    const user = { ...agent, email: `n${++accounts}.${agent.email}` };
    const accountId = await addAccount(profile.core, user, { sieve: `sieve://127.0.0.1:${port}` });
    try {
      await profile.core.handle('mail.sieve.get', { accountId });
    } catch (e) {
      return e as OstalError;
    }
    throw new Error('no error');
  }

  it('malformed greeting, oversized literal, no STARTTLS, nothing listening: each has its French message', async () => {
    const malformed = await errorFor(await fake('"IMPLEMENTATION" "x"\r\n"SIEVE" (((\r\nOK\r\n'));
    expect(malformed.message).toMatch(/réponse incompréhensible/);
    const huge = await errorFor(await fake('"IMPLEMENTATION" {999999999}\r\n'));
    expect(huge.message).toMatch(/réponse incompréhensible/);
    const noTls = await errorFor(await fake('"IMPLEMENTATION" "x"\r\n"SASL" "PLAIN"\r\nOK\r\n'));
    expect(noTls.message).toMatch(/ne propose pas de connexion chiffrée/);
    const probe = net.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const closedPort = (probe.address() as net.AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const none = await errorFor(closedPort);
    expect(none.code).toBe('not_configured');
    expect(none.message).toMatch(/ne propose pas de filtres/);
    const refusedTls = await errorFor(await fake('"STARTTLS"\r\nOK\r\n', 'NO "no TLS today"\r\n'));
    expect(refusedTls.message).toMatch(/refusé la demande/);
  });

  it('the password never goes over a connection that did not become TLS', async () => {
    let received = '';
    const server = net.createServer((socket) => {
      socket.on('error', () => undefined);
      socket.write('"STARTTLS"\r\n"SASL" "PLAIN"\r\nOK\r\n');
      socket.on('data', (d: Buffer) => {
        received += d.toString('latin1');
        if (received.includes('STARTTLS')) socket.write('OK\r\nnot a TLS handshake at all\r\n');
      });
    });
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const e = await errorFor((server.address() as net.AddressInfo).port);
    expect(e).toBeInstanceOf(Error);
    expect(received).not.toContain('AUTHENTICATE');
    expect(received).not.toContain(Buffer.from(agent.password).toString('base64').slice(0, 8));
  });
});

describe('CLI: mail vacation and mail rules', () => {
  it('account add --sieve, vacation set/status/off, rules set/list, and a French message for a bad file', async () => {
    const s = getServers();
    const agent = await sieveUser('cli');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ostal-sieve-cli-'));
    process.env.OSTAL_POLICIES = path.join(dir, 'aucune-strategie.json');
    const out: string[] = [];
    const err: string[] = [];
    const io = { out: (x: string) => out.push(x), err: (x: string) => err.push(x), env: { ...process.env, PW: agent.password } };
    const cli = async (...args: string[]) => {
      out.length = 0;
      err.length = 0;
      return main([...args, '--profile', dir], io);
    };
    try {
      const add = await cli(
        'account',
        'add',
        '--email',
        agent.email,
        '--password-env',
        'PW',
        '--imap',
        `imap://localhost:${s.imap.port}`,
        '--smtp',
        `smtp://localhost:${s.smtp.port}`,
        '--sieve',
        `sieve://localhost:${s.sieve.port}`,
      );
      expect(err.join('\n')).not.toMatch(/erreur|refus/i);
      expect(add).toBe(0);
      const msg = path.join(dir, 'message.txt');
      fs.writeFileSync(msg, 'Je suis en congé.');
      expect(await cli('mail', 'vacation', 'set', '--message-file', msg, '--from', day(-2), '--to', day(2))).toBe(0);
      expect(out.join('\n')).toContain('Réponse automatique activée, en cours');
      expect(await cli('mail', 'vacation', 'status', '--json')).toBe(0);
      const status = JSON.parse(out.join('\n')) as { vacation: { enabled: boolean; message: string; to: string } };
      expect(status.vacation).toMatchObject({ enabled: true, message: 'Je suis en congé.', to: day(2) });
      const rules = path.join(dir, 'regles.json');
      fs.writeFileSync(
        rules,
        JSON.stringify([
          {
            id: 'a',
            name: 'Listes',
            enabled: true,
            match: 'all',
            conditions: [{ field: 'list', op: 'contains', value: 'agents' }],
            actions: [{ type: 'move', folder: 'Listes' }],
            stop: false,
          },
        ]),
      );
      expect(await cli('mail', 'rules', 'set', '--file', rules)).toBe(0);
      expect(out).toEqual(['activée\tListes']);
      expect(await cli('mail', 'vacation', 'off')).toBe(0);
      expect(out.join('\n')).toContain('Réponse automatique désactivée');
      expect(await cli('mail', 'rules', 'list', '--json')).toBe(0);
      expect((JSON.parse(out.join('\n')) as { name: string }[]).map((r) => r.name)).toEqual(['Listes']);
      fs.writeFileSync(rules, '[{"id": "a"}');
      expect(await cli('mail', 'rules', 'set', '--file', rules)).toBe(2);
      expect(err[0]).toContain('n’est pas une liste de règles');
    } finally {
      delete process.env.OSTAL_POLICIES;
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
