/**
 * Group Policy: HKLM\Software\Policies\Ostal (machine) and HKCU\Software\Policies\Ostal (user) read into the same
 * object as the JSON policy file, following the table of ./schema.ts, then checked by parsePolicy like the file. For
 * each policy, the machine's wins over the user's (as Chrome and Firefox do). Both keys are writable by
 * administrators only (Software\Policies), so no trust check is needed as for the file.
 * loadSystemPolicy is what the core and main/ call: the file everywhere, plus the registry on Windows.
 */
import { t } from '../i18n/index.js';
import { loadPolicy, type LoadPolicyOptions, type Policy, type RegistryPolicyData } from './index.js';
import {
  listValues,
  realRegistry,
  subkey,
  type RegistryHive,
  type RegistryKey,
  type RegistryReader,
  type RegistryValue,
} from './registry.js';
import { POLICY_DEFINITIONS, POLICY_ROOT, type JsonPath, type PolicyDefinition } from './schema.js';

function setAt(target: Record<string, unknown>, path: JsonPath, value: unknown): void {
  let node = target;
  for (const part of path.slice(0, -1)) {
    const next = node[part];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) node[part] = {};
    node = node[part] as Record<string, unknown>;
  }
  node[path[path.length - 1]] = value;
}

interface Reading {
  hive: RegistryHive;
  problems: string[];
}

const where = (r: Reading, key: string, valueName: string) => `${r.hive}\\${POLICY_ROOT}${key ? `\\${key}` : ''}\\${valueName}`;

function number(v: RegistryValue, r: Reading, key: string): number | undefined {
  if (typeof v.data === 'number') return v.data;
  if (typeof v.data === 'string' && /^\d+$/.test(v.data.trim())) return Number(v.data.trim());
  r.problems.push(t('poste.registry.wrongType', { value: where(r, key, v.name), expected: 'REG_DWORD' }));
  return undefined;
}

function text(v: RegistryValue, r: Reading, key: string): string | undefined {
  // REG_EXPAND_SZ is kept as written, as in the JSON file: %VARIABLES% are expanded where the value is used.
  if (typeof v.data === 'string') return v.data;
  if (Array.isArray(v.data)) return v.data.join('\n');
  r.problems.push(t('poste.registry.wrongType', { value: where(r, key, v.name), expected: 'REG_SZ' }));
  return undefined;
}

/** The part of the JSON object one policy gives, from one hive; null when the policy is not set there. */
function readDefinition(def: PolicyDefinition, root: RegistryKey, r: Reading): Record<string, unknown> | null {
  const out: Record<string, unknown> = {};
  let found = false;
  const key = subkey(root, def.key);
  if (def.toggle) {
    const v = key?.values.get(def.toggle.valueName.toLowerCase());
    const n = v ? number(v, r, def.key) : undefined;
    if (n !== undefined) {
      setAt(out, def.toggle.path, n !== 0);
      found = true;
    }
  }
  for (const el of def.elements) {
    if (el.kind === 'list') {
      const list = subkey(root, el.key);
      if (list) {
        setAt(out, el.path, listValues(list));
        found = true;
      }
      continue;
    }
    const v = key?.values.get(el.valueName.toLowerCase());
    if (!v) continue;
    let value: unknown;
    if (el.kind === 'boolean') value = number(v, r, def.key) === undefined ? undefined : number(v, r, def.key) !== 0;
    else if (el.kind === 'decimal') value = number(v, r, def.key);
    else if (el.kind === 'json') {
      const json = text(v, r, def.key);
      if (json !== undefined)
        try {
          value = JSON.parse(json) as unknown;
        } catch (err) {
          r.problems.push(t('poste.registry.badJson', { value: where(r, def.key, v.name), detail: (err as Error).message }));
        }
    } else value = text(v, r, def.key);
    // An option left empty in the Group Policy editor is written as an empty string: it means « not given ».
    if (value === undefined || (value === '' && el.path[0] !== 'settings')) continue;
    setAt(out, el.path, value);
    found = true;
  }
  return found ? out : null;
}

/** Lay `part` over `target` (objects merged key by key, anything else replaced). */
function deepAssign(target: Record<string, unknown>, part: Record<string, unknown>): void {
  for (const [k, v] of Object.entries(part)) {
    const existing = target[k];
    if (
      typeof v === 'object' &&
      v !== null &&
      !Array.isArray(v) &&
      typeof existing === 'object' &&
      existing !== null &&
      !Array.isArray(existing)
    )
      deepAssign(existing as Record<string, unknown>, v as Record<string, unknown>);
    else target[k] = v;
  }
}

/**
 * The policy object Group Policy gives (same shape as policies.json), or null when neither hive has any Ostal policy.
 * For each policy of the schema, HKLM's wins over HKCU's as a whole.
 */
export function readRegistryPolicy(reader: RegistryReader): RegistryPolicyData | null {
  const roots = { HKLM: reader.read('HKLM', POLICY_ROOT), HKCU: reader.read('HKCU', POLICY_ROOT) };
  const data: Record<string, unknown> = {};
  const problems: string[] = [];
  const used = new Set<RegistryHive>();
  for (const def of POLICY_DEFINITIONS) {
    for (const hive of ['HKLM', 'HKCU'] as const) {
      const root = roots[hive];
      if (!root) continue;
      const part = readDefinition(def, root, { hive, problems });
      if (part) {
        deepAssign(data, part);
        used.add(hive);
        break;
      }
    }
  }
  if (!used.size && !problems.length) return null;
  return { data, problems, source: [...used].map((h) => `${h}\\${POLICY_ROOT}`).join(', ') || `HKLM\\${POLICY_ROOT}` };
}

/** The policy in force: the JSON file, and on Windows the registry's Group Policy laid over it. */
export function loadSystemPolicy(options: LoadPolicyOptions & { registry?: RegistryReader }): Policy {
  const platform = options.platform ?? process.platform;
  const reader = options.registry ?? (platform === 'win32' ? realRegistry() : null);
  const registry = options.path === null || !reader ? null : readRegistryPolicy(reader);
  return loadPolicy({ ...options, registry });
}
