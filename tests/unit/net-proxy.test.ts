/** Which proxy for which URL: PAC scripts (in the QuickJS sandbox), the policy, the variables, Windows' settings. */
import { describe, expect, it } from 'vitest';
import {
  bypassesProxy,
  DIRECT,
  envProxyResolver,
  fixedProxyResolver,
  pacProxyResolver,
  parsePacResult,
  routesFor,
  windowsProxyResolver,
} from '../../src/net/proxy.js';
import { proxyResolverOf, readWindowsInternetSettings } from '../../src/policy/network.js';
import { fakeRegistry } from '../../src/policy/registry.js';
import { silentLogger } from '../../src/log.js';

/** A PAC file as a commune's IT would write one. */
const PAC = `
function FindProxyForURL(url, host) {
  if (isPlainHostName(host) || dnsDomainIs(host, ".mairie-exemple.fr")) return "DIRECT";
  if (isInNet(host, "10.0.0.0", "255.0.0.0")) return "DIRECT";
  if (shExpMatch(url, "https://visio.*")) return "PROXY visio-proxy.mairie-exemple.fr:8080; DIRECT";
  if (url.substring(0, 5) === "http:") return "PROXY proxy.mairie-exemple.fr:3128";
  return "PROXY proxy.mairie-exemple.fr:3129; PROXY secours.mairie-exemple.fr:3129; DIRECT";
}`;

describe('PAC script', () => {
  it('chooses the proxy of each URL', async () => {
    const pac = await pacProxyResolver(PAC);
    const route = async (url: string) => routesFor(pac, new URL(url));
    expect(await route('https://dav.mairie-exemple.fr/agendas/')).toEqual([{ kind: 'direct' }]);
    expect(await route('https://intranet/')).toEqual([{ kind: 'direct' }]);
    expect(await route('https://10.1.2.3/dav/')).toEqual([{ kind: 'direct' }]);
    expect(await route('https://visio.departement.fr/salle/abc')).toEqual([
      { kind: 'http', host: 'visio-proxy.mairie-exemple.fr', port: 8080 },
      { kind: 'direct' },
    ]);
    expect(await route('http://fichiers.prestataire.fr/dav/')).toEqual([{ kind: 'http', host: 'proxy.mairie-exemple.fr', port: 3128 }]);
    expect(await route('https://dav.prestataire.fr/')).toEqual([
      { kind: 'http', host: 'proxy.mairie-exemple.fr', port: 3129 },
      { kind: 'http', host: 'secours.mairie-exemple.fr', port: 3129 },
      { kind: 'direct' },
    ]);
  });

  it('cannot reach Node from the script', async () => {
    const pac = await pacProxyResolver(
      `function FindProxyForURL(url, host) { return typeof require + "," + typeof process + "," + typeof globalThis.fetch; }`,
    );
    expect(await pac.resolve(new URL('https://dav.exemple.fr/'))).toBe('undefined,undefined,undefined');
  });

  it('stops a script that never ends, and rejects one that throws', async () => {
    const endless = await pacProxyResolver('function FindProxyForURL(url, host) { for (;;) {} }');
    await expect(endless.resolve(new URL('https://dav.exemple.fr/'))).rejects.toThrow(/interrupted/i);
    const throwing = await pacProxyResolver('function FindProxyForURL(url, host) { throw new Error("panne"); }');
    await expect(throwing.resolve(new URL('https://dav.exemple.fr/'))).rejects.toThrow('panne');
    await expect(pacProxyResolver('ceci n’est pas du JavaScript')).rejects.toThrow();
  });
});

describe('PAC answers', () => {
  it('parses PROXY, HTTPS, DIRECT and skips SOCKS', () => {
    expect(parsePacResult('PROXY p:3128; SOCKS s:1080; HTTPS q:443;DIRECT')).toEqual([
      { kind: 'http', host: 'p', port: 3128 },
      { kind: 'http', host: 'q', port: 443 },
      { kind: 'direct' },
    ]);
    expect(parsePacResult('')).toEqual([{ kind: 'direct' }]);
    expect(parsePacResult('PROXY [2001:db8::1]:8080')).toEqual([{ kind: 'http', host: '2001:db8::1', port: 8080 }]);
  });
});

