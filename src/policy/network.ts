/**
 * The network part of IT's policy, applied once at start-up by the core (and by anything else that talks to servers
 * in the same process): which proxy every HTTP(S) request of src/net/http.ts goes through. The decision of each
 * source is in src/net/proxy.ts; this module only picks the source: the policy's `proxy` key, else the system's
 * settings (Windows: the user's « Paramètres Internet »; elsewhere HTTPS_PROXY/HTTP_PROXY/NO_PROXY), else none.
 * A PAC file is fetched at the first request that needs it (never through a proxy), then kept for the process.
 */
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Logger } from '../log.js';
import { httpRequest, setProxyResolver } from '../net/http.js';
import {
  DIRECT,
  envProxyResolver,
  fixedProxyResolver,
  pacProxyResolver,
  windowsProxyResolver,
  type ProxyResolver,
  type WindowsInternetSettings,
} from '../net/proxy.js';
import type { ProxyPolicy } from './index.js';
import { realRegistry, type RegistryReader } from './registry.js';

export interface NetworkSetupOptions {
  log: Logger;
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
  /** Windows' registry (a fake in tests). */
  registry?: RegistryReader;
  /** The host's own knowledge of the system's proxy (Electron: session.resolveProxy), used for `system`. */
  system?: ProxyResolver;
  /** Reads a PAC file (tests give the script); default: file:// from disk, http(s):// fetched directly. */
  fetchPac?: (url: string) => Promise<string>;
}

const INTERNET_SETTINGS = 'Software\\Microsoft\\Windows\\CurrentVersion\\Internet Settings';

async function fetchPacDefault(url: string): Promise<string> {
  const u = new URL(url);
  if (u.protocol === 'file:') return fs.promises.readFile(fileURLToPath(u), 'utf8');
  const res = await httpRequest(url, { direct: true, timeoutMs: 10_000, maxBytes: 1024 * 1024 });
  if (res.status !== 200) throw new Error(`PAC file ${url} answered ${res.status}`);
  return res.body;
}

/** A PAC resolver made at its first use: the script fetched and compiled once; a failure is retried at the next use. */
export function lazyPacResolver(pacUrl: string, fetchPac: (url: string) => Promise<string>, log: Logger): ProxyResolver {
  let ready: Promise<ProxyResolver> | null = null;
  return {
    description: `PAC ${pacUrl}`,
    resolve: async (url) => {
      ready ??= fetchPac(pacUrl).then((script) => pacProxyResolver(script, `PAC ${pacUrl}`));
      try {
        return await (await ready).resolve(url);
      } catch (err) {
        log.warn('proxy: PAC file failed', { pacUrl, err: err as Error });
        ready = null;
        throw err;
      }
    },
  };
}

/** Windows' « Paramètres Internet » of the user, from HKCU. */
export function readWindowsInternetSettings(registry: RegistryReader): WindowsInternetSettings {
  const key = registry.read('HKCU', INTERNET_SETTINGS);
  if (!key) return {};
  const value = (name: string) => key.values.get(name.toLowerCase())?.data;
  const num = value('ProxyEnable');
  const str = (name: string) => {
    const v = value(name);
    return typeof v === 'string' && v ? v : undefined;
  };
  return {
    ProxyEnable: typeof num === 'number' ? num : undefined,
    ProxyServer: str('ProxyServer'),
    ProxyOverride: str('ProxyOverride'),
    AutoConfigURL: str('AutoConfigURL'),
  };
}

/** The resolver the policy and the system give (nothing is fetched yet). */
export function proxyResolverOf(policy: ProxyPolicy | null, options: NetworkSetupOptions): ProxyResolver {
  const fetchPac = options.fetchPac ?? fetchPacDefault;
  const env = options.env ?? process.env;
  if (policy && policy.mode === 'direct') return DIRECT;
  if (policy && policy.mode === 'fixed' && policy.url) return fixedProxyResolver(policy.url, policy.bypass, `stratégie ${policy.url}`);
  if (policy && policy.mode === 'pac' && policy.pacUrl) return lazyPacResolver(policy.pacUrl, fetchPac, options.log);
  if (options.system) return options.system;
  if ((options.platform ?? process.platform) === 'win32') {
    const settings = readWindowsInternetSettings(options.registry ?? realRegistry());
    if (settings.AutoConfigURL) return lazyPacResolver(settings.AutoConfigURL, fetchPac, options.log);
    const windows = windowsProxyResolver(settings);
    if (windows) return windows;
  }
  return envProxyResolver(env) ?? DIRECT;
}

/** Apply the policy's proxy (or the system's) to every HTTP(S) request of this process. */
export function applyNetworkPolicy(policy: ProxyPolicy | null, options: NetworkSetupOptions): ProxyResolver {
  const resolver = proxyResolverOf(policy, options);
  setProxyResolver(resolver);
  if (resolver !== DIRECT) options.log.info('proxy in use', { source: resolver.description.replace(/\/\/[^@/]*@/, '//…@') });
  return resolver;
}
