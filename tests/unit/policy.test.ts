import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Logger } from '../../src/log.js';
import { defaultPolicyPath, loadPolicy, parsePolicy } from '../../src/policy/index.js';
import { parseWindowsAcl, policyTrustProblem, posixTrustProblem, windowsTrustProblem } from '../../src/policy/trust.js';

let dir: string;
let lines: string[];
const log: Logger = {
  info: (m) => lines.push(`INFO ${m}`),
  warn: (m, e) => lines.push(`WARN ${m} ${JSON.stringify(e)}`),
  error: (m, e) => lines.push(`ERROR ${m} ${JSON.stringify(e)}`),
};
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ostal-policy-'));
  lines = [];
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

function write(data: unknown): string {
  const file = path.join(dir, 'policies.json');
  fs.writeFileSync(file, typeof data === 'string' ? data : JSON.stringify(data));
  return file;
}

describe('policy location', () => {
  it('uses OSTAL_POLICIES, else the machine-wide path of the OS', () => {
    expect(defaultPolicyPath({ OSTAL_POLICIES: '/tmp/p.json' }, 'linux')).toBe('/tmp/p.json');
    expect(defaultPolicyPath({}, 'linux')).toBe('/etc/ostal/policies.json');
    expect(defaultPolicyPath({ ProgramData: 'C:\\ProgramData' }, 'win32')).toBe('C:\\ProgramData\\Ostal\\policies.json');
  });

  it('reads the file named by OSTAL_POLICIES when no path is given', () => {
    const file = write({ disabledFeatures: ['visio'] });
    const policy = loadPolicy({ log, env: { OSTAL_POLICIES: file } });
    expect(policy.source).toBe(file);
    expect(policy.isFeatureDisabled('visio')).toBe(true);
  });
});

