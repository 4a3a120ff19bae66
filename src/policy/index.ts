import fs from 'node:fs';
import path from 'node:path';
import type { Feature, PolicyView, ServerSettings } from '../shared/contract.js';
import { t } from '../i18n/index.js';
import type { Logger } from '../log.js';
import { isSettingKey, offlineWindowOfDays, SETTING_DEFINITIONS, type SettingKey } from '../store/settings-repository.js';
import { policyTrustProblem, type PolicyTrustOptions } from './trust.js';

/**
 * IT policy: one machine-wide JSON file, read at start. Format (documented for IT, in French,
 * in build/policies/LISEZMOI.md; template in build/policies/policies.json):
 *
 * ```json
 * {
 *   "domains": {
 *     "ville-exemple.fr": {
 *       "imap": "imaps://imap.ville-exemple.fr:993",
 *       "smtp": "smtp://smtp.ville-exemple.fr:587",
 *       "caldav": "https://dav.ville-exemple.fr/",
 *       "carddav": "https://dav.ville-exemple.fr/",
 *       "webdav": "https://fichiers.ville-exemple.fr/dav/%EMAILLOCALPART%/",
 *       "username": "%EMAILADDRESS%",
 *       "locked": true
 *     }
 *   },
 *   "allowOtherDomains": true,
 *   "disabledFeatures": ["fichiers"],
 *   "settings": { "mail.offlineWindow": { "value": "12months", "locked": true, "hidden": false } },
 *   "devtools": { "allowed": false }
 * }
 * ```
 * Placeholders %EMAILADDRESS%, %EMAILLOCALPART%, %EMAILDOMAIN% are replaced in the server
 * fields. `locked` is true (every server field), false, or a list of field names.
 * Location: explicit path, else env OSTAL_POLICIES (only outside packaged builds: in the installed app any user
 * could set it to bypass IT's locks), else %ProgramData%\Ostal\policies.json (Windows), /Library/Application
 * Support/Ostal/policies.json (macOS), /etc/ostal/policies.json. In a packaged build the file is obeyed only when
 * ordinary users cannot change it (src/policy/trust.ts); otherwise it is refused with a French log line and the app
 * runs without it.
 * Missing file = no policy. Broken file = no policy, `error` set (French) and logged; invalid
 * entries are skipped one by one (the rest applies), unknown keys are logged and ignored.
 */

export type ServerField = keyof ServerSettings;
export const SERVER_FIELDS: readonly ServerField[] = ['imap', 'smtp', 'caldav', 'carddav', 'webdav', 'sieve', 'xmpp', 'username'];
export const FEATURES: readonly Feature[] = ['courrier', 'agenda', 'contacts', 'fichiers', 'visio', 'espaces'];

/** Servers IT preset for one mail domain. */
export interface DomainPreset {
  domain: string;
  imap?: string;
  smtp?: string;
  caldav?: string | null;
  carddav?: string | null;
  webdav?: string | null;
  /** ManageSieve server, `sieve://host[:4190]` (« Réponse automatique » and « Règles »). */
  sieve?: string | null;
  /** XMPP server of the espaces de travail, xmpp://host:port. */
  xmpp?: string | null;
  /** Login name template; default: the e-mail address. */
  username?: string | null;
  /** Fields the user may not change. */
  locked: ServerField[];
}

/**
 * `proxy`: how HTTP(S) requests reach the servers. `system` (default): the computer's settings; `direct`: never a
 * proxy; `fixed`: always `url` (`http://proxy:3128`, credentials allowed) except the hosts of `bypass`; `pac`: the PAC
 * script at `pacUrl` (`https://…`, `http://…` or `file:///…`).
 */
export interface ProxyPolicy {
  mode: 'system' | 'direct' | 'fixed' | 'pac';
  url?: string;
  pacUrl?: string;
  bypass: string[];
}

