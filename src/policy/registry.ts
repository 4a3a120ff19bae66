/**
 * The Windows registry, read for Group Policy (HKLM\Software\Policies\Ostal, HKCU\Software\Policies\Ostal) and for
 * the user's Internet and shell-folder settings. Reading goes through `RegistryReader`: on Windows `reg query KEY /s`
 * (its output parsed here, run under code page 65001 so that non-ASCII values come out as UTF-8); in tests a fake
 * registry built from plain objects (fakeRegistry). Names are compared without regard to case, as Windows does.
 */
import { execSync } from 'node:child_process';

export type RegistryHive = 'HKLM' | 'HKCU';
export type RegistryType = 'REG_SZ' | 'REG_EXPAND_SZ' | 'REG_MULTI_SZ' | 'REG_DWORD' | 'REG_QWORD' | 'REG_BINARY' | 'REG_NONE';

export interface RegistryValue {
  /** As written in the registry (case kept). */
  name: string;
  type: RegistryType;
  /** REG_SZ/REG_EXPAND_SZ: text; REG_DWORD/REG_QWORD: number; REG_MULTI_SZ: lines; REG_BINARY: hex text. */
  data: string | number | string[];
}

export interface RegistryKey {
  name: string;
  /** Lower-cased value name → value. */
  values: Map<string, RegistryValue>;
  /** Lower-cased subkey name → subkey. */
  subkeys: Map<string, RegistryKey>;
}

/** Reads one key with its whole subtree, or null when it does not exist. */
export interface RegistryReader {
  read(hive: RegistryHive, path: string): RegistryKey | null;
}

const HIVE_NAMES: Record<RegistryHive, string> = { HKLM: 'HKEY_LOCAL_MACHINE', HKCU: 'HKEY_CURRENT_USER' };

const emptyKey = (name: string): RegistryKey => ({ name, values: new Map(), subkeys: new Map() });

function valueOf(name: string, type: string, raw: string): RegistryValue {
  switch (type) {
    case 'REG_DWORD':
    case 'REG_QWORD':
      return { name, type, data: Number(BigInt(raw.trim() || '0')) };
    case 'REG_MULTI_SZ':
      return { name, type, data: raw === '' ? [] : raw.split('\\0').filter((line, i, all) => line !== '' || i < all.length - 1) };
    case 'REG_SZ':
    case 'REG_EXPAND_SZ':
    case 'REG_BINARY':
    case 'REG_NONE':
      return { name, type, data: raw };
    default:
      return { name, type: 'REG_NONE', data: raw };
  }
}

/**
 * Parse the output of `reg query <root> /s`: key lines (« HKEY_LOCAL_MACHINE\Software\Policies\Ostal\Proxy ») and
 * value lines (« ····Mode····REG_SZ····fixed », four spaces around each field). Keys outside `root` are ignored.
 * The unnamed default value (« (par défaut) », « (Default) ») is kept under the name ''.
 */
export function parseRegQuery(output: string, root: string): RegistryKey | null {
  const rootLower = root.toLowerCase().replace(/\\+$/, '');
  let tree: RegistryKey | null = null;
  let current: RegistryKey | null = null;
  for (const line of output.split(/\r?\n/)) {
    if (!line.trim()) continue;
    if (!line.startsWith(' ')) {
      const path = line.trim().replace(/\\+$/, '');
      const lower = path.toLowerCase();
      if (lower !== rootLower && !lower.startsWith(rootLower + '\\')) {
        current = null;
        continue;
      }
      tree ??= emptyKey(path.slice(path.lastIndexOf('\\') + 1));
      let node: RegistryKey = tree;
      for (const part of path.slice(rootLower.length).split('\\').filter(Boolean)) {
        const k = part.toLowerCase();
        const next: RegistryKey = node.subkeys.get(k) ?? emptyKey(part);
        node.subkeys.set(k, next);
        node = next;
      }
      current = node;
      continue;
    }
    const m = line.match(/^ {4}(.*?) {4}(REG_[A-Z_]+)(?: {4}(.*))?$/);
    if (!m || !current) continue;
    const name = /^\(.*\)$/.test(m[1]) && !m[1].includes('\\') ? '' : m[1];
    current.values.set(name.toLowerCase(), valueOf(name, m[2], m[3] ?? ''));
  }
  return tree;
}

