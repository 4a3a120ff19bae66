import { defaultFilesRoot, isFilesRootValue, machineFacts, windowsDocumentsFolder } from './placement.js';
import type Database from 'better-sqlite3';
import type { OfflineWindow, Settings } from '../shared/contract.js';

/** Values of 'mail.offlineWindow' (« Tous », « Les 12 derniers mois », « Les 3 derniers mois », « Aucun »). */
export const OFFLINE_WINDOWS: readonly OfflineWindow[] = ['all', '12months', '3months', 'none'];

/**
 * The 'mail.offlineWindow' value closest to an old 'mail.prefetchDays' policy value (days of bodies kept): policy
 * files written for earlier versions keep working.
 */
export function offlineWindowOfDays(days: number): OfflineWindow {
  if (days <= 0) return 'none';
  if (days <= 92) return '3months';
  if (days <= 366) return '12months';
  return 'all';
}

export type SettingKey = keyof Settings;

/** What a setting accepts; checks both user input and IT policy values. */
export interface SettingDefinition<K extends SettingKey = SettingKey> {
  key: K;
  defaultValue: () => Settings[K];
  /** True when the value has the right type and range. */
  isValid(value: unknown): value is Settings[K];
}

function isHttpUrlOrEmpty(v: unknown): v is string {
  if (typeof v !== 'string') return false;
  if (v === '') return true;
  try {
    const u = new URL(v);
    return u.protocol === 'https:' || u.protocol === 'http:';
  } catch {
    return false;
  }
}

/** A JSON object of strings (account id → signature HTML), at most 256 KiB. */
function isSignatureMap(v: unknown): v is string {
  if (typeof v !== 'string' || v.length > 256 * 1024) return false;
  if (v === '') return true;
  try {
    const parsed: unknown = JSON.parse(v);
    return (
      typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) && Object.values(parsed).every((x) => typeof x === 'string')
    );
  } catch {
    return false;
  }
}
const isYesNo = (v: unknown): v is 'yes' | 'no' => v === 'yes' || v === 'no';

export const SETTING_DEFINITIONS: { [K in SettingKey]: SettingDefinition<K> } = {
  'mail.offlineWindow': {
    key: 'mail.offlineWindow',
    defaultValue: () => 'all',
    isValid: (v): v is OfflineWindow => typeof v === 'string' && (OFFLINE_WINDOWS as readonly string[]).includes(v),
  },
  'mail.speedLimitKbps': {
    key: 'mail.speedLimitKbps',
    defaultValue: () => 0,
    isValid: (v): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 10_000_000,
  },
  'visio.serverUrl': {
    key: 'visio.serverUrl',
    defaultValue: () => '',
    isValid: isHttpUrlOrEmpty,
  },
  'visio.joinToken': {
    key: 'visio.joinToken',
    defaultValue: () => '',
    // A compact JWT (three base64url parts) or nothing.
    isValid: (v): v is string => typeof v === 'string' && (v === '' || /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(v)),
  },
  'files.localRoot': {
    key: 'files.localRoot',
    // « Documents »\Ostal (a redirected Documents folder on Windows: ./placement.ts); %DOCUMENTS% and %VARIABLES% allowed.
    defaultValue: () => defaultFilesRoot(machineFacts(windowsDocumentsFolder)),
    isValid: isFilesRootValue,
  },
  'files.speedLimitKbps': {
    key: 'files.speedLimitKbps',
    defaultValue: () => 0,
    isValid: (v): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 10_000_000,
  },
  'workspaces.webdavRoot': {
    key: 'workspaces.webdavRoot',
    defaultValue: () => '',
    isValid: isHttpUrlOrEmpty,
  },
  'workspaces.caldavRoot': {
    key: 'workspaces.caldavRoot',
    defaultValue: () => '',
    isValid: isHttpUrlOrEmpty,
  },
  'workspaces.mucService': {
    key: 'workspaces.mucService',
    defaultValue: () => '',
    isValid: (v): v is string =>
      typeof v === 'string' && (v === '' || /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/i.test(v)),
  },
  'aide.visiteGuidee': {
    key: 'aide.visiteGuidee',
    // OSTAL_VISITE_GUIDEE=off turns the first-launch tours off for scripts and end-to-end tests (tests/e2e/ostal.ts).
    defaultValue: () => (process.env.OSTAL_VISITE_GUIDEE === 'off' ? 'off' : 'on'),
    isValid: (v): v is 'on' | 'off' => v === 'on' || v === 'off',
  },
  'aide.visitesVues': {
    key: 'aide.visitesVues',
    defaultValue: () => '',
    isValid: (v): v is string => typeof v === 'string' && /^([a-z]+(,[a-z]+)*)?$/.test(v) && v.length <= 200,
  },
  'aide.versionVue': {
    key: 'aide.versionVue',
    defaultValue: () => '',
    isValid: (v): v is string => typeof v === 'string' && /^(\d+\.\d+\.\d+)?$/.test(v),
  },
  'mail.composeFormat': {
    key: 'mail.composeFormat',
    // Formatted (HTML with a plain-text alternative) as Thunderbird and Outlook do; « Texte brut » stays a choice per
    // account in Réglages › Courrier (mail.signatures « id#format »), unless IT fixes this by policy.
    defaultValue: () => 'html',
    isValid: (v): v is 'html' | 'text' => v === 'html' || v === 'text',
  },
  'mail.signatures': {
    key: 'mail.signatures',
    defaultValue: () => '',
    isValid: isSignatureMap,
  },
  'mail.signatureTemplate': {
    key: 'mail.signatureTemplate',
    defaultValue: () => '',
    isValid: (v): v is string => typeof v === 'string' && v.length <= 64 * 1024,
  },
  'desktop.closeToTray': { key: 'desktop.closeToTray', defaultValue: () => 'yes', isValid: isYesNo },
  'desktop.startAtLogin': { key: 'desktop.startAtLogin', defaultValue: () => 'no', isValid: isYesNo },
};

