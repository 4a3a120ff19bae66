/** IT's proxy policy as the Electron session's proxy configuration (the window's meeting connections). */
import { describe, expect, it } from 'vitest';
import { sessionProxyConfig } from '../../src/host/session-proxy.js';

describe('session proxy of the desktop window', () => {
  it('follows the policy, and leaves the system to Chromium', () => {
    expect(sessionProxyConfig(null)).toBeNull();
    expect(sessionProxyConfig({ mode: 'system', bypass: [] })).toBeNull();
    expect(sessionProxyConfig({ mode: 'direct', bypass: [] })).toEqual({ mode: 'direct' });
    expect(sessionProxyConfig({ mode: 'pac', pacUrl: 'https://mairie.fr/proxy.pac', bypass: [] })).toEqual({
      mode: 'pac_script',
      pacScript: 'https://mairie.fr/proxy.pac',
    });
    expect(
      sessionProxyConfig({ mode: 'fixed', url: 'http://agent:secret@proxy.mairie.fr:3128', bypass: ['.mairie.fr', '<local>'] }),
    ).toEqual({ mode: 'fixed_servers', proxyRules: 'proxy.mairie.fr:3128', proxyBypassRules: '.mairie.fr,<local>' });
  });
});
