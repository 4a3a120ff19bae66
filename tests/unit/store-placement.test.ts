/** Where the profile and the Fichiers root go, on fake Windows and Linux computers. */
import { describe, expect, it } from 'vitest';
import {
  defaultFilesRoot,
  documentsPlacement,
  isFilesRootValue,
  profilePlacement,
  resolveFilesRoot,
  type PlacementFacts,
} from '../../src/store/placement.js';

const windows = (over: Partial<PlacementFacts> = {}, env: NodeJS.ProcessEnv = {}): PlacementFacts => ({
  platform: 'win32',
  env: {
    USERPROFILE: 'C:\\Users\\camille',
    USERNAME: 'camille',
    APPDATA: 'C:\\Users\\camille\\AppData\\Roaming',
    LOCALAPPDATA: 'C:\\Users\\camille\\AppData\\Local',
    ...env,
  },
  homedir: 'C:\\Users\\camille',
  exists: () => false,
  documentsFolder: () => null,
  ...over,
});

const linux = (env: NodeJS.ProcessEnv = {}): PlacementFacts => ({
  platform: 'linux',
  env: { HOME: '/home/camille', ...env },
  homedir: '/home/camille',
  exists: () => false,
  documentsFolder: () => null,
});

describe('profile', () => {
  it('goes to %LOCALAPPDATA% on Windows, never the roaming profile', () => {
    expect(profilePlacement(windows())).toBe('C:\\Users\\camille\\AppData\\Local\\Ostal');
    expect(profilePlacement(windows({}, { LOCALAPPDATA: '' }))).toBe('C:\\Users\\camille\\AppData\\Local\\Ostal');
  });

  it('keeps a profile an earlier version left in %APPDATA%, unless a local one exists', () => {
    const roaming = 'C:\\Users\\camille\\AppData\\Roaming\\Ostal';
    expect(profilePlacement(windows({ exists: (d) => d === roaming }))).toBe(roaming);
    expect(profilePlacement(windows({ exists: () => true }))).toBe('C:\\Users\\camille\\AppData\\Local\\Ostal');
  });

  it('follows XDG on Linux and OSTAL_PROFILE everywhere', () => {
    expect(profilePlacement(linux())).toBe('/home/camille/.config/ostal');
    expect(profilePlacement(linux({ XDG_CONFIG_HOME: '/home/camille/.cfg' }))).toBe('/home/camille/.cfg/ostal');
    expect(profilePlacement(linux({ OSTAL_PROFILE: '/srv/profil' }))).toBe('/srv/profil');
    expect(profilePlacement(windows({}, { OSTAL_PROFILE: 'D:\\Profils\\camille' }))).toBe('D:\\Profils\\camille');
  });
});

describe('Fichiers root', () => {
  it('is « Documents »\\Ostal, following a folder redirection to a network share', () => {
    expect(defaultFilesRoot(windows())).toBe('C:\\Users\\camille\\Documents\\Ostal');
    const redirected = windows({ documentsFolder: () => '\\\\serveur\\profils\\%USERNAME%\\Documents' });
    expect(documentsPlacement(redirected)).toBe('\\\\serveur\\profils\\camille\\Documents');
    expect(defaultFilesRoot(redirected)).toBe('\\\\serveur\\profils\\camille\\Documents\\Ostal');
    expect(defaultFilesRoot(linux())).toBe('/home/camille/Documents/Ostal');
  });

  it('resolves %DOCUMENTS% and %VARIABLES% of a policy value', () => {
    const redirected = windows({ documentsFolder: () => 'H:\\Mes documents' });
    expect(resolveFilesRoot('%DOCUMENTS%\\Ostal', redirected)).toBe('H:\\Mes documents\\Ostal');
    expect(resolveFilesRoot('%documents%\\Ostal', redirected)).toBe('H:\\Mes documents\\Ostal');
    expect(resolveFilesRoot('%USERPROFILE%\\Fichiers de la mairie', windows())).toBe('C:\\Users\\camille\\Fichiers de la mairie');
    expect(resolveFilesRoot('D:\\Partage\\Ostal', windows())).toBe('D:\\Partage\\Ostal');
    expect(resolveFilesRoot('%DOCUMENTS%/Ostal', linux())).toBe('/home/camille/Documents/Ostal');
    // An unknown variable leaves no usable path: the default root, not a folder relative to wherever Ostal started.
    expect(resolveFilesRoot('%INCONNUE%\\Ostal', windows())).toBe('C:\\Users\\camille\\Documents\\Ostal');
  });

  it('accepts absolute paths of the platform and %…% values only', () => {
    expect(isFilesRootValue('C:\\Ostal', 'win32')).toBe(true);
    expect(isFilesRootValue('\\\\serveur\\partage\\Ostal', 'win32')).toBe(true);
    expect(isFilesRootValue('%DOCUMENTS%\\Ostal', 'win32')).toBe(true);
    expect(isFilesRootValue('Ostal', 'win32')).toBe(false);
    expect(isFilesRootValue('/home/camille/Ostal', 'linux')).toBe(true);
    expect(isFilesRootValue('C:\\Ostal', 'linux')).toBe(false);
    expect(isFilesRootValue('', 'linux')).toBe(false);
    expect(isFilesRootValue(3, 'linux')).toBe(false);
  });
});