describe('loadPolicy', () => {
  it('treats a missing file as no policy', () => {
    const policy = loadPolicy({ path: path.join(dir, 'absent.json'), log });
    expect(policy.view()).toEqual({
      source: null,
      disabledFeatures: [],
      lockedSettings: [],
      hiddenSettings: [],
      presetDomains: [],
      allowOtherDomains: true,
      error: null,
    });
  });

  it('applies presets, locks, features and settings from the template in build/policies', () => {
    const template = path.resolve(import.meta.dirname, '../../build/policies/policies.json');
    const policy = loadPolicy({ path: template, log });
    expect(policy.error).toBeNull();
    expect(lines.filter((l) => l.startsWith('WARN') || l.startsWith('ERROR'))).toEqual([]);
    expect(policy.view().presetDomains.length).toBeGreaterThan(0);
  });

  it('reads an old mail.prefetchDays value as the closest « Messages disponibles hors ligne »', () => {
    const window = (days: number) =>
      parsePolicy({ settings: { 'mail.prefetchDays': { value: days, locked: true } } }).policy.settings.get('mail.offlineWindow');
    expect(window(0)).toEqual({ value: 'none', locked: true, hidden: false });
    expect(window(30)).toEqual({ value: '3months', locked: true, hidden: false });
    expect(window(365)).toEqual({ value: '12months', locked: true, hidden: false });
    expect(window(3650)).toEqual({ value: 'all', locked: true, hidden: false });
    // The new key wins when both are there.
    const both = parsePolicy({ settings: { 'mail.prefetchDays': { value: 0 }, 'mail.offlineWindow': { value: 'all' } } });
    expect(both.policy.settings.get('mail.offlineWindow')?.value).toBe('all');
    expect(both.unknown).toEqual(['settings.mail.prefetchDays']);
  });

  it('exposes the documented format', () => {
    const file = write({
      domains: {
        'Ville-Exemple.FR': {
          imap: 'imaps://imap.ville-exemple.fr:993',
          smtp: 'smtp://smtp.ville-exemple.fr:587',
          caldav: 'https://dav.ville-exemple.fr/',
          webdav: 'https://fichiers.ville-exemple.fr/dav/%EMAILLOCALPART%/',
          username: '%EMAILLOCALPART%',
          locked: true,
        },
        'autre.fr': { caldav: 'https://agenda.autre.fr/', locked: ['caldav'] },
      },
      allowOtherDomains: false,
      disabledFeatures: ['fichiers'],
      settings: {
        'mail.offlineWindow': { value: '12months', locked: true },
        'mail.speedLimitKbps': { value: 512 },
        'visio.serverUrl': { value: 'https://visio.exemple.fr', hidden: true },
      },
    });
    const policy = loadPolicy({ path: file, log });
    expect(policy.error).toBeNull();
    expect(policy.presetFor('ville-exemple.fr')?.locked).toEqual([
      'imap',
      'smtp',
      'caldav',
      'carddav',
      'webdav',
      'sieve',
      'xmpp',
      'username',
    ]);
    expect(policy.serversFor('camille.martin@ville-exemple.fr')).toEqual({
      settings: {
        imap: 'imaps://imap.ville-exemple.fr:993',
        smtp: 'smtp://smtp.ville-exemple.fr:587',
        caldav: 'https://dav.ville-exemple.fr/',
        webdav: 'https://fichiers.ville-exemple.fr/dav/camille.martin/',
        username: 'camille.martin',
      },
      locked: ['imap', 'smtp', 'caldav', 'carddav', 'webdav', 'sieve', 'xmpp', 'username'],
    });
    expect(policy.serversFor('x@autre.fr')).toEqual({ settings: { caldav: 'https://agenda.autre.fr/' }, locked: ['caldav'] });
    expect(policy.serversFor('x@inconnu.fr')).toBeNull();
    expect(policy.isFeatureDisabled('fichiers')).toBe(true);
    expect(policy.isFeatureDisabled('courrier')).toBe(false);
    expect(policy.settingOverride('mail.offlineWindow')).toEqual({ value: '12months', locked: true, hidden: false });
    expect(policy.settingOverride('mail.speedLimitKbps')).toEqual({ value: 512, locked: false, hidden: false });
    expect(policy.view()).toEqual({
      source: file,
      disabledFeatures: ['fichiers'],
      lockedSettings: ['mail.offlineWindow'],
      hiddenSettings: ['visio.serverUrl'],
      presetDomains: ['ville-exemple.fr', 'autre.fr'],
      allowOtherDomains: false,
      error: null,
    });
  });

  it('starts with no policy and a French error when the JSON is broken', () => {
    const file = write('{ "domains": { "exemple.fr": ');
    const policy = loadPolicy({ path: file, log });
    expect(policy.source).toBe(file);
    expect(policy.error).toMatch(/^Le fichier de règles du service informatique .* est mal écrit/);
    expect(policy.error).toContain('Ostal démarre sans ces règles');
    expect(policy.view().presetDomains).toEqual([]);
    expect(policy.allowOtherDomains).toBe(true);
    expect(lines.some((l) => l.startsWith('ERROR policy: invalid JSON'))).toBe(true);
  });

  it('skips entries with wrong types (French error), logs unknown keys, and keeps the rest', () => {
    const file = write({
      allowOtherDomains: 'non',
      disabledFeatures: ['fichiers', 'cloud'],
      domains: {
        'bon.fr': { imap: 'imaps://imap.bon.fr', smtp: 'smtps://smtp.bon.fr', locked: ['imap'], couleur: 'bleu' },
        'mauvais.fr': { imap: 'http://imap.mauvais.fr', smtp: 'smtp://smtp.mauvais.fr' },
        'moitie.fr': { imap: 'imaps://imap.moitie.fr' },
      },
      settings: {
        'mail.offlineWindow': { value: 'trente', locked: true },
        'visio.serverUrl': { value: 'https://v.fr', locked: 'oui' },
        'inconnu.reglage': { value: 1 },
      },
      theme: 'sombre',
    });
    const policy = loadPolicy({ path: file, log });
    expect(policy.view().presetDomains).toEqual(['bon.fr']);
    expect(policy.presetFor('BON.fr')?.locked).toEqual(['imap']);
    expect(policy.view().disabledFeatures).toEqual(['fichiers']);
    expect(policy.allowOtherDomains).toBe(true);
    expect(policy.settingOverride('mail.offlineWindow')).toBeNull();
    expect(policy.settingOverride('visio.serverUrl')).toBeNull();
    const error = policy.error ?? '';
    expect(error).toMatch(/^Certaines règles du service informatique/);
    expect(error).toContain('«\u00a0allowOtherDomains\u00a0» doit être true ou false');
    expect(error).toContain('«\u00a0cloud\u00a0» n’est pas une fonction connue');
    expect(error).toContain('«\u00a0domains.mauvais.fr.imap\u00a0» doit être une adresse de serveur');
    expect(error).toContain('«\u00a0domains.moitie.fr\u00a0» doit donner à la fois');
    expect(error).toContain('«\u00a0settings.mail.offlineWindow\u00a0» : la valeur n’a pas le bon type'.replace(' :', '\u00a0:'));
    const warn = lines.find((l) => l.startsWith('WARN policy: unknown keys')) ?? '';
    expect(warn).toContain('theme');
    expect(warn).toContain('domains.bon.fr.couleur');
    expect(warn).toContain('settings.inconnu.reglage');
  });

  it('rejects a top level that is not an object', () => {
    expect(parsePolicy([1, 2]).problems).toEqual(['le fichier doit contenir un objet JSON entre accolades.']);
  });
});

/**
 * Policies on shared computers (issue 12): the packaged app obeys the file only when ordinary users cannot change it.
 * Real files and modes in a temporary folder; the tests run as root here, so « not root » is made with chown.
 */
