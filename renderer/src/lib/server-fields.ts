/**
 * The manual server form as data: fields ⇄ ServerSettings of the API contract.
 * Pure functions, unit-tested (tests/unit/renderer-server-fields.test.ts).
 */
import type { ServerSettings } from '../../../src/shared/contract';
import {
  DEFAULT_PORTS,
  buildMailServerUrl,
  normaliseDavUrl,
  parseMailServerUrl,
  validateMailServer,
  type FieldProblem,
  type MailServerFields,
  type Security,
} from './endpoint-url';

export type DavKind = 'caldav' | 'carddav' | 'webdav';
export const DAV_KINDS: readonly DavKind[] = ['caldav', 'carddav', 'webdav'];

export interface ServerFormFields {
  imap: MailServerFields;
  smtp: MailServerFields;
  caldav: string;
  carddav: string;
  webdav: string;
  username: string;
}

/** Field path → problem, e.g. `imap.host` → `host_missing`. */
export type FormProblems = Partial<Record<string, FieldProblem>>;

export function emptyServerForm(): ServerFormFields {
  return {
    imap: { host: '', port: String(DEFAULT_PORTS.imap.tls), security: 'tls' },
    smtp: { host: '', port: String(DEFAULT_PORTS.smtp.starttls), security: 'starttls' },
    caldav: '',
    carddav: '',
    webdav: '',
    username: '',
  };
}

/** Prefill the form from settings (e.g. what discovery found). */
export function formFromSettings(settings: ServerSettings | null | undefined): ServerFormFields {
  const form = emptyServerForm();
  if (!settings) return form;
  const imap = parseMailServerUrl(settings.imap);
  const smtp = parseMailServerUrl(settings.smtp);
  if (imap) form.imap = { host: imap.host, port: imap.port, security: imap.security };
  if (smtp) form.smtp = { host: smtp.host, port: smtp.port, security: smtp.security };
  form.caldav = settings.caldav ?? '';
  form.carddav = settings.carddav ?? '';
  form.webdav = settings.webdav ?? '';
  form.username = settings.username ?? '';
  return form;
}

/** When the user switches security, move a default port along (993 ⇄ 143, 465 ⇄ 587); keep a custom port. */
export function switchSecurity(protocol: 'imap' | 'smtp', fields: MailServerFields, security: Security): MailServerFields {
  const port = fields.port.trim();
  const wasDefault = port === '' || port === String(DEFAULT_PORTS[protocol][fields.security]);
  return { ...fields, security, port: wasDefault ? String(DEFAULT_PORTS[protocol][security]) : fields.port };
}

/**
 * Build the API settings from the form. Fields listed in `locked` keep the value of `lockedFrom`
 * (IT policy wins, whatever the form says).
 */
export function settingsFromForm(
  form: ServerFormFields,
  locked: readonly (keyof ServerSettings)[] = [],
  lockedFrom?: ServerSettings | null,
): { settings: ServerSettings | null; problems: FormProblems } {
  const problems: FormProblems = {};
  const isLocked = (key: keyof ServerSettings) => locked.includes(key) && lockedFrom != null;

  const mail = (protocol: 'imap' | 'smtp'): string => {
    if (isLocked(protocol)) return lockedFrom![protocol];
    const problem = validateMailServer(form[protocol]);
    if (problem) {
      problems[problem === 'port_invalid' ? `${protocol}.port` : `${protocol}.host`] = problem;
      return '';
    }
    return buildMailServerUrl(protocol, form[protocol]);
  };
  const imap = mail('imap');
  const smtp = mail('smtp');

  const dav = (kind: DavKind): string | null => {
    if (isLocked(kind)) return lockedFrom![kind] ?? null;
    const { url, problem } = normaliseDavUrl(form[kind]);
    if (problem) problems[kind] = problem;
    return url;
  };
  const caldav = dav('caldav');
  const carddav = dav('carddav');
  const webdav = dav('webdav');
  const username = isLocked('username') ? (lockedFrom!.username ?? null) : form.username.trim() || null;

  if (Object.keys(problems).length > 0) return { settings: null, problems };
  return { settings: { imap, smtp, caldav, carddav, webdav, username }, problems };
}

/** A light check of an e-mail address before asking the core (which does the real validation). */
export function looksLikeEmail(value: string): boolean {
  return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value.trim());
}
