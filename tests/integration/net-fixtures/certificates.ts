/** A certificate authority made for one test, and a server certificate for 127.0.0.1/localhost signed by it (openssl CLI). */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export interface TestAuthority {
  /** PEM of the authority. */
  ca: string;
  caPath: string;
  key: string;
  cert: string;
}

const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'ignore' });

/** `leafDays`: how long the server certificate is valid (-1: already expired). */
export function makeAuthority(dir: string, name: string, leafDays = 2): TestAuthority {
  const p = (f: string) => path.join(dir, `${name}-${f}`);
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl(
    'req',
    '-x509',
    ...ec,
    '-keyout',
    p('ca.key'),
    '-out',
    p('ca.crt'),
    '-days',
    '2',
    '-subj',
    `/O=Ostal tests/CN=Ostal ${name} CA`,
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  );
  openssl('req', '-new', ...ec, '-keyout', p('leaf.key'), '-out', p('leaf.csr'), '-subj', '/CN=localhost');
  fs.writeFileSync(
    p('leaf.ext'),
    'basicConstraints = critical, CA:FALSE\nextendedKeyUsage = serverAuth\nsubjectAltName = DNS:localhost, IP:127.0.0.1\n',
  );
  openssl(
    'x509',
    '-req',
    '-in',
    p('leaf.csr'),
    '-CA',
    p('ca.crt'),
    '-CAkey',
    p('ca.key'),
    '-CAcreateserial',
    '-out',
    p('leaf.crt'),
    '-days',
    String(leafDays),
    '-extfile',
    p('leaf.ext'),
  );
  return {
    ca: fs.readFileSync(p('ca.crt'), 'utf8'),
    caPath: p('ca.crt'),
    key: fs.readFileSync(p('leaf.key'), 'utf8'),
    cert: fs.readFileSync(p('leaf.crt'), 'utf8'),
  };
}
