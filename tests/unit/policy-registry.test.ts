/**
 * Group Policy: the Windows registry (a fake one here, and `reg query` output as Windows prints it) gives the same
 * effective policy as the JSON file; the machine's policies win over the user's; a value of the wrong type is named in
 * French and the rest applies.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log.js';
import { loadPolicy, type Policy } from '../../src/policy/index.js';
import { fakeRegistry, parseRegQuery } from '../../src/policy/registry.js';
import { loadSystemPolicy, readRegistryPolicy } from '../../src/policy/registry-policy.js';
import { SETTING_KEYS } from '../../src/store/settings-repository.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ostal-gpo-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const DOMAINS = {
  'ville-exemple.fr': {
    imap: 'imaps://imap.ville-exemple.fr:993',
    smtp: 'smtp://smtp.ville-exemple.fr:587',
    caldav: 'https://dav.ville-exemple.fr/',
    webdav: 'https://fichiers.ville-exemple.fr/dav/%EMAILLOCALPART%/',
    locked: ['imap', 'smtp'],
  },
};

/** The policy file of a commune… */
const JSON_POLICY = {
  domains: DOMAINS,
  allowOtherDomains: false,
  disabledFeatures: ['fichiers', 'visio'],
  devtools: { allowed: false },
  proxy: { mode: 'fixed', url: 'http://proxy.ville-exemple.fr:3128', bypass: ['.ville-exemple.fr', '<local>'] },
  settings: {
    'mail.offlineWindow': { value: '12months', locked: true, hidden: false },
    'mail.speedLimitKbps': { value: 512, locked: false, hidden: true },
    'visio.serverUrl': { value: 'https://visio.ville-exemple.fr', locked: true, hidden: false },
    'files.localRoot': { value: '%DOCUMENTS%\\Ostal', locked: true, hidden: false },
  },
};

/** …and the same written by Group Policy, as the ADMX's options store it (machine part and user part). */
const REGISTRY = fakeRegistry({
  HKLM: {
    'Software\\Policies\\Ostal': {
      Domains: [JSON.stringify(DOMAINS, null, 2)].join('\n').split('\n'),
      AllowOtherDomains: 0,
      DevToolsAllowed: 0,
      DisabledFeatures: { '1': 'fichiers', '2': 'visio' },
      Proxy: { Mode: 'fixed', Url: 'http://proxy.ville-exemple.fr:3128', PacUrl: '', Bypass: { '1': '.ville-exemple.fr', '2': '<local>' } },
      Settings: {
        'mail.offlineWindow': { Value: '12months', Locked: 1, Hidden: 0 },
        'visio.serverUrl': { Value: 'https://visio.ville-exemple.fr', Locked: 1, Hidden: 0 },
        'files.localRoot': { Value: { type: 'REG_EXPAND_SZ', data: '%DOCUMENTS%\\Ostal' }, Locked: 1, Hidden: 0 },
      },
    },
  },
  HKCU: {
    'Software\\Policies\\Ostal': {
      AllowOtherDomains: 1, // the machine's 0 wins
      Settings: { 'mail.speedLimitKbps': { Value: 512, Locked: 0, Hidden: 1 } },
    },
  },
});

/** Everything a Policy tells the rest of Ostal. */
function effective(policy: Policy) {
  const { source: _source, ...view } = policy.view();
  return {
    view,
    servers: policy.serversFor('camille.martin@ville-exemple.fr'),
    other: policy.serversFor('x@ailleurs.fr'),
    allowOtherDomains: policy.allowOtherDomains,
    devtools: policy.devtoolsAllowed,
    proxy: policy.proxy,
    settings: SETTING_KEYS.map((k) => [k, policy.settingOverride(k)]),
  };
}