export const PROXY_MODES: readonly ProxyPolicy['mode'][] = ['system', 'direct', 'fixed', 'pac'];

export interface SettingOverride {
  value?: unknown;
  locked: boolean;
  hidden: boolean;
}

export interface Policy {
  /** Path of the file that was read, or null. */
  readonly source: string | null;
  /** French error about the file, or null. */
  readonly error: string | null;
  readonly allowOtherDomains: boolean;
  /** The preset for a mail domain (case-insensitive), or null. */
  presetFor(domain: string): DomainPreset | null;
  /** The preset servers for an address, placeholders filled in; null when the domain has no preset. */
  serversFor(email: string): { settings: Partial<ServerSettings>; locked: ServerField[] } | null;
  isFeatureDisabled(feature: Feature): boolean;
  settingOverride(key: SettingKey): SettingOverride | null;
  /** `"devtools": { "allowed": … }`, or null when the policy says nothing (see host/security.ts devToolsAllowed). */
  readonly devtoolsAllowed: boolean | null;
  /** The `proxy` key, or null when the policy says nothing (the system's settings apply). */
  readonly proxy: ProxyPolicy | null;
  view(): PolicyView;
}

export interface LoadPolicyOptions {
  /** Explicit file; null = no policy at all; undefined = OSTAL_POLICIES or the OS location. */
  path?: string | null;
  log: Logger;
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
  /**
   * The installed desktop app (Electron's app.isPackaged, passed by the host in CoreOptions): OSTAL_POLICIES is
   * ignored and the file must be writable by administrators only. Browser mode, the CLI and development runs are not.
   */
  packaged?: boolean;
  /** Facts for the trust check (tests inject them). */
  trust?: PolicyTrustOptions;
}

export function defaultPolicyPath(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
  packaged = false,
): string {
  if (env.OSTAL_POLICIES && !packaged) return env.OSTAL_POLICIES;
  if (platform === 'win32') return path.win32.join(env.ProgramData || env.PROGRAMDATA || 'C:\\ProgramData', 'Ostal', 'policies.json');
  if (platform === 'darwin') return '/Library/Application Support/Ostal/policies.json';
  return '/etc/ostal/policies.json';
}

interface PolicyData {
  domains: Map<string, DomainPreset>;
  allowOtherDomains: boolean;
  disabledFeatures: Feature[];
  settings: Map<SettingKey, SettingOverride>;
  devtoolsAllowed: boolean | null;
  proxy: ProxyPolicy | null;
}

const EMPTY: PolicyData = {
  domains: new Map(),
  allowOtherDomains: true,
  disabledFeatures: [],
  settings: new Map(),
  devtoolsAllowed: null,
  proxy: null,
};

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const SCHEMES: Record<'imap' | 'smtp' | 'dav' | 'xmpp', string[]> = {
  xmpp: ['xmpp:'],
  imap: ['imap:', 'imaps:'],
  smtp: ['smtp:', 'smtps:'],
  dav: ['https:', 'http:'],
};

function validUrl(value: string, kind: keyof typeof SCHEMES): boolean {
  try {
    const u = new URL(value.replace(/%EMAIL(ADDRESS|LOCALPART|DOMAIN)%/g, 'x'));
    return SCHEMES[kind].includes(u.protocol) && !!u.hostname;
  } catch {
    return false;
  }
}

/**
 * Validate the parsed JSON. Returns the usable part and French problems; unknown keys go to
 * `unknown` (logged, not errors).
 */
