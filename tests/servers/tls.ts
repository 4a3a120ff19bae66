/** Per-run CA and server certificate, made with the openssl CLI. */
import fs from 'node:fs';
import path from 'node:path';
import type { RunLayout } from './layout.js';
import { runOk } from './proc.js';

export async function makeCertificates(l: RunLayout): Promise<void> {
  fs.mkdirSync(l.tls.dir, { recursive: true, mode: 0o755 });
  const ext = path.join(l.tls.dir, 'server.ext');
  const csr = path.join(l.tls.dir, 'server.csr');
  fs.writeFileSync(
    ext,
    [
      'basicConstraints = critical, CA:FALSE',
      'keyUsage = critical, digitalSignature, keyEncipherment',
      'extendedKeyUsage = serverAuth',
      'subjectAltName = DNS:localhost, DNS:ostal.test, DNS:*.ostal.test, IP:127.0.0.1',
      '',
    ].join('\n'),
  );
  const tag = path.basename(l.dir);
  await Promise.all([
    runOk('openssl', [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      l.tls.caKey,
      '-out',
      l.tls.caCert,
      '-days',
      '30',
      '-subj',
      `/O=Ostal tests/CN=Ostal test CA ${tag}`,
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ]),
    runOk('openssl', [
      'req',
      '-new',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      l.tls.key,
      '-out',
      csr,
      '-subj',
      '/O=Ostal tests/CN=localhost',
    ]),
  ]);
  await runOk('openssl', [
    'x509',
    '-req',
    '-in',
    csr,
    '-CA',
    l.tls.caCert,
    '-CAkey',
    l.tls.caKey,
    '-CAcreateserial',
    '-out',
    l.tls.cert,
    '-days',
    '30',
    '-extfile',
    ext,
  ]);
  // Daemons read the key as root before dropping privileges; Radicale runs as root too.
  fs.chmodSync(l.tls.key, 0o600);
  fs.chmodSync(l.tls.caKey, 0o600);
  fs.chmodSync(l.tls.cert, 0o644);
  fs.chmodSync(l.tls.caCert, 0o644);
}
