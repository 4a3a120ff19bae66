/**
 * One French message per network cause, whatever the domain: an expired certificate, a certificate from an unknown
 * authority and a closed port give the very same message in Courrier (IMAP sync), Agenda (CalDAV sync), Contacts
 * (CardDAV sync) and Fichiers (WebDAV sync), each through its own sync code path. The account is set up on the real
 * test servers, then its four addresses are pointed at small TLS servers of this test on 127.0.0.1.
 */
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Core } from '../../src/core.js';
import { silentLogger } from '../../src/log.js';
import { testUser } from '../servers/testing.js';
import { makeAuthority } from './net-fixtures/certificates.js';
import { addServerAccount } from './account-fixture.js';

const NNBSP = '\u202f';
let dir: string;
let core: Core;
let accountId: string;
const servers: net.Server[] = [];
const ports = { expired: 0, unknownCa: 0, closed: 0 };

/** A CA of this test, and a server certificate for localhost/127.0.0.1 signed by it, valid for `days` (-1: expired). */
function authorityAndLeaf(name: string, days: number): { ca: string; key: string; cert: string } {
  return makeAuthority(dir, name, days);
}

async function listen(server: net.Server): Promise<number> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return (server.address() as net.AddressInfo).port;
}

/** A TLS server that would greet like IMAP; clients never get that far. */
function tlsServer(key: string, cert: string): tls.Server {
  const server = tls.createServer({ key, cert }, (s) => s.end('* OK IMAP ready\r\n'));
  server.on('tlsClientError', () => undefined);
  return server;
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ostal-netfail-'));
  // The account trusts this CA (pinned): its expired certificate is refused as expired, not as unknown.
  const pinned = authorityAndLeaf('pinned', -1);
  const stranger = authorityAndLeaf('stranger', 2);
  ports.expired = await listen(tlsServer(pinned.key, pinned.cert));
  ports.unknownCa = await listen(tlsServer(stranger.key, stranger.cert));
  const probe = net.createServer();
  ports.closed = await listen(probe);
  await new Promise((r) => probe.close(r));

  const user = testUser(2);
  core = await Core.open({
    profileDir: path.join(dir, 'profil'),
    mode: 'cli',
    logger: silentLogger,
    policyPath: path.join(dir, 'no-policy.json'),
  });
  accountId = await addServerAccount(core, user, {}, { pinnedCertificates: [pinned.ca] });
  await core.handle('settings.set', { key: 'files.localRoot', value: path.join(dir, 'Documents') });
});

afterAll(async () => {
  await core?.close();
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Point the account's four servers at 127.0.0.1:`port`. */
function pointAt(port: number): void {
  const dav = `https://127.0.0.1:${port}/dav/`;
  core.ctx.db
    .prepare("UPDATE accounts SET settings = json_set(settings, '$.imap', ?, '$.caldav', ?, '$.carddav', ?, '$.webdav', ?) WHERE id = ?")
    .run(`imaps://127.0.0.1:${port}`, dav, dav, dav, accountId);
}

const domains = [
  ['Courrier (IMAP)', () => core.handle('sync.run', { accountId, only: 'mail' })],
  ['Agenda (CalDAV)', () => core.handle('sync.run', { accountId, only: 'calendar' })],
  ['Contacts (CardDAV)', () => core.handle('sync.run', { accountId, only: 'contacts' })],
  ['Fichiers (WebDAV)', () => core.handle('files.sync', { accountId })],
] as const;

const cases = [
  {
    cause: 'an expired certificate',
    port: () => ports.expired,
    code: 'tls_untrusted',
    message: () =>
      `Le certificat de sécurité du serveur 127.0.0.1 a expiré ou n’est pas encore valable. Ostal refuse la connexion pour protéger vos données${NNBSP}; prévenez votre service informatique.`,
  },
  {
    cause: 'a certificate from an unknown authority',
    port: () => ports.unknownCa,
    code: 'tls_untrusted',
    message: () =>
      `Le certificat de sécurité du serveur 127.0.0.1 n’est pas reconnu comme sûr. Ostal refuse la connexion pour protéger vos données${NNBSP}; prévenez votre service informatique.`,
  },
  {
    cause: 'a closed port',
    port: () => ports.closed,
    code: 'connection_refused',
    message: () =>
      `Le serveur 127.0.0.1 (port ${ports.closed}) refuse la connexion. Vos données restent disponibles sur cet ordinateur${NNBSP}; Ostal réessaiera automatiquement.`,
  },
];

describe.each(cases)('$cause', ({ port, code, message }) => {
  it.each(domains)('gives the same French message in %s', async (_domain, sync) => {
    pointAt(port());
    const report = await sync();
    expect(report.accounts).toHaveLength(1);
    expect(report.accounts[0].ok).toBe(false);
    expect(report.accounts[0].error).toEqual({ code, message: message() });
  });
});
