import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Logger } from '../../src/log.js';
import { defaultPolicyPath, loadPolicy, parsePolicy } from '../../src/policy/index.js';

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
    expect(policy.view()).toEqual({ source: null, disabledFeatures: [], lockedSettings: [], hiddenSettings: [], presetDomains: [], allowOtherDomains: true, error: null });
  });

  it('applies presets, locks, features and settings from the template in build/policies', () => {
    const template = path.resolve(import.meta.dirname, '../../build/policies/policies.json');
    const policy = loadPolicy({ path: template, log });
    expect(policy.error).toBeNull();
    expect(lines.filter((l) => l.startsWith('WARN') || l.startsWith('ERROR'))).toEqual([]);
    expect(policy.view().presetDomains.length).toBeGreaterThan(0);
  });

  it('reads an old mail.prefetchDays value as the closest « Messages disponibles hors ligne »', () => {
    const window = (days: number) => parsePolicy({ settings: { 'mail.prefetchDays': { value: days, locked: true } } }).policy.settings.get('mail.offlineWindow');
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
    expect(policy.presetFor('ville-exemple.fr')?.locked).toEqual(['imap', 'smtp', 'caldav', 'carddav', 'webdav', 'username']);
    expect(policy.serversFor('camille.martin@ville-exemple.fr')).toEqual({
      settings: {
        imap: 'imaps://imap.ville-exemple.fr:993',
        smtp: 'smtp://smtp.ville-exemple.fr:587',
        caldav: 'https://dav.ville-exemple.fr/',
        webdav: 'https://fichiers.ville-exemple.fr/dav/camille.martin/',
        username: 'camille.martin',
      },
      locked: ['imap', 'smtp', 'caldav', 'carddav', 'webdav', 'username'],
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
      settings: { 'mail.offlineWindow': { value: 'trente', locked: true }, 'visio.serverUrl': { value: 'https://v.fr', locked: 'oui' }, 'inconnu.reglage': { value: 1 } },
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
