/**
 * The real test servers answer over real sockets with verified TLS: Dovecot, Postfix, Radicale,
 * Apache (WebDAV + autoconfig) and the DNS server; seeded counts match SEED_COUNTS; one server
 * can be stopped and restarted on the same port; stopping a run leaves no process behind.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import dns from 'node:dns';
import fs from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import { ImapFlow } from 'imapflow';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  pruneServers,
  SEED_COLLECTIONS,
  SEED_COUNTS,
  SEED_FOLDERS,
  startServer,
  startServers,
  stopServer,
  stopServers,
} from '../servers/index.js';
import { httpsRequest } from '../servers/http.js';
import { descendants, isAlive, portAnswers } from '../servers/proc.js';
import { caCert, getServers, testUser } from '../servers/testing.js';
import type { ServersInfo, TestUser } from '../servers/types.js';

function imap(info: ServersInfo, user: TestUser, mode: 'starttls' | 'tls', password = user.password): ImapFlow {
  return new ImapFlow({
    host: 'localhost',
    port: mode === 'tls' ? info.imap.tlsPort : info.imap.port,
    secure: mode === 'tls',
    doSTARTTLS: mode === 'starttls' ? true : undefined,
    auth: { user: user.username, pass: password },
    tls: { ca: caCert(), rejectUnauthorized: true },
    logger: false,
  });
}

async function withImap<T>(client: ImapFlow, fn: (c: ImapFlow) => Promise<T>): Promise<T> {
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.logout().catch(() => client.close());
  }
}

const PROPFIND_BODY =
  '<?xml version="1.0" encoding="utf-8"?><D:propfind xmlns:D="DAV:"><D:prop><D:resourcetype/><D:displayname/></D:prop></D:propfind>';

describe('test servers', () => {
  const info = getServers();
  const agent1 = testUser(1);
  const agent2 = testUser(2);

  it('trusts the run CA through NODE_EXTRA_CA_CERTS inherited from globalSetup, and the SAN covers ostal.test', async () => {
    expect(process.env.NODE_EXTRA_CA_CERTS).toBeTruthy();
    for (const servername of ['localhost', 'mail.ostal.test']) {
      const authorized = await new Promise<boolean>((resolve, reject) => {
        const sock = tls.connect({ host: '127.0.0.1', port: info.imap.tlsPort, servername }, () => {
          resolve(sock.authorized);
          sock.end();
        });
        sock.on('error', reject);
      });
      expect(authorized).toBe(true);
    }
  });

  it('IMAP: logs in over STARTTLS and IMAPS with verified certificates and advertises IDLE, CONDSTORE, QRESYNC', async () => {
    for (const mode of ['starttls', 'tls'] as const) {
      const caps = await withImap(imap(info, agent1, mode), async (c) => {
        expect(c.authenticated).toBeTruthy();
        expect(c.secureConnection || mode === 'starttls').toBe(true);
        return [...c.capabilities.keys()];
      });
      expect(caps).toEqual(expect.arrayContaining(['IDLE', 'CONDSTORE', 'QRESYNC', 'SPECIAL-USE']));
    }
  });

  it('IMAP: refuses a wrong password', async () => {
    const client = imap(info, agent1, 'tls', 'mauvais-mot-de-passe');
    await expect(client.connect()).rejects.toMatchObject({ authenticationFailed: true });
    client.close();
  });

  it('IMAP: special-use folders are declared and seeded counts match SEED_COUNTS for agent1', async () => {
    await withImap(imap(info, agent1, 'tls'), async (c) => {
      const list = await c.list();
      const byUse = Object.fromEntries(list.filter((m) => m.specialUse).map((m) => [m.specialUse, m.path]));
      expect(byUse).toMatchObject({
        '\\Drafts': 'Drafts',
        '\\Sent': 'Sent',
        '\\Trash': 'Trash',
        '\\Junk': 'Junk',
        '\\Archive': 'Archive',
        '\\Inbox': 'INBOX',
      });
      const expected = SEED_COUNTS[agent1.email];
      expect(expected).toBeDefined();
      for (const folder of SEED_FOLDERS) {
        const st = await c.status(folder, { messages: true, unseen: true });
        expect({ folder, total: st ? st.messages : -1, unread: st ? st.unseen : -1 }).toEqual({ folder, ...expected?.mail[folder] });
      }
      expect(expected?.mail.INBOX).toEqual({ total: 12, unread: 5 });
      // Accented subjects are stored and searchable.
      await c.mailboxOpen('INBOX', { readOnly: true });
      const found = await c.search({ subject: 'délibération' });
      expect(found && found.length).toBe(1);
    });
  });

  it('SMTP: agent1 submits to agent2 over STARTTLS and SMTPS, both arrive in agent2’s INBOX within 10 s', async () => {
    const tag = `${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
    for (const mode of ['starttls', 'tls'] as const) {
      const transport = nodemailer.createTransport({
        host: 'localhost',
        port: mode === 'tls' ? info.smtp.tlsPort : info.smtp.port,
        secure: mode === 'tls',
        requireTLS: mode === 'starttls',
        auth: { user: agent1.username, pass: agent1.password },
        tls: { ca: caCert(), rejectUnauthorized: true },
      });
      const res = await transport.sendMail({
        from: { name: agent1.name, address: agent1.email },
        to: { name: agent2.name, address: agent2.email },
        subject: `Essai d’envoi ${mode} – réunion ${tag}`,
        text: 'Bonjour, ceci est un message d’essai : à bientôt !',
      });
      expect(res.accepted).toEqual([agent2.email]);
      transport.close();
    }
    const deadline = Date.now() + 10_000;
    let subjects: string[] = [];
    await withImap(imap(info, agent2, 'tls'), async (c) => {
      while (Date.now() < deadline) {
        await c.mailboxOpen('INBOX', { readOnly: true });
        subjects = [];
        for await (const m of c.fetch('1:*', { envelope: true })) subjects.push(m.envelope?.subject ?? '');
        if (subjects.filter((s) => s.includes(tag)).length === 2) break;
        await new Promise((r) => setTimeout(r, 200));
      }
    });
    expect(subjects.filter((s) => s.includes(tag)).sort()).toEqual([
      `Essai d’envoi starttls – réunion ${tag}`,
      `Essai d’envoi tls – réunion ${tag}`,
    ]);
  });

  it('SMTP: refuses unauthenticated relay and a wrong password', async () => {
    const anon = nodemailer.createTransport({
      host: 'localhost',
      port: info.smtp.port,
      secure: false,
      requireTLS: true,
      tls: { ca: caCert(), rejectUnauthorized: true },
    });
    await expect(anon.sendMail({ from: 'inconnu@exemple.fr', to: agent2.email, subject: 'relais', text: 'x' })).rejects.toMatchObject({
      responseCode: expect.any(Number),
    });
    await expect(
      anon.sendMail({ from: 'inconnu@exemple.fr', to: 'quelquun@ailleurs.example', subject: 'relais', text: 'x' }),
    ).rejects.toThrow();
    anon.close();
    const bad = nodemailer.createTransport({
      host: 'localhost',
      port: info.smtp.tlsPort,
      secure: true,
      auth: { user: agent1.username, pass: 'faux' },
      tls: { ca: caCert(), rejectUnauthorized: true },
    });
    await expect(bad.sendMail({ from: agent1.email, to: agent2.email, subject: 'x', text: 'x' })).rejects.toMatchObject({ code: 'EAUTH' });
    bad.close();
  });

  it('Radicale: /.well-known/caldav and carddav redirect, the seeded calendar and address book hold SEED_COUNTS items', async () => {
    const ca = caCert();
    const auth = { user: agent1.username, password: agent1.password };
    for (const wk of ['caldav', 'carddav']) {
      const r = await httpsRequest({
        port: info.radicale.port,
        method: 'PROPFIND',
        path: `/.well-known/${wk}`,
        ca,
        auth,
        headers: { Depth: '0' },
      });
      expect([301, 302, 307, 308]).toContain(r.status);
      expect(r.headers.location).toMatch(/\/$/);
    }
    const home = await httpsRequest({
      port: info.radicale.port,
      method: 'PROPFIND',
      path: `/${agent1.username}/`,
      ca,
      auth,
      headers: { Depth: '1', 'Content-Type': 'application/xml' },
      body: PROPFIND_BODY,
    });
    expect(home.status).toBe(207);
    expect(decodeURIComponent(home.body)).toContain(`/${agent1.username}/${SEED_COLLECTIONS.calendar}/`);
    expect(home.body).toMatch(/calendar\s*\/>/);
    expect(home.body).toContain(SEED_COLLECTIONS.calendarName);
    expect(home.body).toContain(SEED_COLLECTIONS.addressBookName);
    const cal = await httpsRequest({
      port: info.radicale.port,
      method: 'PROPFIND',
      path: `/${agent1.username}/${SEED_COLLECTIONS.calendar}/`,
      ca,
      auth,
      headers: { Depth: '1' },
      body: PROPFIND_BODY,
    });
    expect(cal.body.match(/\.ics<\/href>/g)?.length).toBe(SEED_COUNTS[agent1.email]?.events);
    const book = await httpsRequest({
      port: info.radicale.port,
      method: 'PROPFIND',
      path: `/${agent1.username}/${SEED_COLLECTIONS.addressBook}/`,
      ca,
      auth,
      headers: { Depth: '1' },
      body: PROPFIND_BODY,
    });
    expect(book.body.match(/\.vcf<\/href>/g)?.length).toBe(SEED_COUNTS[agent1.email]?.contacts);
    const other = await httpsRequest({
      port: info.radicale.port,
      method: 'PROPFIND',
      path: `/${agent2.username}/${SEED_COLLECTIONS.calendar}/`,
      ca,
      auth,
      headers: { Depth: '1' },
      body: PROPFIND_BODY,
    });
    expect(other.status).toBe(403);
    const wrong = await httpsRequest({
      port: info.radicale.port,
      method: 'PROPFIND',
      path: `/${agent1.username}/`,
      ca,
      auth: { user: agent1.username, password: 'faux' },
      headers: { Depth: '0' },
    });
    expect(wrong.status).toBe(401);
  });

  it('WebDAV: PROPFIND Depth 1 lists the seeded files; another user’s folder and anonymous access are refused', async () => {
    const ca = caCert();
    const r = await httpsRequest({
      port: info.apache.port,
      method: 'PROPFIND',
      path: `/dav/${agent1.username}/`,
      ca,
      auth: { user: agent1.username, password: agent1.password },
      headers: { Depth: '1', 'Content-Type': 'application/xml' },
      body: PROPFIND_BODY,
    });
    expect(r.status).toBe(207);
    const hrefs = [...r.body.matchAll(/<D:href>([^<]+)<\/D:href>/g)].map((m) => decodeURIComponent(m[1] as string));
    const names = hrefs.map((h) => h.replace(`/dav/${agent1.username}/`, '')).filter((n) => n !== '');
    expect(names.sort()).toEqual([...(SEED_COUNTS[agent1.email]?.files ?? [])].sort());
    expect(names).toContain('Compte rendu du conseil municipal.odt');
    const get = await httpsRequest({
      port: info.apache.port,
      method: 'GET',
      path: `/dav/${agent1.username}/Budget%20primitif%202026.csv`,
      ca,
      auth: { user: agent1.username, password: agent1.password },
    });
    expect(get.body).toContain('Charges à caractère général');
    const other = await httpsRequest({
      port: info.apache.port,
      method: 'PROPFIND',
      path: `/dav/${agent1.username}/`,
      ca,
      auth: { user: agent2.username, password: agent2.password },
      headers: { Depth: '1' },
    });
    expect(other.status).toBe(401);
    const anon = await httpsRequest({
      port: info.apache.port,
      method: 'PROPFIND',
      path: `/dav/${agent1.username}/`,
      ca,
      headers: { Depth: '1' },
    });
    expect(anon.status).toBe(401);
  });

  it('Apache serves the Thunderbird autoconfig file without authentication at both addresses', async () => {
    for (const p of ['/mail/config-v1.1.xml', '/.well-known/autoconfig/mail/config-v1.1.xml']) {
      const r = await httpsRequest({ port: info.apache.port, method: 'GET', path: p, ca: caCert() });
      expect(r.status).toBe(200);
      expect(r.headers['content-type']).toMatch(/xml/);
      expect(r.body).toContain('<clientConfig version="1.1">');
      expect(r.body).toContain('<domain>ostal.test</domain>');
      expect(r.body).toContain(`<port>${info.imap.port}</port>\n      <socketType>STARTTLS</socketType>`);
      expect(r.body).toContain(`<port>${info.imap.tlsPort}</port>\n      <socketType>SSL</socketType>`);
      expect(r.body).toContain(`<port>${info.smtp.port}</port>\n      <socketType>STARTTLS</socketType>`);
      expect(r.body).toContain(`<port>${info.smtp.tlsPort}</port>\n      <socketType>SSL</socketType>`);
      expect(r.body).toContain('%EMAILADDRESS%');
    }
  });

  it('DNS: Node’s resolver gets SRV (RFC 6186, RFC 6764), TXT and A answers, NXDOMAIN otherwise', async () => {
    const resolver = new dns.promises.Resolver({ timeout: 2000, tries: 1 });
    resolver.setServers([`127.0.0.1:${info.dns.port}`]);
    const srv = async (name: string): Promise<{ name: string; port: number }[]> =>
      (await resolver.resolveSrv(name)).map((r) => ({ name: r.name, port: r.port }));
    expect(await srv('_imap._tcp.ostal.test')).toEqual([{ name: 'localhost', port: info.imap.port }]);
    expect(await srv('_imaps._tcp.ostal.test')).toEqual([{ name: 'localhost', port: info.imap.tlsPort }]);
    expect(await srv('_submission._tcp.ostal.test')).toEqual([{ name: 'localhost', port: info.smtp.port }]);
    expect(await srv('_submissions._tcp.ostal.test')).toEqual([{ name: 'localhost', port: info.smtp.tlsPort }]);
    expect(await srv('_caldavs._tcp.ostal.test')).toEqual([{ name: 'localhost', port: info.radicale.port }]);
    expect(await srv('_carddavs._tcp.ostal.test')).toEqual([{ name: 'localhost', port: info.radicale.port }]);
    expect(await resolver.resolveTxt('_caldavs._tcp.ostal.test')).toEqual([['path=/']]);
    expect(await resolver.resolve4('autoconfig.ostal.test')).toEqual(['127.0.0.1']);
    expect(await resolver.resolve4('ostal.test')).toEqual(['127.0.0.1']);
    await expect(resolver.resolveSrv('_imap._tcp.exemple.fr')).rejects.toMatchObject({ code: 'ENOTFOUND' });
    await expect(resolver.resolve4('inconnu.ostal.test')).rejects.toMatchObject({ code: 'ENOTFOUND' });
    // TCP transport answers too (length-prefixed query).
    const answer = await new Promise<Buffer>((resolve, reject) => {
      const sock = net.connect(info.dns.port, '127.0.0.1');
      const q = Buffer.from('abcd01000001000000000000', 'hex');
      const name = Buffer.concat([
        ...'_imaps._tcp.ostal.test'.split('.').map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l)])),
        Buffer.from([0, 0, 33, 0, 1]),
      ]);
      const msg = Buffer.concat([q, name]);
      const len = Buffer.alloc(2);
      len.writeUInt16BE(msg.length);
      sock.end(Buffer.concat([len, msg]));
      const chunks: Buffer[] = [];
      sock.on('data', (c) => chunks.push(c));
      sock.on('end', () => resolve(Buffer.concat(chunks)));
      sock.on('error', reject);
    });
    expect(answer.readUInt16BE(2)).toBe(0xabcd);
    expect(answer.readUInt16BE(8)).toBe(1); // one answer
  });
});

describe('a second, separate run', () => {
  let run: ServersInfo;
  beforeAll(async () => {
    const t0 = Date.now();
    run = await startServers({ seed: 'none' });
    expect(Date.now() - t0).toBeLessThan(15_000);
  });
  afterAll(async () => {
    if (run) await stopServers(run).catch(() => undefined);
  });

  it('coexists with the main run on other ports and folders', () => {
    const main = getServers();
    expect(run.dir).not.toBe(main.dir);
    expect(run.imap.port).not.toBe(main.imap.port);
  });

  it('stopServer/startServer of imap: the port refuses, then accepts again on the same port with the same data', async () => {
    const port = run.imap.tlsPort;
    const oldPid = run.imap.pid;
    await stopServer(run, 'imap');
    expect(isAlive(oldPid)).toBe(false);
    expect(await portAnswers(port)).toBe(false);
    await startServer(run, 'imap');
    expect(run.imap.tlsPort).toBe(port);
    expect(run.imap.pid).not.toBe(oldPid);
    expect(await portAnswers(port)).toBe(true);
    const u = run.users[2] as TestUser;
    const c = new ImapFlow({
      host: 'localhost',
      port,
      secure: true,
      auth: { user: u.username, pass: u.password },
      tls: { ca: fs.readFileSync(run.caCertPath, 'utf8') },
      logger: false,
    });
    await c.connect();
    expect((await c.list()).map((m) => m.path)).toContain('Archive');
    await c.logout();
  });

  it('stopServer/startServer of smtp, radicale, apache and dns: each comes back on its port and works', async () => {
    for (const name of ['smtp', 'radicale', 'apache', 'dns'] as const) {
      const old = run[name].pid;
      await stopServer(run, name);
      expect(isAlive(old)).toBe(false);
      expect(await portAnswers(run[name].port)).toBe(false);
      await startServer(run, name);
      expect(run[name].pid).not.toBe(old);
      expect(await portAnswers(run[name].port)).toBe(true);
    }
    const resolver = new dns.promises.Resolver({ timeout: 2000, tries: 1 });
    resolver.setServers([`127.0.0.1:${run.dns.port}`]);
    expect((await resolver.resolveSrv('_submissions._tcp.ostal.test'))[0]?.port).toBe(run.smtp.tlsPort);
    const r = await httpsRequest({
      port: run.apache.port,
      method: 'GET',
      path: '/mail/config-v1.1.xml',
      ca: fs.readFileSync(run.caCertPath, 'utf8'),
    });
    expect(r.status).toBe(200);
  });

  it('stopServers leaves no process behind', async () => {
    const pids = [run.dns.pid, run.imap.pid, run.smtp.pid, run.radicale.pid, run.apache.pid];
    expect(pids.every((p) => p > 0 && isAlive(p))).toBe(true);
    const all = [...pids, ...pids.flatMap((p) => descendants(p))];
    expect(all.length).toBeGreaterThan(pids.length);
    await stopServers(run);
    expect(all.filter(isAlive)).toEqual([]);
    let pgrep = '';
    try {
      pgrep = execFileSync('pgrep', ['-f', run.dir], { encoding: 'utf8' });
    } catch {
      pgrep = ''; // exit status 1: no process matched
    }
    expect(pgrep.trim()).toBe('');
    for (const port of [
      run.imap.port,
      run.imap.tlsPort,
      run.smtp.port,
      run.smtp.tlsPort,
      run.radicale.port,
      run.apache.port,
      run.dns.port,
    ]) {
      expect(await portAnswers(port)).toBe(false);
    }
  });
});

describe('pruneServers', () => {
  it('stops a run whose owner process is gone, and only that one', async () => {
    const dead = spawnSync('true').pid as number;
    expect(isAlive(dead)).toBe(false);
    const orphan = await startServers({ seed: 'none', ownerPid: dead });
    try {
      const mine = getServers();
      const stopped = await pruneServers();
      expect(stopped).toContain(orphan.dir);
      expect(stopped).not.toContain(mine.dir);
      expect([orphan.imap.pid, orphan.smtp.pid, orphan.radicale.pid, orphan.apache.pid, orphan.dns.pid].filter(isAlive)).toEqual([]);
      expect(await portAnswers(mine.imap.port)).toBe(true);
    } finally {
      await stopServers(orphan).catch(() => undefined);
    }
  });

  it('leaves alone the live daemons of another run whose PIDs an old run had recorded (PIDs wrap)', async () => {
    const dead = spawnSync('true').pid as number;
    const victim = await startServers({ seed: 'none', ownerPid: process.pid });
    // An old run, its owner gone, whose servers.json names PIDs that now belong to the victim's daemons.
    const old = fs.mkdtempSync('/tmp/ostal-srv-');
    try {
      const pids = {
        imap: victim.imap.pid,
        smtp: victim.smtp.pid,
        radicale: victim.radicale.pid,
        apache: victim.apache.pid,
        dns: victim.dns.pid,
      };
      expect(Object.values(pids).every((p) => p > 0 && isAlive(p))).toBe(true);
      const stale: ServersInfo = JSON.parse(JSON.stringify(victim)) as ServersInfo;
      stale.dir = old;
      stale.ownerPid = dead;
      fs.writeFileSync(`${old}/servers.json`, JSON.stringify(stale));
      const stopped = await pruneServers();
      expect(stopped).not.toContain(old);
      expect(stopped).not.toContain(victim.dir);
      expect(Object.values(pids).filter((p) => !isAlive(p))).toEqual([]);
      expect(await portAnswers(victim.imap.port)).toBe(true);
    } finally {
      fs.rmSync(old, { recursive: true, force: true });
      await stopServers(victim).catch(() => undefined);
    }
  });
});