export const SETTING_KEYS = Object.keys(SETTING_DEFINITIONS) as SettingKey[];

export function isSettingKey(key: unknown): key is SettingKey {
  return typeof key === 'string' && Object.hasOwn(SETTING_DEFINITIONS, key);
}

/** SQL for the `settings` table: the user's own values (policy overrides are applied by the caller). */
export class SettingsRepository {
  constructor(private readonly db: Database.Database) {}

  /** The user's own value, or undefined when unset (or no longer valid). */
  stored<K extends SettingKey>(key: K): Settings[K] | undefined {
    const row = this.db.prepare('SELECT value FROM settings WHERE key = ?').get(key) as { value: string } | undefined;
    if (!row) return undefined;
    const value: unknown = JSON.parse(row.value);
    return (SETTING_DEFINITIONS[key] as SettingDefinition<K>).isValid(value) ? (value as Settings[K]) : undefined;
  }

  /**
   * The value in force: a locked policy value; else the user's value; else the policy's
   * suggested value; else the built-in default.
   */
  effective<K extends SettingKey>(key: K, override: { value?: unknown; locked: boolean } | null): Settings[K] {
    const def = SETTING_DEFINITIONS[key] as SettingDefinition<K>;
    const fromPolicy = override && override.value !== undefined && def.isValid(override.value) ? override.value : undefined;
    if (override?.locked && fromPolicy !== undefined) return fromPolicy;
    return this.stored(key) ?? fromPolicy ?? def.defaultValue();
  }

  set<K extends SettingKey>(key: K, value: Settings[K]): void {
    this.db
      .prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value')
      .run(key, JSON.stringify(value));
  }
}

/**
 * What the app remembers for itself in the settings table, under keys outside the contract's Settings (never listed
 * in Réglages, never set by a policy): `state.mail.downloadPaused` is the « Suspendre » of the background download of
 * bodies, kept across restarts; `state.mail.blobsChecked.<account>` is the last check of an account's blobs on disk
 * (src/mail/sync-engine.ts); `state.mail.recheckBlobsSince`, the check of the sources written by a run that did not
 * end cleanly, until it is over (src/mail/blob-recheck.ts).
 */
export type StateKey = 'state.mail.downloadPaused' | 'state.mail.recheckBlobsSince' | `state.mail.blobsChecked.${string}`;

export function readState(db: Database.Database, key: StateKey): unknown {
  const row = db.prepare('SELECT value FROM settings WHERE key = ?').get(key) as { value: string } | undefined;
  return row ? (JSON.parse(row.value) as unknown) : undefined;
}

export function writeState(db: Database.Database, key: StateKey, value: unknown): void {
  db.prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(
    key,
    JSON.stringify(value),
  );
}

export function clearState(db: Database.Database, key: StateKey): void {
  db.prepare('DELETE FROM settings WHERE key = ?').run(key);
}

/** Where policy values for settings come from (the IT policy; see src/policy/). */
export interface SettingOverrides {
  settingOverride(key: SettingKey): { value?: unknown; locked: boolean } | null;
}

/** The value of a setting in force for this profile (policy lock, user choice, policy default, built-in default). */
export function readSetting<K extends SettingKey>(ctx: { db: Database.Database; policy: SettingOverrides }, key: K): Settings[K] {
  return new SettingsRepository(ctx.db).effective(key, ctx.policy.settingOverride(key));
}
