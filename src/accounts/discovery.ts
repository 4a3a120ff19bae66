import type dns from 'node:dns';
import type { DiscoveryResult, DiscoverySource, ServerSettings } from '../shared/contract.js';
import { OstalError } from '../errors.js';
import { t } from '../i18n/index.js';
import type { Logger } from '../log.js';
import type { Policy } from '../policy/index.js';
import { parseAutoconfig } from './autoconfig.js';
import { createResolver, lookupFor, networkEnv, type LookupFunction } from '../net/dns.js';
import { httpRequest } from '../net/http.js';

export interface DiscoveryOptions {
  policy: Policy;
  log: Logger;
  env?: NodeJS.ProcessEnv;
  /** Timeout of each HTTP probe, ms. */
  probeTimeoutMs?: number;
}

const EMAIL = /^[^\s@]+@([a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+)$/i;

/** Lower-cased domain of a valid address, or `invalid_input` in French. */
export function emailDomain(email: string): string {
  const m = EMAIL.exec(email.trim());
  if (!m) throw new OstalError('invalid_input', t('errors.invalidEmail', { email }));
  return m[1].toLowerCase();
}

interface Probe {
  resolver: dns.promises.Resolver;
  lookup: LookupFunction | undefined;
  httpsPort: number;
  timeoutMs: number;
  log: Logger;
}

function withPort(host: string, port: number): string {
  return port === 443 ? host : `${host}:${port}`;
}

/** Thunderbird autoconfig: the autoconfig host, then the domain's .well-known. */
async function tryAutoconfig(
  email: string,
  domain: string,
  p: Probe,
): Promise<{ settings: ServerSettings; source: DiscoverySource } | null> {
  const candidates: [string, DiscoverySource][] = [
    [
      `https://${withPort(`autoconfig.${domain}`, p.httpsPort)}/mail/config-v1.1.xml?emailaddress=${encodeURIComponent(email)}`,
      'autoconfig',
    ],
    [
      `https://${withPort(domain, p.httpsPort)}/.well-known/autoconfig/mail/config-v1.1.xml?emailaddress=${encodeURIComponent(email)}`,
      'well-known-autoconfig',
    ],
  ];
  for (const [url, source] of candidates) {
    try {
      const res = await httpRequest(url, {
        lookup: p.lookup,
        timeoutMs: p.timeoutMs,
        headers: { Accept: 'application/xml, text/xml' },
        maxBytes: 256 * 1024,
      });
      if (res.status !== 200) {
        p.log.info('discovery: autoconfig not found', { url, status: res.status });
        continue;
      }
      const parsed = parseAutoconfig(res.body, email);
      if (!parsed) {
        p.log.warn('discovery: autoconfig file unusable', { url });
        continue;
      }
      p.log.info('discovery: autoconfig found', { url });
      return {
        settings: {
          imap: parsed.imap,
          smtp: parsed.smtp,
          username: parsed.username,
          caldav: parsed.caldav,
          carddav: parsed.carddav,
          webdav: null,
        },
        source,
      };
    } catch (err) {
      p.log.info('discovery: autoconfig probe failed', { url, err: err as Error });
    }
  }
  return null;
}

/** SRV records sorted by priority then weight (RFC 2782), without the "service not offered" target ".". */
async function srv(p: Probe, name: string): Promise<dns.SrvRecord[]> {
  try {
    const records = await p.resolver.resolveSrv(name);
    return records.filter((r) => r.name && r.name !== '.' && r.port > 0).sort((a, b) => a.priority - b.priority || b.weight - a.weight);
  } catch (err) {
    p.log.info('discovery: no SRV record', { name, code: (err as NodeJS.ErrnoException).code });
    return [];
  }
}

const stripDot = (host: string) => host.replace(/\.$/, '');

/** RFC 6186 (with RFC 8314's implicit TLS first): IMAP and submission from SRV records. */
async function tryMailSrv(domain: string, p: Probe): Promise<Pick<ServerSettings, 'imap' | 'smtp'> | null> {
  const [imaps, imap, submissions, submission] = await Promise.all([
    srv(p, `_imaps._tcp.${domain}`),
    srv(p, `_imap._tcp.${domain}`),
    srv(p, `_submissions._tcp.${domain}`),
    srv(p, `_submission._tcp.${domain}`),
  ]);
  const imapUrl = imaps[0]
    ? `imaps://${stripDot(imaps[0].name)}:${imaps[0].port}`
    : imap[0]
      ? `imap://${stripDot(imap[0].name)}:${imap[0].port}`
      : null;
  const smtpUrl = submissions[0]
    ? `smtps://${stripDot(submissions[0].name)}:${submissions[0].port}`
    : submission[0]
      ? `smtp://${stripDot(submission[0].name)}:${submission[0].port}`
      : null;
  if (!imapUrl || !smtpUrl) return null;
  p.log.info('discovery: mail SRV found', { imap: imapUrl, smtp: smtpUrl });
  return { imap: imapUrl, smtp: smtpUrl };
}

/** RFC 6120 § 3.2.1: the XMPP client service of the domain (STARTTLS on that port). */
export async function tryXmppSrv(domain: string, p: Pick<Probe, 'resolver' | 'log'>): Promise<string | null> {
  const records = await srv(p as Probe, `_xmpp-client._tcp.${domain}`);
  const first = records[0];
  return first ? `xmpp://${stripDot(first.name)}:${first.port}` : null;
}

const PROPFIND_BODY =
  '<?xml version="1.0" encoding="utf-8"?><d:propfind xmlns:d="DAV:"><d:prop><d:current-user-principal/><d:resourcetype/></d:prop></d:propfind>';

/** True when a DAV server answers at this URL (207, or 401 asking for the password); returns the final URL after redirects. */
async function davAnswers(url: string, p: Probe): Promise<string | null> {
  try {
    const res = await httpRequest(url, {
      method: 'PROPFIND',
      headers: { Depth: '0', 'Content-Type': 'application/xml; charset=utf-8' },
      body: PROPFIND_BODY,
      lookup: p.lookup,
      timeoutMs: p.timeoutMs,
      maxBytes: 64 * 1024,
    });
    if (res.status === 207 || res.status === 401 || (res.status >= 200 && res.status < 300)) {
      const final = new URL(res.url);
      final.search = '';
      return final.toString();
    }
    p.log.info('discovery: no DAV service', { url, status: res.status });
  } catch (err) {
    p.log.info('discovery: DAV probe failed', { url, err: err as Error });
  }
  return null;
}

/**
 * Probe `<origin>/.well-known/caldav|carddav` (RFC 6764 §5): follows the redirect and returns
 * the final URL when a DAV server answers there (even asking for a password), else null.
 */
export async function probeDavWellKnown(
  origin: string,
  kind: 'caldav' | 'carddav',
  options: { log: Logger; env?: NodeJS.ProcessEnv; probeTimeoutMs?: number },
): Promise<string | null> {
  const netEnv = networkEnv(options.env);
  const resolver = createResolver(netEnv);
  const probe: Probe = {
    resolver,
    lookup: lookupFor(netEnv.dnsServers ? resolver : null),
    httpsPort: netEnv.discoveryHttpsPort,
    timeoutMs: options.probeTimeoutMs ?? 3000,
    log: options.log,
  };
  return davAnswers(new URL(`/.well-known/${kind}`, origin).toString(), probe);
}

/** RFC 6764: SRV (+ TXT path) then /.well-known on the SRV target, then /.well-known on the domain itself. */
async function tryDav(kind: 'caldav' | 'carddav', domain: string, p: Probe): Promise<{ url: string; source: DiscoverySource } | null> {
  const records = await srv(p, `_${kind}s._tcp.${domain}`);
  for (const r of records) {
    const host = withPort(stripDot(r.name), r.port);
    let path: string | null = null;
    try {
      const txt = await p.resolver.resolveTxt(`_${kind}s._tcp.${domain}`);
      for (const chunks of txt) {
        const m = /^path=(\/.*)$/.exec(chunks.join(''));
        if (m) path = m[1];
      }
    } catch {
      /* TXT is optional */
    }
    if (path) {
      const found = await davAnswers(`https://${host}${path}`, p);
      if (found) return { url: found, source: 'srv' };
    }
    const found = await davAnswers(`https://${host}/.well-known/${kind}`, p);
    if (found) return { url: found, source: 'srv' };
  }
  const found = await davAnswers(`https://${withPort(domain, p.httpsPort)}/.well-known/${kind}`, p);
  return found ? { url: found, source: 'well-known' } : null;
}

/**
 * Find the servers for an address. Order: (a) IT policy preset for the domain; (b) Thunderbird
 * autoconfig (autoconfig host, then .well-known); (c) DNS SRV (RFC 6186). CalDAV/CardDAV:
 * policy, autoconfig, then RFC 6764 SRV/TXT and /.well-known. WebDAV has no standard
 * discovery: policy or manual. Throws `discovery_failed` (French) when no mail server is found.
 */
export async function discoverAccount(email: string, options: DiscoveryOptions): Promise<DiscoveryResult> {
  const domain = emailDomain(email);
  const { policy, log } = options;
  const netEnv = networkEnv(options.env);
  const resolver = createResolver(netEnv);
  const probe: Probe = {
    resolver,
    lookup: lookupFor(netEnv.dnsServers ? resolver : null),
    httpsPort: netEnv.discoveryHttpsPort,
    timeoutMs: options.probeTimeoutMs ?? 3000,
    log,
  };

  const settings: Partial<ServerSettings> = {};
  const sources: DiscoveryResult['sources'] = { mail: null, caldav: null, carddav: null, webdav: null };
  let locked: (keyof ServerSettings)[] = [];

  const preset = policy.serversFor(email);
  if (preset) {
    Object.assign(settings, preset.settings);
    locked = preset.locked;
    if (preset.settings.imap && preset.settings.smtp) sources.mail = 'policy';
    for (const k of ['caldav', 'carddav', 'webdav'] as const)
      if (preset.settings[k] !== undefined && preset.settings[k] !== null) sources[k] = 'policy';
  }

  const needsMail = !sources.mail;
  const needsDav = (k: 'caldav' | 'carddav') => settings[k] === undefined;
  if (needsMail || needsDav('caldav') || needsDav('carddav')) {
    const auto = await tryAutoconfig(email, domain, probe);
    if (auto) {
      if (needsMail) {
        settings.imap = auto.settings.imap;
        settings.smtp = auto.settings.smtp;
        if (settings.username === undefined) settings.username = auto.settings.username ?? null;
        sources.mail = auto.source;
      }
      for (const k of ['caldav', 'carddav'] as const) {
        if (needsDav(k) && auto.settings[k]) {
          settings[k] = auto.settings[k];
          sources[k] = auto.source;
        }
      }
    }
  }
  const [mailSrv, caldav, carddav, sieveSrv, xmpp] = await Promise.all([
    sources.mail ? null : tryMailSrv(domain, probe),
    needsDav('caldav') ? tryDav('caldav', domain, probe) : null,
    needsDav('carddav') ? tryDav('carddav', domain, probe) : null,
    // ManageSieve (RFC 5804 §1.8): SRV `_sieve._tcp`; without it the IMAP host on port 4190 is tried when used.
    settings.sieve === undefined ? srv(probe, `_sieve._tcp.${domain}`) : null,
    settings.xmpp === undefined ? tryXmppSrv(domain, probe) : null,
  ]);
  const sieveRecord = sieveSrv?.[0];
  if (sieveRecord) settings.sieve = `sieve://${stripDot(sieveRecord.name).toLowerCase()}:${sieveRecord.port}`;
  if (xmpp) settings.xmpp = xmpp;
  if (mailSrv) {
    settings.imap = mailSrv.imap;
    settings.smtp = mailSrv.smtp;
    sources.mail = 'srv';
  }
  if (caldav) {
    settings.caldav = caldav.url;
    sources.caldav = caldav.source;
  }
  if (carddav) {
    settings.carddav = carddav.url;
    sources.carddav = carddav.source;
  }

  if (!settings.imap || !settings.smtp) {
    log.warn('discovery failed', { domain });
    throw new OstalError('discovery_failed', t('errors.discoveryFailed', { domain }));
  }
  const result: ServerSettings = {
    imap: settings.imap,
    smtp: settings.smtp,
    caldav: settings.caldav ?? null,
    carddav: settings.carddav ?? null,
    webdav: settings.webdav ?? null,
    sieve: settings.sieve ?? null,
    xmpp: settings.xmpp ?? null,
    username: settings.username ?? null,
  };
  log.info('discovery done', { domain, sources });
  return { email: email.trim(), settings: result, sources, locked };
}