/** The machine's registry through `reg query` (Windows only). */
export function realRegistry(): RegistryReader {
  return {
    read(hive, path) {
      const full = `${HIVE_NAMES[hive]}\\${path}`;
      let output: string;
      try {
        // Through cmd.exe for chcp; `full` is made of the constants above, never of outside input.
        output = execSync(`chcp 65001 >nul && reg query "${full}" /s`, {
          encoding: 'utf8',
          windowsHide: true,
          timeout: 15_000,
          maxBuffer: 16 * 1024 * 1024,
        });
      } catch {
        return null; // « ERROR: The system was unable to find the specified registry key or value. »
      }
      return parseRegQuery(output, full);
    },
  };
}

/** A value of a fake registry: a string (REG_SZ), a number (REG_DWORD), a list (REG_MULTI_SZ), or typed. */
export type FakeRegistryValue = string | number | string[] | { type: RegistryType; data: string | number | string[] };
/** A fake key: values, and subkeys as nested objects. */
export interface FakeRegistryKey {
  [name: string]: FakeRegistryValue | FakeRegistryKey;
}

const isFakeValue = (v: FakeRegistryValue | FakeRegistryKey): v is FakeRegistryValue =>
  typeof v === 'string' || typeof v === 'number' || Array.isArray(v) || (typeof v.type === 'string' && 'data' in v);

function fakeKey(name: string, content: FakeRegistryKey): RegistryKey {
  const key = emptyKey(name);
  for (const [n, v] of Object.entries(content)) {
    if (isFakeValue(v)) {
      const typed =
        typeof v === 'string'
          ? { type: 'REG_SZ' as const, data: v }
          : typeof v === 'number'
            ? { type: 'REG_DWORD' as const, data: v }
            : Array.isArray(v)
              ? { type: 'REG_MULTI_SZ' as const, data: v }
              : v;
      key.values.set(n.toLowerCase(), { name: n, ...typed });
    } else key.subkeys.set(n.toLowerCase(), fakeKey(n, v));
  }
  return key;
}

/** A registry made of plain objects, for tests: `{ HKLM: { 'Software\\Policies\\Ostal': { … } } }`. */
export function fakeRegistry(hives: Partial<Record<RegistryHive, Record<string, FakeRegistryKey>>>): RegistryReader {
  return {
    read(hive, path) {
      const want = path.toLowerCase();
      for (const [p, content] of Object.entries(hives[hive] ?? {})) {
        const have = p.toLowerCase();
        if (have === want) return fakeKey(p.slice(p.lastIndexOf('\\') + 1), content);
        if (want.startsWith(have + '\\')) {
          let key: RegistryKey | undefined = fakeKey(p, content);
          for (const part of want.slice(have.length + 1).split('\\')) key = key?.subkeys.get(part);
          if (key) return key;
        }
      }
      return null;
    },
  };
}

/** A subkey by a `\`-separated path, or null. */
export function subkey(key: RegistryKey | null, path: string): RegistryKey | null {
  let k: RegistryKey | null = key;
  for (const part of path.split('\\').filter(Boolean)) k = k?.subkeys.get(part.toLowerCase()) ?? null;
  return k;
}

/** The strings of a list policy (a subkey whose values are named 1, 2, 3…, as Chrome and Firefox do), in order. */
export function listValues(key: RegistryKey | null): string[] {
  if (!key) return [];
  return [...key.values.values()]
    .filter((v) => typeof v.data === 'string' && v.name !== '')
    .sort((a, b) => Number(a.name) - Number(b.name) || a.name.localeCompare(b.name))
    .map((v) => v.data as string);
}