export function parsePolicy(data: unknown): { policy: PolicyData; problems: string[]; unknown: string[] } {
  const problems: string[] = [];
  const unknown: string[] = [];
  const policy: PolicyData = {
    domains: new Map(),
    allowOtherDomains: true,
    disabledFeatures: [],
    settings: new Map(),
    devtoolsAllowed: null,
    proxy: null,
  };
  if (!isObject(data)) {
    return { policy, problems: [t('policy.notObject')], unknown };
  }
  for (const key of Object.keys(data)) {
    if (!['domains', 'allowOtherDomains', 'disabledFeatures', 'settings', 'devtools', 'proxy', '$comment', 'commentaire'].includes(key))
      unknown.push(key);
  }

  if (data.devtools !== undefined) {
    if (!isObject(data.devtools)) problems.push(t('policy.wrongType', { key: 'devtools', expected: t('policy.types.object') }));
    else {
      for (const [k, v] of Object.entries(data.devtools)) {
        if (k !== 'allowed') unknown.push(`devtools.${k}`);
        else if (typeof v === 'boolean') policy.devtoolsAllowed = v;
        else problems.push(t('policy.wrongType', { key: 'devtools.allowed', expected: t('policy.types.boolean') }));
      }
    }
  }

  if (data.proxy !== undefined) {
    const parsed = parseProxy(data.proxy, problems, unknown);
    if (parsed) policy.proxy = parsed;
  }

  if (data.allowOtherDomains !== undefined) {
    if (typeof data.allowOtherDomains === 'boolean') policy.allowOtherDomains = data.allowOtherDomains;
    else problems.push(t('policy.wrongType', { key: 'allowOtherDomains', expected: t('policy.types.boolean') }));
  }

  if (data.disabledFeatures !== undefined) {
    if (!Array.isArray(data.disabledFeatures)) {
      problems.push(t('policy.wrongType', { key: 'disabledFeatures', expected: t('policy.types.list') }));
    } else {
      for (const f of data.disabledFeatures) {
        if (typeof f === 'string' && (FEATURES as string[]).includes(f)) {
          if (!policy.disabledFeatures.includes(f as Feature)) policy.disabledFeatures.push(f as Feature);
        } else problems.push(t('policy.unknownFeature', { value: String(f), allowed: FEATURES.join(', ') }));
      }
    }
  }

  if (data.domains !== undefined) {
    if (!isObject(data.domains)) {
      problems.push(t('policy.wrongType', { key: 'domains', expected: t('policy.types.object') }));
    } else {
      for (const [rawDomain, entry] of Object.entries(data.domains)) {
        const domain = rawDomain.trim().toLowerCase();
        const where = `domains.${rawDomain}`;
        if (!isObject(entry)) {
          problems.push(t('policy.wrongType', { key: where, expected: t('policy.types.object') }));
          continue;
        }
        const preset: DomainPreset = { domain, locked: [] };
        let ok = true;
        for (const [k, v] of Object.entries(entry)) {
          if (k === 'imap' || k === 'smtp') {
            if (typeof v === 'string' && validUrl(v, k)) preset[k] = v;
            else {
              problems.push(t('policy.badUrl', { key: `${where}.${k}`, schemes: SCHEMES[k].map((s) => s + '//').join(', ') }));
              ok = false;
            }
          } else if (k === 'caldav' || k === 'carddav' || k === 'webdav') {
            if (v === null) preset[k] = null;
            else if (typeof v === 'string' && validUrl(v, 'dav')) preset[k] = v;
            else {
              problems.push(t('policy.badUrl', { key: `${where}.${k}`, schemes: 'https://' }));
              ok = false;
            }
          } else if (k === 'sieve') {
            if (v === null) preset.sieve = null;
            else if (typeof v === 'string' && /^sieve:\/\/[^/@\s]+\/?$/i.test(v.trim())) preset.sieve = v.trim();
            else {
              problems.push(t('policy.badUrl', { key: `${where}.${k}`, schemes: 'sieve://' }));
              ok = false;
            }
          } else if (k === 'xmpp') {
            if (v === null) preset.xmpp = null;
            else if (typeof v === 'string' && validUrl(v, 'xmpp')) preset.xmpp = v;
            else {
              problems.push(t('policy.badUrl', { key: `${where}.${k}`, schemes: 'xmpp://' }));
              ok = false;
            }
          } else if (k === 'username') {
            if (v === null || typeof v === 'string') preset.username = v;
            else {
              problems.push(t('policy.wrongType', { key: `${where}.${k}`, expected: t('policy.types.string') }));
              ok = false;
            }
          } else if (k === 'locked') {
            if (v === true) preset.locked = [...SERVER_FIELDS];
            else if (v === false) preset.locked = [];
            else if (Array.isArray(v) && v.every((x) => (SERVER_FIELDS as unknown[]).includes(x))) preset.locked = v as ServerField[];
            else {
              problems.push(t('policy.badLocked', { key: `${where}.locked`, allowed: SERVER_FIELDS.join(', ') }));
              ok = false;
            }
          } else unknown.push(`${where}.${k}`);
        }
        if (ok && (preset.imap === undefined) !== (preset.smtp === undefined)) {
          problems.push(t('policy.mailPair', { key: where }));
          ok = false;
        }
        if (ok) policy.domains.set(domain, preset);
      }
    }
  }

  if (data.settings !== undefined) {
    if (!isObject(data.settings)) {
      problems.push(t('policy.wrongType', { key: 'settings', expected: t('policy.types.object') }));
    } else {
      const entries = Object.entries(data.settings);
      // 'mail.prefetchDays' (days of bodies, earlier versions) is read as the closest 'mail.offlineWindow'.
      const legacy = entries.findIndex(([key]) => key === 'mail.prefetchDays');
      if (legacy >= 0 && !Object.hasOwn(data.settings, 'mail.offlineWindow')) {
        const entry = entries[legacy][1];
        const days = isObject(entry) ? entry.value : undefined;
        entries[legacy] = [
          'mail.offlineWindow',
          isObject(entry)
            ? { ...entry, ...(typeof days === 'number' && Number.isInteger(days) ? { value: offlineWindowOfDays(days) } : {}) }
            : entry,
        ];
      }
      for (const [key, entry] of entries) {
        const where = `settings.${key}`;
        if (!isSettingKey(key)) {
          unknown.push(where);
          continue;
        }
        if (!isObject(entry)) {
          problems.push(t('policy.wrongType', { key: where, expected: t('policy.types.object') }));
          continue;
        }
        const override: SettingOverride = { locked: false, hidden: false };
        let ok = true;
        for (const [k, v] of Object.entries(entry)) {
          if (k === 'value') {
            if (SETTING_DEFINITIONS[key].isValid(v)) override.value = v;
            else {
              problems.push(t('policy.badSettingValue', { key: where }));
              ok = false;
            }
          } else if (k === 'locked' || k === 'hidden') {
            if (typeof v === 'boolean') override[k] = v;
            else {
              problems.push(t('policy.wrongType', { key: `${where}.${k}`, expected: t('policy.types.boolean') }));
              ok = false;
            }
          } else unknown.push(`${where}.${k}`);
        }
        if (ok && override.locked && override.value === undefined) {
          problems.push(t('policy.lockedWithoutValue', { key: where }));
          ok = false;
        }
        if (ok) policy.settings.set(key, override);
      }
    }
  }
  return { policy, problems, unknown };
}