describe('Group Policy from the registry', () => {
  it('gives the same effective policy as the JSON file', () => {
    const file = path.join(dir, 'policies.json');
    fs.writeFileSync(file, JSON.stringify(JSON_POLICY));
    const fromFile = loadPolicy({ path: file, log: silentLogger });
    const fromRegistry = loadSystemPolicy({
      path: path.join(dir, 'absent.json'),
      log: silentLogger,
      platform: 'win32',
      registry: REGISTRY,
    });
    expect(fromFile.error).toBeNull();
    expect(fromRegistry.error).toBeNull();
    expect(effective(fromRegistry)).toEqual(effective(fromFile));
    expect(fromRegistry.source).toBe('HKLM\\Software\\Policies\\Ostal, HKCU\\Software\\Policies\\Ostal');
    // A check that the comparison has something in it.
    expect(fromRegistry.isFeatureDisabled('visio')).toBe(true);
    expect(fromRegistry.settingOverride('mail.speedLimitKbps')).toEqual({ value: 512, locked: false, hidden: true });
  });

  it('lays the registry over the file, policy by policy', () => {
    const file = path.join(dir, 'partiel.json');
    fs.writeFileSync(
      file,
      JSON.stringify({ disabledFeatures: ['agenda'], settings: { 'files.speedLimitKbps': { value: 100, locked: true } } }),
    );
    const registry = fakeRegistry({
      HKLM: { 'Software\\Policies\\Ostal': { Settings: { 'mail.speedLimitKbps': { Value: 64, Locked: 1 } } } },
    });
    const policy = loadSystemPolicy({ path: file, log: silentLogger, platform: 'win32', registry });
    expect(policy.isFeatureDisabled('agenda')).toBe(true);
    expect(policy.settingOverride('files.speedLimitKbps')).toEqual({ value: 100, locked: true, hidden: false });
    expect(policy.settingOverride('mail.speedLimitKbps')).toEqual({ value: 64, locked: true, hidden: false });
  });

  it('names a value of the wrong type in French and applies the rest', () => {
    const registry = fakeRegistry({
      HKLM: { 'Software\\Policies\\Ostal': { AllowOtherDomains: 'non', Domains: '{ pas du JSON', DisabledFeatures: { '1': 'visio' } } },
    });
    const data = readRegistryPolicy(registry);
    expect(data?.problems).toEqual([
      'La valeur de registre HKLM\\Software\\Policies\\Ostal\\Domains n’est pas un texte JSON valable (' +
        (() => {
          try {
            JSON.parse('{ pas du JSON');
          } catch (err) {
            return (err as Error).message;
          }
          return '';
        })() +
        ').',
      'La valeur de registre HKLM\\Software\\Policies\\Ostal\\AllowOtherDomains doit être de type REG_DWORD.',
    ]);
    const policy = loadSystemPolicy({ path: path.join(dir, 'absent.json'), log: silentLogger, platform: 'win32', registry });
    expect(policy.isFeatureDisabled('visio')).toBe(true);
    expect(policy.allowOtherDomains).toBe(true);
    expect(policy.error).toContain('HKLM\\Software\\Policies\\Ostal\\AllowOtherDomains');
  });

  it('is not read outside Windows, and nothing set means no policy', () => {
    expect(loadSystemPolicy({ path: path.join(dir, 'absent.json'), log: silentLogger, platform: 'linux' }).source).toBeNull();
    expect(readRegistryPolicy(fakeRegistry({}))).toBeNull();
  });
});

describe('reg query output', () => {
  const OUTPUT = [
    '',
    'HKEY_LOCAL_MACHINE\\Software\\Policies\\Ostal',
    '    AllowOtherDomains    REG_DWORD    0x0',
    '    Domains    REG_MULTI_SZ    {\\0  "ville-exemple.fr": { "imap": "imaps://imap.ville-exemple.fr" }\\0}',
    '    (par défaut)    REG_SZ    ',
    '',
    'HKEY_LOCAL_MACHINE\\Software\\Policies\\Ostal\\DisabledFeatures',
    '    1    REG_SZ    fichiers',
    '    2    REG_SZ    espaces',
    '',
    'HKEY_LOCAL_MACHINE\\Software\\Policies\\Ostal\\Settings\\files.localRoot',
    '    Value    REG_EXPAND_SZ    %USERPROFILE%\\Documents partagés\\Ostal',
    '    Locked    REG_DWORD    0x1',
    '',
  ].join('\r\n');

  it('is read into keys and typed values', () => {
    const key = parseRegQuery(OUTPUT, 'HKEY_LOCAL_MACHINE\\Software\\Policies\\Ostal');
    expect(key?.values.get('allowotherdomains')).toEqual({ name: 'AllowOtherDomains', type: 'REG_DWORD', data: 0 });
    expect(key?.values.get('domains')?.data).toEqual(['{', '  "ville-exemple.fr": { "imap": "imaps://imap.ville-exemple.fr" }', '}']);
    expect(key?.values.get('')).toEqual({ name: '', type: 'REG_SZ', data: '' });
    expect([...(key?.subkeys.get('disabledfeatures')?.values.values() ?? [])].map((v) => v.data)).toEqual(['fichiers', 'espaces']);
    const root = key?.subkeys.get('settings')?.subkeys.get('files.localroot');
    expect(root?.values.get('value')).toEqual({ name: 'Value', type: 'REG_EXPAND_SZ', data: '%USERPROFILE%\\Documents partagés\\Ostal' });
  });

  it('gives the policy through the same mapping', () => {
    const key = parseRegQuery(OUTPUT, 'HKEY_LOCAL_MACHINE\\Software\\Policies\\Ostal');
    const data = readRegistryPolicy({ read: (hive) => (hive === 'HKLM' ? key : null) });
    expect(data?.problems).toEqual([]);
    expect(data?.data).toEqual({
      domains: { 'ville-exemple.fr': { imap: 'imaps://imap.ville-exemple.fr' } },
      allowOtherDomains: false,
      disabledFeatures: ['fichiers', 'espaces'],
      settings: { 'files.localRoot': { value: '%USERPROFILE%\\Documents partagés\\Ostal', locked: true } },
    });
  });
});