describe('policy trust in packaged builds', () => {
  let top: string;
  let file: string;
  const logged: string[] = [];
  const recorder = { info() {}, warn: (m: string) => void logged.push(m), error: (m: string) => void logged.push(m) };
  /** Root-owned files are what some of these tests are about: as another user they fail loudly, never skip (CI is root). */
  const requireRoot = () => {
    if (process.getuid?.() !== 0) throw new Error('this test needs root (it chowns files to root and to uid 65534): run it as root');
  };

  beforeEach(() => {
    logged.length = 0;
    top = fs.mkdtempSync(path.join(os.tmpdir(), 'ostal-policy-trust-'));
    fs.chmodSync(top, 0o755);
    fs.mkdirSync(path.join(top, 'ostal'), { mode: 0o755 });
    fs.chmodSync(path.join(top, 'ostal'), 0o755);
    file = path.join(top, 'ostal', 'policies.json');
    fs.writeFileSync(file, JSON.stringify({ disabledFeatures: ['visio'] }));
    fs.chmodSync(file, 0o644);
  });
  afterEach(() => fs.rmSync(top, { recursive: true, force: true }));

  const load = () => loadPolicy({ path: file, log: recorder, packaged: true, platform: 'linux', trust: { posixTop: top } });

  it('obeys a root-owned 0644 file in 0755 folders', () => {
    requireRoot();
    const policy = load();
    expect(policy.error).toBeNull();
    expect(policy.isFeatureDisabled('visio')).toBe(true);
  });

  it('refuses a file writable by everyone (0666), with a French log line, and runs without it', () => {
    requireRoot();
    fs.chmodSync(file, 0o666);
    const policy = load();
    expect(policy.isFeatureDisabled('visio')).toBe(false);
    expect(policy.error).toMatch(/n’est pas appliqué/);
    expect(logged.join('\n')).toMatch(
      /^Règles refusées\u00a0: le fichier .*policies\.json ou son dossier peut être modifié par un utilisateur ordinaire \(.*mode 0666\)/m,
    );
  });

  it('refuses a group-writable file (0664) and a folder writable by everyone (0777), even sticky (1777)', () => {
    requireRoot();
    fs.chmodSync(file, 0o664);
    expect(load().isFeatureDisabled('visio')).toBe(false);
    fs.chmodSync(file, 0o644);
    fs.chmodSync(path.join(top, 'ostal'), 0o777);
    expect(load().isFeatureDisabled('visio')).toBe(false);
    expect(logged.at(-1)).toMatch(/mode 0777/);
    fs.chmodSync(path.join(top, 'ostal'), 0o1777);
    expect(load().isFeatureDisabled('visio')).toBe(false);
    fs.chmodSync(path.join(top, 'ostal'), 0o755);
    fs.chmodSync(top, 0o775);
    expect(load().isFeatureDisabled('visio')).toBe(false);
  });

  it('refuses a file or a folder owned by an ordinary user (uid 65534)', () => {
    requireRoot();
    fs.chownSync(file, 65534, 65534);
    expect(load().isFeatureDisabled('visio')).toBe(false);
    expect(logged.at(-1)).toMatch(/uid 65534/);
    fs.chownSync(file, 0, 0);
    fs.chownSync(path.join(top, 'ostal'), 65534, 65534);
    expect(load().isFeatureDisabled('visio')).toBe(false);
    fs.chownSync(path.join(top, 'ostal'), 0, 0);
    expect(load().isFeatureDisabled('visio')).toBe(true);
  });

  it('outside packaged builds (browser mode, CLI, development) a user-writable file still applies', () => {
    fs.chmodSync(file, 0o666);
    expect(loadPolicy({ path: file, log: recorder, platform: 'linux' }).isFeatureDisabled('visio')).toBe(true);
  });

  it('OSTAL_POLICIES is honoured only outside packaged builds', () => {
    expect(defaultPolicyPath({ OSTAL_POLICIES: file }, 'linux', false)).toBe(file);
    expect(defaultPolicyPath({ OSTAL_POLICIES: file }, 'linux', true)).toBe('/etc/ostal/policies.json');
    const policy = loadPolicy({ log: recorder, env: { OSTAL_POLICIES: file }, packaged: true, platform: 'linux' });
    expect(policy.source === file).toBe(false);
    expect(logged.join('\n')).toMatch(/OSTAL_POLICIES .* est ignorée dans l’application installée/);
  });

  it('the trust decision over injected Linux facts', () => {
    expect(
      posixTrustProblem([
        { path: '/etc/ostal/policies.json', uid: 0, mode: 0o100644 },
        { path: '/etc/ostal', uid: 0, mode: 0o40755 },
      ]),
    ).toBeNull();
    expect(
      posixTrustProblem([
        { path: '/etc/ostal/policies.json', uid: 0, mode: 0o100644 },
        { path: '/etc/ostal', uid: 1000, mode: 0o40755 },
      ]),
    ).toMatch(/uid 1000/);
    expect(posixTrustProblem([{ path: '/etc/ostal/policies.json', uid: 0, mode: 0o100646 }])).toMatch(/0646/);
  });
});