function parseProxy(value: unknown, problems: string[], unknown: string[]): ProxyPolicy | null {
  if (!isObject(value)) {
    problems.push(t('policy.wrongType', { key: 'proxy', expected: t('policy.types.object') }));
    return null;
  }
  const proxy: ProxyPolicy = { mode: 'system', bypass: [] };
  let ok = true;
  for (const [k, v] of Object.entries(value)) {
    if (k === 'mode') {
      if (typeof v === 'string' && (PROXY_MODES as readonly string[]).includes(v)) proxy.mode = v as ProxyPolicy['mode'];
      else {
        problems.push(t('poste.policy.unknownValue', { key: 'proxy.mode', value: String(v), allowed: PROXY_MODES.join(', ') }));
        ok = false;
      }
    } else if (k === 'url' || k === 'pacUrl') {
      const schemes = k === 'url' ? ['http:'] : ['http:', 'https:', 'file:'];
      let valid = false;
      if (typeof v === 'string')
        try {
          const u = new URL(v);
          valid = schemes.includes(u.protocol) && (u.protocol === 'file:' || !!u.hostname);
        } catch {
          valid = false;
        }
      if (valid) proxy[k] = v as string;
      else {
        problems.push(t('policy.badUrl', { key: `proxy.${k}`, schemes: schemes.map((s) => s + '//').join(', ') }));
        ok = false;
      }
    } else if (k === 'bypass') {
      if (Array.isArray(v) && v.every((x) => typeof x === 'string')) proxy.bypass = v as string[];
      else {
        problems.push(t('policy.wrongType', { key: 'proxy.bypass', expected: t('policy.types.list') }));
        ok = false;
      }
    } else unknown.push(`proxy.${k}`);
  }
  if (ok && proxy.mode === 'fixed' && !proxy.url) {
    problems.push(t('poste.policy.proxyMissing', { key: 'proxy.url', mode: 'fixed' }));
    ok = false;
  }
  if (ok && proxy.mode === 'pac' && !proxy.pacUrl) {
    problems.push(t('poste.policy.proxyMissing', { key: 'proxy.pacUrl', mode: 'pac' }));
    ok = false;
  }
  return ok ? proxy : null;
}

