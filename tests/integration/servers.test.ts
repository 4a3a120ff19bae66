import tls from 'node:tls';
import { describe, expect, it } from 'vitest';
import { getServers } from '../servers/testing.js';

describe('env', () => {
  it('inherits CA', async () => {
    const s = getServers();
    expect(process.env.NODE_EXTRA_CA_CERTS).toBeTruthy();
    const ok = await new Promise<boolean>((resolve) => {
      const sock = tls.connect({ host: 'localhost', port: s.imap.tlsPort, servername: 'localhost' }, () => { resolve(sock.authorized); sock.end(); });
      sock.on('error', (e) => { console.log(e); resolve(false); });
    });
    expect(ok).toBe(true);
  });
});