/**
 * Windows: the installer creates %ProgramData%\Ostal with an administrators-only ACL (build/msi-policy-folder.mjs) and the app
 * checks owner and ACL. Get-Acl cannot run on this Linux machine: the decision is tested with injected facts, and
 * the parser with the JSON shape the PowerShell script prints.
 */
describe('policy trust on Windows (decision with injected facts; ACLs cannot be read here)', () => {
  const SYSTEM = 'S-1-5-18';
  const ADMINS = 'S-1-5-32-544';
  const USERS = 'S-1-5-32-545';
  const AGENT = 'S-1-5-21-1004336348-1177238915-682003330-1001';
  const READ_EXECUTE = 0x1200a9;
  const MODIFY = 0x1301bf;
  const FULL = 0x1f01ff;
  const file = 'C:\\ProgramData\\Ostal\\policies.json';
  const facts = (ownerSid: string, rules: { sid: string; rights: number; allow?: boolean }[]) => ({
    path: file,
    ownerSid,
    rules: rules.map((r) => ({ allow: true, ...r })),
  });
  const adminOnly = facts(ADMINS, [
    { sid: SYSTEM, rights: FULL },
    { sid: ADMINS, rights: FULL },
    { sid: USERS, rights: READ_EXECUTE },
  ]);

  it('trusts a file and folder owned by the administrators, that ordinary users can only read', () => {
    expect(windowsTrustProblem([adminOnly, adminOnly])).toBeNull();
    const reader = { read: (p: string) => ({ ...adminOnly, path: p }) };
    expect(policyTrustProblem(file, { platform: 'win32', acl: reader })).toBeNull();
  });

  it('refuses a folder an agent created first (owner), or one where users may write', () => {
    expect(windowsTrustProblem([adminOnly, facts(AGENT, [{ sid: AGENT, rights: FULL }])])).toMatch(/owned by S-1-5-21-/);
    expect(windowsTrustProblem([adminOnly, facts(ADMINS, [{ sid: USERS, rights: MODIFY }])])).toMatch(/can be changed by S-1-5-32-545/);
    // %ProgramData%'s default: « Users » may create files and folders (AppendData) — not good enough.
    expect(windowsTrustProblem([facts(SYSTEM, [{ sid: USERS, rights: 0x4 | READ_EXECUTE }])])).toMatch(/S-1-5-32-545/);
    // A deny rule never makes it writable.
    expect(windowsTrustProblem([facts(ADMINS, [{ sid: USERS, rights: MODIFY, allow: false }])])).toBeNull();
  });

  it('an ACL that cannot be read is not trusted', () => {
    const reader = {
      read: () => {
        throw new Error('Get-Acl failed');
      },
    };
    expect(policyTrustProblem(file, { platform: 'win32', acl: reader })).toMatch(/cannot check/);
  });

  it('parses the output of the Get-Acl script', () => {
    const json = JSON.stringify({
      owner: ADMINS,
      rules: [
        { sid: SYSTEM, rights: FULL, allow: true },
        { sid: USERS, rights: READ_EXECUTE, allow: true },
      ],
    });
    expect(parseWindowsAcl(file, json)).toEqual({
      path: file,
      ownerSid: ADMINS,
      rules: [
        { sid: SYSTEM, rights: FULL, allow: true },
        { sid: USERS, rights: READ_EXECUTE, allow: true },
      ],
    });
    expect(parseWindowsAcl(file, JSON.stringify({ owner: ADMINS, rules: { sid: SYSTEM, rights: FULL, allow: true } })).rules).toHaveLength(
      1,
    );
    expect(() => parseWindowsAcl(file, '{}')).toThrow();
  });
});

describe('devtools policy key', () => {
  it('reads "devtools": { "allowed": … } and refuses a wrong type', () => {
    expect(loadPolicy({ path: write({ devtools: { allowed: true } }), log }).devtoolsAllowed).toBe(true);
    expect(loadPolicy({ path: write({}), log }).devtoolsAllowed).toBeNull();
    const wrong = loadPolicy({ path: write({ devtools: { allowed: 'oui' } }), log });
    expect(wrong.devtoolsAllowed).toBeNull();
    expect(wrong.error).toMatch(/devtools\.allowed/);
  });

  it('the template in build/policies keeps developer tools closed', () => {
    const template = path.resolve(import.meta.dirname, '../../build/policies/policies.json');
    expect(loadPolicy({ path: template, log }).devtoolsAllowed).toBe(false);
  });
});