describe('bypass lists', () => {
  const u = (s: string) => new URL(s);
  it('matches domains, suffixes, ports, ranges and <local>', () => {
    const list = ['.mairie.fr', 'exact.fr', '*.wild.fr', 'porte.fr:8443', '192.168.0.0/16', '<local>'];
    expect(bypassesProxy(u('https://dav.mairie.fr/'), list)).toBe(true);
    expect(bypassesProxy(u('https://mairie.fr/'), list)).toBe(true);
    expect(bypassesProxy(u('https://pasmairie.fr/'), list)).toBe(false);
    expect(bypassesProxy(u('https://a.exact.fr/'), list)).toBe(true);
    expect(bypassesProxy(u('https://x.wild.fr/'), list)).toBe(true);
    expect(bypassesProxy(u('https://porte.fr:8443/'), list)).toBe(true);
    expect(bypassesProxy(u('https://porte.fr/'), list)).toBe(false);
    expect(bypassesProxy(u('https://192.168.4.5/'), list)).toBe(true);
    expect(bypassesProxy(u('https://192.169.4.5/'), list)).toBe(false);
    expect(bypassesProxy(u('https://intranet/'), list)).toBe(true);
  });

  it('reaches loopback directly unless <-loopback> is listed', () => {
    expect(bypassesProxy(u('https://127.0.0.1:8443/'), [])).toBe(true);
    expect(bypassesProxy(u('https://localhost/'), [])).toBe(true);
    expect(bypassesProxy(u('https://127.0.0.1:8443/'), ['<-loopback>'])).toBe(false);
  });
});

describe('sources of the proxy choice', () => {
  const url = new URL('https://dav.prestataire.fr/');
  it('follows HTTPS_PROXY and NO_PROXY', async () => {
    const env = envProxyResolver({ HTTPS_PROXY: 'http://p.mairie.fr:3128', NO_PROXY: 'mairie.fr,.interne' });
    expect(await env?.resolve(url)).toBe('PROXY p.mairie.fr:3128');
    expect(await env?.resolve(new URL('https://dav.mairie.fr/'))).toBe('DIRECT');
    expect(await env?.resolve(new URL('http://x.prestataire.fr/'))).toBe('DIRECT');
    expect(envProxyResolver({})).toBeNull();
  });

  it('follows Windows’ Internet settings, per scheme', async () => {
    const win = windowsProxyResolver({ ProxyEnable: 1, ProxyServer: 'http=p:80;https=p:8443', ProxyOverride: '*.mairie.fr;<local>' });
    expect(await win?.resolve(url)).toBe('PROXY p:8443');
    expect(await win?.resolve(new URL('http://x.prestataire.fr/'))).toBe('PROXY p:80');
    expect(await win?.resolve(new URL('https://dav.mairie.fr/'))).toBe('DIRECT');
    expect(windowsProxyResolver({ ProxyEnable: 0, ProxyServer: 'p:80' })).toBeNull();
  });

  it('puts the policy first, then the system', async () => {
    const log = silentLogger;
    const fetchPac = () => Promise.resolve('function FindProxyForURL(u, h) { return "PROXY pac.mairie.fr:8080"; }');
    const env = { HTTPS_PROXY: 'http://env.mairie.fr:3128' };
    const registry = fakeRegistry({
      HKCU: {
        'Software\\Microsoft\\Windows\\CurrentVersion\\Internet Settings': {
          ProxyEnable: 1,
          ProxyServer: 'win.mairie.fr:8080',
          ProxyOverride: '<local>',
        },
      },
    });
    const choose = (policy: Parameters<typeof proxyResolverOf>[0], platform: NodeJS.Platform = 'linux') =>
      proxyResolverOf(policy, { log, env, platform, registry, fetchPac }).resolve(url);
    expect(await choose({ mode: 'fixed', url: 'http://impose.mairie.fr:3128', bypass: [] })).toBe('PROXY impose.mairie.fr:3128');
    expect(await choose({ mode: 'pac', pacUrl: 'https://mairie.fr/proxy.pac', bypass: [] })).toBe('PROXY pac.mairie.fr:8080');
    expect(proxyResolverOf({ mode: 'direct', bypass: [] }, { log, env })).toBe(DIRECT);
    expect(await choose(null)).toBe('PROXY env.mairie.fr:3128');
    expect(await choose({ mode: 'system', bypass: [] }, 'win32')).toBe('PROXY win.mairie.fr:8080');
    expect(readWindowsInternetSettings(registry)).toEqual({
      ProxyEnable: 1,
      ProxyServer: 'win.mairie.fr:8080',
      ProxyOverride: '<local>',
      AutoConfigURL: undefined,
    });
    expect(await fixedProxyResolver('http://p:1', ['.prestataire.fr']).resolve(url)).toBe('DIRECT');
  });
});
