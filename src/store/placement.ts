/**
 * Where Ostal keeps its things on the computer, decided here for every host (Electron, browser mode, CLI):
 * - the profile (database, message bodies and attachments, Fichiers' trash, logs): on Windows in %LOCALAPPDATA%\Ostal,
 *   never in the roaming part of the Windows profile (%APPDATA%), which is copied to the server at each logoff: the
 *   mail and file caches would make every session start and end slowly, and two computers would fight over one SQLite
 *   file. A profile left in %APPDATA%\Ostal by an earlier version is kept where it is (nothing is lost) until IT or
 *   the agent moves it. Linux: $XDG_CONFIG_HOME/ostal; macOS: ~/Library/Application Support/Ostal.
 * - the Fichiers root (`files.localRoot`, setting and policy): by default the « Documents » folder of the agent, as
 *   Windows knows it (HKCU\…\User Shell Folders\Personal, which follows a folder redirection to a network share),
 *   plus \Ostal. A policy value may start with %DOCUMENTS% (that folder) and use %VARIABLES% (expanded as Windows does).
 * Everything the machine knows comes in a `PlacementFacts` object: unit tests give fake environments.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { realRegistry } from '../policy/registry.js';

export interface PlacementFacts {
  platform: NodeJS.Platform;
  env: NodeJS.ProcessEnv;
  homedir: string;
  /** Whether a folder exists (an earlier profile). */
  exists(dir: string): boolean;
  /**
   * Windows: the unexpanded « Personal » value of HKCU\Software\Microsoft\Windows\CurrentVersion\Explorer\User Shell
   * Folders (e.g. `\\serveur\profils\%USERNAME%\Documents` when redirected), or null.
   */
  documentsFolder(): string | null;
}

export const USER_SHELL_FOLDERS = 'Software\\Microsoft\\Windows\\CurrentVersion\\Explorer\\User Shell Folders';
export const DOCUMENTS_PLACEHOLDER = '%DOCUMENTS%';

/** The real machine; `documentsFolder` reads the registry through the given function (Windows only). */
export function machineFacts(documentsFolder: () => string | null = () => null): PlacementFacts {
  return {
    platform: process.platform,
    env: process.env,
    homedir: os.homedir(),
    exists: (dir) => fs.existsSync(dir),
    documentsFolder,
  };
}

let documentsFromRegistry: string | null | undefined;

/** Windows: the « Personal » shell folder of the user, unexpanded (read once per process); elsewhere null. */
export function windowsDocumentsFolder(): string | null {
  if (process.platform !== 'win32') return null;
  if (documentsFromRegistry === undefined) {
    const data = realRegistry().read('HKCU', USER_SHELL_FOLDERS)?.values.get('personal')?.data;
    documentsFromRegistry = typeof data === 'string' && data ? data : null;
  }
  return documentsFromRegistry;
}

/** %VARIABLES% expanded as Windows does (names without regard to case; unknown ones stay as written). */
export function expandWindowsVariables(text: string, env: NodeJS.ProcessEnv): string {
  const lower = new Map(Object.entries(env).map(([k, v]) => [k.toLowerCase(), v]));
  return text.replace(/%([^%\\/]+)%/g, (whole, name: string) => lower.get(name.toLowerCase()) ?? whole);
}

const pathOf = (platform: NodeJS.Platform) => (platform === 'win32' ? path.win32 : path.posix);

/** The profile folder: OSTAL_PROFILE, else the place of the platform (Windows: local, not roaming). */
export function profilePlacement(facts: PlacementFacts): string {
  const { env, platform } = facts;
  if (env.OSTAL_PROFILE) return pathOf(platform).resolve(env.OSTAL_PROFILE);
  const home = env.HOME || env.USERPROFILE || facts.homedir;
  if (platform === 'win32') {
    const profile = env.USERPROFILE || home;
    const local = path.win32.join(env.LOCALAPPDATA || path.win32.join(profile, 'AppData', 'Local'), 'Ostal');
    const roaming = path.win32.join(env.APPDATA || path.win32.join(profile, 'AppData', 'Roaming'), 'Ostal');
    return !facts.exists(local) && facts.exists(roaming) ? roaming : local;
  }
  if (platform === 'darwin') return path.posix.join(home, 'Library', 'Application Support', 'Ostal');
  const config = env.XDG_CONFIG_HOME && path.posix.isAbsolute(env.XDG_CONFIG_HOME) ? env.XDG_CONFIG_HOME : path.posix.join(home, '.config');
  return path.posix.join(config, 'ostal');
}

/** The agent's « Documents » folder (redirection followed on Windows). */
export function documentsPlacement(facts: PlacementFacts): string {
  const { env, platform } = facts;
  if (platform === 'win32') {
    const fromRegistry = facts.documentsFolder();
    if (fromRegistry) return expandWindowsVariables(fromRegistry, env);
    return path.win32.join(env.USERPROFILE || facts.homedir, 'Documents');
  }
  return path.posix.join(env.HOME || facts.homedir, 'Documents');
}

/** The default Fichiers root: « Documents »\Ostal. */
export function defaultFilesRoot(facts: PlacementFacts): string {
  return pathOf(facts.platform).join(documentsPlacement(facts), 'Ostal');
}

/**
 * Whether a `files.localRoot` value can be used here: an absolute path of this platform, or one starting with
 * %DOCUMENTS% or another %VARIABLE% (resolved when used).
 */
export function isFilesRootValue(value: unknown, platform: NodeJS.Platform = process.platform): value is string {
  if (typeof value !== 'string' || value.length === 0) return false;
  return /^%[^%\\/]+%/.test(value) || pathOf(platform).isAbsolute(value);
}

/**
 * The folder a `files.localRoot` value names on this computer: %DOCUMENTS% and %VARIABLES% replaced; a value that is
 * still not an absolute path (an unknown variable) gives the default root instead.
 */
export function resolveFilesRoot(value: string, facts: PlacementFacts): string {
  const p = pathOf(facts.platform);
  let v = value;
  if (v.toUpperCase().startsWith(DOCUMENTS_PLACEHOLDER)) v = documentsPlacement(facts) + v.slice(DOCUMENTS_PLACEHOLDER.length);
  v = expandWindowsVariables(v, facts.env);
  return p.isAbsolute(v) ? p.normalize(v) : defaultFilesRoot(facts);
}
