import { XMLParser } from 'fast-xml-parser';
import type { ServerSettings } from '../shared/contract.js';

/**
 * Thunderbird autoconfig (`clientConfig` version 1.1) as served at
 * `https://autoconfig.<domain>/mail/config-v1.1.xml` or
 * `https://<domain>/.well-known/autoconfig/mail/config-v1.1.xml`.
 * See https://wiki.mozilla.org/Thunderbird:Autoconfiguration:ConfigFileFormat
 */
export interface AutoconfigResult {
  imap: string;
  smtp: string;
  /** Login name when it is not the e-mail address. */
  username: string | null;
  caldav: string | null;
  carddav: string | null;
}

const ARRAYS = new Set(['emailProvider', 'incomingServer', 'outgoingServer', 'domain', 'calendar', 'addressBook']);

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  trimValues: true,
  parseTagValue: false,
  processEntities: true,
  isArray: (name) => ARRAYS.has(name),
});

type Node = Record<string, unknown>;

function text(node: unknown): string | null {
  if (typeof node === 'string') return node.trim() || null;
  if (typeof node === 'number') return String(node);
  if (node && typeof node === 'object' && '#text' in node) return text((node as Node)['#text']);
  return null;
}

function fill(template: string, email: string): string {
  const at = email.lastIndexOf('@');
  return template
    .replace(/%EMAILADDRESS%/g, email)
    .replace(/%EMAILLOCALPART%/g, email.slice(0, at))
    .replace(/%EMAILDOMAIN%/g, email.slice(at + 1));
}

interface ServerEntry {
  host: string;
  port: number;
  socketType: 'SSL' | 'STARTTLS';
  username: string | null;
}

function servers(list: unknown, type: string, email: string): ServerEntry[] {
  if (!Array.isArray(list)) return [];
  const out: ServerEntry[] = [];
  for (const s of list as Node[]) {
    if (!s || typeof s !== 'object' || String(s['@_type'] ?? '').toLowerCase() !== type) continue;
    const host = text(s.hostname);
    const port = Number(text(s.port));
    const socketType = (text(s.socketType) ?? '').toUpperCase();
    if (!host || !Number.isInteger(port) || port <= 0 || port > 65535) continue;
    // Plain-text servers are never used: passwords must not cross the network in clear.
    if (socketType !== 'SSL' && socketType !== 'STARTTLS') continue;
    const username = text(s.username);
    out.push({ host: fill(host, email), port, socketType, username: username ? fill(username, email) : null });
  }
  return out;
}

function davUrl(list: unknown, type: string, email: string): string | null {
  if (!Array.isArray(list)) return null;
  for (const entry of list as Node[]) {
    if (!entry || typeof entry !== 'object' || String(entry['@_type'] ?? '').toLowerCase() !== type) continue;
    const url = text(entry.serverURL);
    if (url && /^https:\/\//i.test(url)) return fill(url, email);
  }
  return null;
}

/**
 * Read a clientConfig document for an address. Returns null when it holds no usable
 * IMAP + SMTP pair (over TLS or STARTTLS). Servers are taken in the document's order,
 * which is the provider's order of preference.
 */
export function parseAutoconfig(xml: string, email: string): AutoconfigResult | null {
  let doc: Node;
  try {
    doc = parser.parse(xml) as Node;
  } catch {
    return null;
  }
  const config = doc?.clientConfig as Node | undefined;
  if (!config || typeof config !== 'object') return null;
  const providers = (config.emailProvider as Node[] | undefined) ?? [];
  const domain = email.slice(email.lastIndexOf('@') + 1).toLowerCase();
  // Prefer the provider that lists this domain; otherwise the first one.
  const provider =
    providers.find((p) => Array.isArray(p.domain) && (p.domain as unknown[]).some((d) => (text(d) ?? '').toLowerCase() === domain)) ??
    providers[0];
  if (!provider) return null;
  const [imap] = servers(provider.incomingServer, 'imap', email);
  const [smtp] = servers(provider.outgoingServer, 'smtp', email);
  if (!imap || !smtp) return null;
  const username = imap.username && imap.username.toLowerCase() !== email.toLowerCase() ? imap.username : null;
  return {
    imap: `${imap.socketType === 'SSL' ? 'imaps' : 'imap'}://${imap.host}:${imap.port}`,
    smtp: `${smtp.socketType === 'SSL' ? 'smtps' : 'smtp'}://${smtp.host}:${smtp.port}`,
    username,
    // Calendar and address book entries sit next to emailProvider (Thunderbird 102+).
    caldav: davUrl(config.calendar ?? provider.calendar, 'caldav', email),
    carddav: davUrl(config.addressBook ?? provider.addressBook, 'carddav', email),
  };
}

export function toServerSettings(r: AutoconfigResult): ServerSettings {
  return { imap: r.imap, smtp: r.smtp, username: r.username, caldav: r.caldav, carddav: r.carddav, webdav: null };
}