function fill(template: string, email: string): string {
  const at = email.lastIndexOf('@');
  const local = at >= 0 ? email.slice(0, at) : email;
  const domain = at >= 0 ? email.slice(at + 1) : '';
  return template
    .replace(/%EMAILADDRESS%/g, email)
    .replace(/%EMAILLOCALPART%/g, local)
    .replace(/%EMAILDOMAIN%/g, domain);
}

class LoadedPolicy implements Policy {
  constructor(
    readonly source: string | null,
    readonly error: string | null,
    private readonly data: PolicyData,
  ) {}

  get allowOtherDomains(): boolean {
    return this.data.allowOtherDomains;
  }

  get devtoolsAllowed(): boolean | null {
    return this.data.devtoolsAllowed;
  }

  get proxy(): ProxyPolicy | null {
    return this.data.proxy;
  }

  presetFor(domain: string): DomainPreset | null {
    return this.data.domains.get(domain.trim().toLowerCase()) ?? null;
  }

  serversFor(email: string): { settings: Partial<ServerSettings>; locked: ServerField[] } | null {
    const preset = this.presetFor(email.slice(email.lastIndexOf('@') + 1));
    if (!preset) return null;
    const settings: Partial<ServerSettings> = {};
    for (const field of SERVER_FIELDS) {
      const v = preset[field];
      if (v === undefined) continue;
      (settings as Record<string, string | null>)[field] = v === null ? null : fill(v, email);
    }
    return { settings, locked: [...preset.locked] };
  }

  isFeatureDisabled(feature: Feature): boolean {
    return this.data.disabledFeatures.includes(feature);
  }

  settingOverride(key: SettingKey): SettingOverride | null {
    return this.data.settings.get(key) ?? null;
  }

  view(): PolicyView {
    const settings = [...this.data.settings.entries()];
    return {
      source: this.source,
      disabledFeatures: [...this.data.disabledFeatures],
      lockedSettings: settings.filter(([, o]) => o.locked).map(([k]) => k),
      hiddenSettings: settings.filter(([, o]) => o.hidden).map(([k]) => k),
      presetDomains: [...this.data.domains.keys()],
      allowOtherDomains: this.data.allowOtherDomains,
      error: this.error,
    };
  }
}

/** A policy that presets nothing and forbids nothing. */
export const NO_POLICY: Policy = new LoadedPolicy(null, null, EMPTY);

