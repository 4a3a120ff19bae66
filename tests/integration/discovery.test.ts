import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServersInfo } from '../servers/index.js';
import { getServers } from '../servers/testing.js';
import { discoverAccount, probeDavWellKnown } from '../../src/accounts/discovery.js';
import { checkEndpoints } from '../../src/accounts/checks.js';
import { OstalError } from '../../src/errors.js';
import { loadPolicy, NO_POLICY } from '../../src/policy/index.js';
import { silentLogger } from '../../src/log.js';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

let info: ServersInfo;
const saved: Record<string, string | undefined> = {};

beforeAll(() => {
  info = getServers();
  // Discovery goes through the test DNS server and the test HTTPS port, as IT could force them.
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

describe('discovery against the local servers', () => {
  it('finds agent1@ostal.test by autoconfig (Apache) and CalDAV/CardDAV by SRV on Radicale', async () => {
    const result = await discoverAccount('agent1@ostal.test', { policy: NO_POLICY, log: silentLogger });
    expect(result.sources).toEqual({ mail: 'autoconfig', caldav: 'srv', carddav: 'srv', webdav: null });
    expect(result.settings).toEqual({
      imap: `imap://localhost:${info.imap.port}`,
      smtp: `smtp://localhost:${info.smtp.port}`,
      caldav: `https://localhost:${info.radicale.port}/`,
      carddav: `https://localhost:${info.radicale.port}/`,
      webdav: null,
      // ManageSieve by SRV _sieve._tcp (RFC 5804 §1.8).
      sieve: `sieve://localhost:${info.sieve.port}`,
      // The XMPP server of the espaces de travail, by SRV _xmpp-client._tcp.
      xmpp: `xmpp://localhost:${info.prosody.port}`,
      username: null,
    });
    expect(result.locked).toEqual([]);
    // What discovery found really works with agent1's password.
    const user = info.users[0];
    const checks = await checkEndpoints(user.email, user.password, result.settings);
    expect(checks).toEqual([
      { kind: 'imap', ok: true },
      { kind: 'smtp', ok: true },
      { kind: 'caldav', ok: true },
      { kind: 'carddav', ok: true },
    ]);
  });

  it('follows the /.well-known/caldav and /.well-known/carddav redirects of Radicale', async () => {
    const origin = `https://localhost:${info.radicale.port}`;
    expect(await probeDavWellKnown(origin, 'caldav', { log: silentLogger })).toBe(`${origin}/`);
    expect(await probeDavWellKnown(origin, 'carddav', { log: silentLogger })).toBe(`${origin}/`);
    // Apache serves no DAV at .well-known: no false positive.
    expect(await probeDavWellKnown(`https://localhost:${info.apache.port}`, 'caldav', { log: silentLogger })).toBeNull();
  });

  it('uses DNS SRV (RFC 6186, implicit TLS first) when no autoconfig file answers', async () => {
    // A port where nothing listens: both autoconfig probes fail fast, SRV remains.
    process.env.OSTAL_DISCOVERY_HTTPS_PORT = '1';
    try {
      const result = await discoverAccount('agent2@ostal.test', { policy: NO_POLICY, log: silentLogger });
      expect(result.sources.mail).toBe('srv');
      expect(result.settings.imap).toBe(`imaps://localhost:${info.imap.tlsPort}`);
      expect(result.settings.smtp).toBe(`smtps://localhost:${info.smtp.tlsPort}`);
      const user = info.users[1];
      const checks = await checkEndpoints(user.email, user.password, { ...result.settings, caldav: null, carddav: null });
      expect(checks.every((c) => c.ok)).toBe(true);
    } finally {
      process.env.OSTAL_DISCOVERY_HTTPS_PORT = String(info.apache.port);
    }
  });

  it('takes the IT policy preset first, with its locks', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ostal-disco-'));
    const file = path.join(dir, 'policies.json');
    fs.writeFileSync(
      file,
      JSON.stringify({
        domains: {
          'ostal.test': {
            imap: `imaps://localhost:${info.imap.tlsPort}`,
            smtp: `smtps://localhost:${info.smtp.tlsPort}`,
            locked: ['imap', 'smtp'],
          },
        },
      }),
    );
    try {
      const policy = loadPolicy({ path: file, log: silentLogger });
      const result = await discoverAccount('agent1@ostal.test', { policy, log: silentLogger });
      expect(result.sources.mail).toBe('policy');
      expect(result.settings.imap).toBe(`imaps://localhost:${info.imap.tlsPort}`);
      expect(result.locked).toEqual(['imap', 'smtp']);
      // DAV was not preset: still discovered.
      expect(result.sources.caldav).toBe('srv');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('says in French that nothing was found for an unknown domain', async () => {
    const started = Date.now();
    try {
      await discoverAccount('personne@inconnu.test', { policy: NO_POLICY, log: silentLogger });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(OstalError);
      expect((err as OstalError).code).toBe('discovery_failed');
      expect((err as OstalError).message).toBe(
        'Ostal n’a pas trouvé les réglages de serveur pour les adresses inconnu.test. Demandez-les à votre service informatique, puis saisissez-les à la main.',
      );
    }
    expect(Date.now() - started).toBeLessThan(15_000);
  });
});
