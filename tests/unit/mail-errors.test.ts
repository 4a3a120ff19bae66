/** French errors of the IMAP client, produced by real sockets on loopback (closed port, silent server, untrusted TLS). */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OstalError } from '../../src/errors.js';
import { imapErrorToOstal } from '../../src/mail/errors.js';
import { parseImapUrl, probeImap } from '../../src/mail/imap-client.js';

let dir: string;
const servers: net.Server[] = [];

function selfSigned(name: string): { key: string; cert: string } {
  const key = path.join(dir, `${name}.key`);
  const cert = path.join(dir, `${name}.crt`);
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '2',
      '-subj',
      `/CN=${name}`,
      '-addext',
      `subjectAltName=DNS:${name}`,
      '-keyout',
      key,
      '-out',
      cert,
    ],
    {
      stdio: 'ignore',
    },
  );
  return { key: fs.readFileSync(key, 'utf8'), cert: fs.readFileSync(cert, 'utf8') };
}

async function listen(server: net.Server): Promise<number> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return (server.address() as net.AddressInfo).port;
}

async function rejection(p: Promise<unknown>): Promise<OstalError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(OstalError);
    return err as OstalError;
  }
  throw new Error('expected a rejection');
}

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ostal-mailerr-'));
});
afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('IMAP endpoint URLs', () => {
  it('reads imap:// as STARTTLS and imaps:// as implicit TLS with default ports', () => {
    expect(parseImapUrl('imap://mail.mairie.fr')).toEqual({ host: 'mail.mairie.fr', port: 143, secure: false });
    expect(parseImapUrl('imaps://mail.mairie.fr')).toEqual({ host: 'mail.mairie.fr', port: 993, secure: true });
    expect(parseImapUrl('imaps://127.0.0.1:1993')).toEqual({ host: '127.0.0.1', port: 1993, secure: true });
    expect(() => parseImapUrl('http://mail.mairie.fr')).toThrow(OstalError);
  });
});

describe('IMAP reachability probe and error mapping', () => {
  it('a closed port is connection_refused, in French', async () => {
    const probe = net.createServer();
    const port = await listen(probe);
    await new Promise((r) => probe.close(r));
    const err = await rejection(probeImap({ host: '127.0.0.1', port, secure: false }));
    expect(err.code).toBe('connection_refused');
    expect(err.message).toBe(
      `Le serveur 127.0.0.1 (port ${port}) refuse la connexion. Vos données restent disponibles sur cet ordinateur\u202f; Ostal réessaiera automatiquement.`,
    );
  });

  it('a server that never greets is a timeout', async () => {
    const port = await listen(net.createServer(() => undefined));
    const err = await rejection(probeImap({ host: '127.0.0.1', port, secure: false }, { timeoutMs: 300 }));
    expect(err.code).toBe('timeout');
    expect(err.message).toContain('ne répond pas');
  });

  it('a greeting answers the probe; a non-IMAP answer does not', async () => {
    const ok = await listen(net.createServer((s) => s.end('* OK Dovecot ready.\r\n')));
    await expect(probeImap({ host: '127.0.0.1', port: ok, secure: false })).resolves.toBeUndefined();
    const http = await listen(net.createServer((s) => s.end('HTTP/1.1 400 Bad Request\r\n\r\n')));
    expect((await rejection(probeImap({ host: '127.0.0.1', port: http, secure: false }))).code).toBe('server_error');
  });

  it('an untrusted certificate is refused unless pinned; a pinned certificate for another name is tls_hostname', async () => {
    const local = selfSigned('localhost');
    const port = await listen(tls.createServer({ key: local.key, cert: local.cert }, (s) => s.end('* OK IMAP ready\r\n')));
    const err = await rejection(probeImap({ host: 'localhost', port, secure: true }));
    expect(err.code).toBe('tls_untrusted');
    expect(err.message).toContain('n’est pas reconnu comme sûr');
    await expect(probeImap({ host: 'localhost', port, secure: true }, { pinnedCertificates: [local.cert] })).resolves.toBeUndefined();

    const other = selfSigned('autre.example');
    const port2 = await listen(tls.createServer({ key: other.key, cert: other.cert }, (s) => s.end('* OK IMAP ready\r\n')));
    const err2 = await rejection(probeImap({ host: 'localhost', port: port2, secure: true }, { pinnedCertificates: [other.cert] }));
    expect(err2.code).toBe('tls_hostname');
  });

  it('maps imapflow authentication failures and unknown errors', () => {
    const auth = imapErrorToOstal(
      Object.assign(new Error('Authentication failed'), { authenticationFailed: true, serverResponseCode: 'AUTHENTICATIONFAILED' }),
      'imap.mairie.fr',
      993,
    );
    expect(auth.code).toBe('auth_failed');
    expect(auth.message).toContain('imap.mairie.fr');
    expect(imapErrorToOstal(Object.assign(new Error('x'), { code: 'NoConnection', _err: { code: 'ENOTFOUND' } }), 'h', 1).code).toBe(
      'unreachable',
    );
    expect(imapErrorToOstal(new Error('???'), 'h', 1).code).toBe('server_error');
  });
});