/** Policies read from the Windows registry (./registry-policy.ts): the same object as the file, and where it came from. */
export interface RegistryPolicyData {
  data: Record<string, unknown>;
  /** « HKLM\Software\Policies\Ostal » and/or « HKCU\… », for Réglages and the log. */
  source: string;
  /** French problems met while reading the registry (a value of the wrong type, invalid JSON). */
  problems: string[];
}

/**
 * Read the machine-wide policy. Never throws: the app must start even with a broken file.
 * `registry` (Windows, Group Policy) is laid over the file key by key: a top-level key (and each entry of
 * `settings`) set in the registry wins over the file's.
 */
export function loadPolicy(options: LoadPolicyOptions & { registry?: RegistryPolicyData | null }): Policy {
  const { log } = options;
  if (options.path === null) return NO_POLICY;
  const registry = options.registry && Object.keys(options.registry.data).length ? options.registry : null;
  const env = options.env ?? process.env;
  const packaged = options.packaged ?? false;
  if (packaged && env.OSTAL_POLICIES && options.path === undefined) log.warn(t('policy.envIgnored', { value: env.OSTAL_POLICIES }));
  const file = options.path ?? defaultPolicyPath(env, options.platform, packaged);
  const fromFile = readPolicyFile(file, options, log);
  if ('policy' in fromFile && !registry) return fromFile.policy;
  const fileData = 'data' in fromFile ? fromFile.data : {};
  const fileError = 'policy' in fromFile ? fromFile.policy.error : null;
  const data = registry ? mergeRegistry(fileData, registry.data) : fileData;
  const source = registry ? ('data' in fromFile ? `${registry.source} ; ${file}` : registry.source) : file;
  const { policy, problems, unknown } = parsePolicy(data);
  const allProblems = [...(registry?.problems ?? []), ...problems];
  if (unknown.length) log.warn('policy: unknown keys ignored', { source, keys: unknown });
  if (allProblems.length) log.error('policy: invalid entries skipped', { source, problems: allProblems });
  const error =
    [fileError, allProblems.length ? t('policy.invalidEntries', { file: source, problems: allProblems.join(' ') }) : null]
      .filter(Boolean)
      .join(' ') || null;
  log.info('policy loaded', { source, domains: [...policy.domains.keys()], disabledFeatures: policy.disabledFeatures });
  return new LoadedPolicy(source, error, policy);
}

/** The registry's keys over the file's: whole top-level keys, `settings` entry by entry. */
function mergeRegistry(file: unknown, registry: Record<string, unknown>): Record<string, unknown> {
  const base = isObject(file) ? file : {};
  const merged: Record<string, unknown> = { ...base, ...registry };
  if (isObject(base.settings) && isObject(registry.settings)) merged.settings = { ...base.settings, ...registry.settings };
  return merged;
}

/** The file's parsed JSON, or a finished Policy (no file: NO_POLICY; refused, unreadable or broken: no rule, an error). */
function readPolicyFile(file: string, options: LoadPolicyOptions, log: Logger): { data: unknown } | { policy: Policy } {
  const packaged = options.packaged ?? false;
  if (packaged && fs.existsSync(file)) {
    const problem = policyTrustProblem(file, { platform: options.platform, ...options.trust });
    if (problem !== null) {
      log.error(t('policy.untrustedLog', { file, reason: problem }));
      return { policy: new LoadedPolicy(file, t('policy.untrusted', { file }), EMPTY) };
    }
  }
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { policy: NO_POLICY };
    log.error('policy: cannot read file', { file, err: err as Error });
    return { policy: new LoadedPolicy(file, t('policy.unreadable', { file }), EMPTY) };
  }
  try {
    return { data: JSON.parse(text.replace(/^\uFEFF/, '')) as unknown };
  } catch (err) {
    log.error('policy: invalid JSON, no policy applied', { file, err: err as Error });
    return { policy: new LoadedPolicy(file, t('policy.invalidJson', { file, detail: (err as Error).message }), EMPTY) };
  }
}
