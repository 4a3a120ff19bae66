/**
 * Mail server addresses as the user types them in « Réglages manuels »: separate fields
 * (serveur, port, sécurité) turned into the endpoint URLs of the API contract
 * (imap:// = STARTTLS, imaps:// = SSL/TLS, smtp:// = submission with STARTTLS, smtps://).
 * Pure functions, unit-tested.
 */

export type MailProtocol = 'imap' | 'smtp';
export type Security = 'starttls' | 'tls';

export interface MailServerFields {
  host: string;
  /** As typed; empty means the default port for the protocol and security. */
  port: string;
  security: Security;
}

export const DEFAULT_PORTS: Record<MailProtocol, Record<Security, number>> = {
  imap: { starttls: 143, tls: 993 },
  smtp: { starttls: 587, tls: 465 },
};

/** Why a field is not valid; the UI maps each reason to a French message. */
export type FieldProblem = 'host_missing' | 'host_invalid' | 'port_invalid' | 'url_invalid' | 'url_not_https';

const HOST_LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/i;

function isValidHost(host: string): boolean {
  if (host.startsWith('[') && host.endsWith(']')) return /^[0-9a-f:.]+$/i.test(host.slice(1, -1));
  if (/^[0-9a-f:]+$/i.test(host) && host.includes(':')) return true; // bare IPv6
  if (host.length > 253) return false;
  return host.split('.').every((label) => HOST_LABEL.test(label));
}

export function validateMailServer(fields: MailServerFields): FieldProblem | null {
  const host = fields.host.trim();
  if (host === '') return 'host_missing';
  if (!isValidHost(host)) return 'host_invalid';
  const port = fields.port.trim();
  if (port !== '' && (!/^\d{1,5}$/.test(port) || Number(port) < 1 || Number(port) > 65535)) return 'port_invalid';
  return null;
}

/** `imap://mail.example.fr:143`, `imaps://[::1]:993`, … Throws on invalid fields (check with validateMailServer first). */
export function buildMailServerUrl(protocol: MailProtocol, fields: MailServerFields): string {
  const problem = validateMailServer(fields);
  if (problem) throw new Error(`invalid mail server fields: ${problem}`);
  let host = fields.host.trim().toLowerCase();
  if (host.includes(':') && !host.startsWith('[')) host = `[${host}]`;
  const port = fields.port.trim() === '' ? DEFAULT_PORTS[protocol][fields.security] : Number(fields.port.trim());
  const scheme = fields.security === 'tls' ? `${protocol}s` : protocol;
  return `${scheme}://${host}:${port}`;
}

/** The reverse of buildMailServerUrl, to prefill the manual fields from a discovered URL. */
export function parseMailServerUrl(url: string | null | undefined): (MailServerFields & { protocol: MailProtocol }) | null {
  if (!url) return null;
  const match = /^(imap|imaps|smtp|smtps|submission):\/\/(\[[^\]]+\]|[^:/?#]+)(?::(\d+))?\/?$/i.exec(url.trim());
  if (!match) return null;
  const scheme = match[1].toLowerCase();
  const protocol: MailProtocol = scheme.startsWith('imap') ? 'imap' : 'smtp';
  const security: Security = scheme.endsWith('s') && scheme !== 'submission' ? 'tls' : 'starttls';
  const port = match[3] ?? String(DEFAULT_PORTS[protocol][security]);
  return { protocol, host: match[2], port, security };
}

/** A DAV address (agenda, contacts, fichiers) typed by the user: optional, must be https://. Empty gives null. */
export function normaliseDavUrl(value: string): { url: string | null; problem: FieldProblem | null } {
  const trimmed = value.trim();
  if (trimmed === '') return { url: null, problem: null };
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `https://${trimmed}`;
  let parsed: URL;
  try {
    parsed = new URL(withScheme);
  } catch {
    return { url: null, problem: 'url_invalid' };
  }
  if (parsed.protocol !== 'https:') return { url: null, problem: 'url_not_https' };
  if (!parsed.hostname || !isValidHost(parsed.hostname)) return { url: null, problem: 'url_invalid' };
  return { url: parsed.toString(), problem: null };
}

/** Host and port of any endpoint URL, for display (« mail.exemple.fr, port 993 »). */
export function describeEndpoint(url: string | null | undefined): { host: string; port: string; secure: boolean } | null {
  if (!url) return null;
  const mail = parseMailServerUrl(url);
  if (mail) return { host: mail.host, port: mail.port, secure: true };
  try {
    const parsed = new URL(url);
    // xmpp:// (the espaces de travail's server): port 5222, STARTTLS required by Ostal (RFC 6120).
    const xmpp = parsed.protocol === 'xmpp:';
    return {
      host: parsed.hostname,
      port: parsed.port || (parsed.protocol === 'https:' ? '443' : xmpp ? '5222' : '80'),
      secure: parsed.protocol === 'https:' || xmpp,
    };
  } catch {
    return null;
  }
}
