import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DANGEROUS_EXTENSIONS, displayFileName, effectiveExtension, hasBidiControls, openDecision } from '../../src/files/open-safety.js';
import { markFromServer, zoneHostUrl, zoneIdentifierContent, zoneIdentifierPath } from '../../src/files/mark-of-the-web.js';
import { openLocalItem } from '../../src/files/opener.js';
import type { DesktopShell } from '../../src/context.js';

/** « Ouvrir » on a synced file: what is opened, what is only shown in its folder (issue 12, point 3). */
describe('openDecision', () => {
  it.each([
    ['a.pdf.lnk', 'shortcut'],
    ['CR.pdf.lnk', 'shortcut'],
    ['x.js', 'executable'],
    ['X.JS', 'executable'],
    ['x.Js', 'executable'],
    ['facture\u202Efdp.js', 'bidi'],
    ['facture\u202Efdp.pdf', 'bidi'],
    ['rapport\u2066.docx', 'bidi'],
    ['setup.exe', 'executable'],
    ['SETUP.EXE', 'executable'],
    ['script.sh', 'executable'],
    ['x.js.', 'executable'],
    ['x.exe ', 'executable'],
    ['x.exe . .', 'executable'],
    ['x.ex\u200Be', 'executable'],
    ['x\uFF0Ejs', 'executable'],
    ['outil.ps1', 'executable'],
    ['installer.msi', 'executable'],
    ['lanceur.desktop', 'shortcut'],
    ['site.url', 'shortcut'],
    ['Ostal.AppImage', 'executable'],
    ['outil.jar', 'executable'],
    ['calcul.py', 'executable'],
    ['image.iso', 'executable'],
    ['macro.hta', 'executable'],
    ['a.txt::$DATA.vbs', 'executable'],
  ])('%j is only shown in its folder (%s)', (name, reason) => {
    expect(openDecision(name)).toEqual({ action: 'showInFolder', reason });
  });

  it.each([
    'CR.pdf',
    'Rapport.docx',
    'Budget 2027.xlsx',
    'photo.JPG',
    'notes.txt',
    'Compte rendu du conseil.odt',
    'plan.dwg',
    'archive.zip',
    'sans-extension',
    'page.html',
  ])('%j opens', (name) => {
    expect(openDecision(name)).toEqual({ action: 'open' });
  });

  it('a file marked executable on Linux is only shown, even without an extension', () => {
    expect(openDecision('lanceur', { executableBit: true })).toEqual({ action: 'showInFolder', reason: 'noExtensionExecutable' });
    expect(openDecision('CR.pdf', { executableBit: false })).toEqual({ action: 'open' });
  });

  it('covers the Windows and Linux executable families', () => {
    for (const ext of [
      'exe',
      'com',
      'bat',
      'cmd',
      'ps1',
      'vbs',
      'js',
      'jse',
      'wsf',
      'hta',
      'msi',
      'scr',
      'lnk',
      'url',
      'desktop',
      'sh',
      'run',
      'appimage',
      'jar',
      'py',
      'pl',
      'cpl',
      'reg',
      'pif',
      'msix',
      'appx',
      'vhd',
      'chm',
      'xll',
      'deb',
      'rpm',
    ])
      expect(DANGEROUS_EXTENSIONS.has(ext), ext).toBe(true);
    for (const ext of ['pdf', 'docx', 'odt', 'xlsx', 'ods', 'pptx', 'txt', 'png', 'jpg', 'zip', 'csv', 'eml'])
      expect(DANGEROUS_EXTENSIONS.has(ext), ext).toBe(false);
  });

  it('reads the extension as Windows does', () => {
    expect(effectiveExtension('x.js.')).toBe('js');
    expect(effectiveExtension('x.exe ')).toBe('exe');
    expect(effectiveExtension('X.JS')).toBe('js');
    expect(effectiveExtension('facture\u202Efdp.js')).toBe('js');
    expect(effectiveExtension('sans-extension')).toBe('');
    expect(effectiveExtension('.bashrc')).toBe('bashrc');
  });
});

describe('displayFileName', () => {
  it('neutralises every bidirectional control so the real order shows', () => {
    for (const c of [
      '\u202A',
      '\u202B',
      '\u202C',
      '\u202D',
      '\u202E',
      '\u2066',
      '\u2067',
      '\u2068',
      '\u2069',
      '\u200E',
      '\u200F',
      '\u061C',
    ]) {
      const name = `facture${c}fdp.js`;
      expect(hasBidiControls(name)).toBe(true);
      expect(displayFileName(name)).toBe('facture\uFFFDfdp.js');
      expect(hasBidiControls(displayFileName(name))).toBe(false);
    }
    expect(displayFileName('Compte rendu — été.odt')).toBe('Compte rendu — été.odt');
  });
});

describe('Mark-of-the-Web', () => {
  it('is the Internet zone with the server address, without credentials', () => {
    expect(zoneIdentifierContent('https://agent:secret@fichiers.mairie.fr/dav/agent/?x=1#y')).toBe(
      '[ZoneTransfer]\r\nZoneId=3\r\nHostUrl=https://fichiers.mairie.fr/dav/agent/\r\n',
    );
    expect(zoneIdentifierContent('file:///etc/passwd')).toBe('[ZoneTransfer]\r\nZoneId=3\r\n');
    expect(zoneHostUrl('pas une adresse')).toBe('');
    expect(zoneIdentifierPath('C:\\Users\\agent\\Ostal\\Rapport.docx')).toBe('C:\\Users\\agent\\Ostal\\Rapport.docx:Zone.Identifier');
  });

  it('is written only on Windows — the NTFS stream itself cannot be written on this Linux machine, so only the decision is checked', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ostal-motw-'));
    try {
      const file = path.join(dir, 'Rapport.docx');
      fs.writeFileSync(file, 'x');
      expect(await markFromServer(file, 'https://fichiers.mairie.fr/dav/', 'linux')).toBe(false);
      expect(fs.readdirSync(dir)).toEqual(['Rapport.docx']); // no stray « Rapport.docx:Zone.Identifier » file
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('openLocalItem', () => {
  const log = { info() {}, warn() {}, error() {} };
  function shell() {
    const calls: [string, string][] = [];
    const desktop: DesktopShell = {
      openPath: async (p) => (calls.push(['openPath', p]), ''),
      showItemInFolder: async (p) => (calls.push(['showItemInFolder', p]), ''),
    };
    return { desktop, calls };
  }

  it('opens a document, shows a program in its folder with the French warning', async () => {
    const { desktop, calls } = shell();
    const ok = await openLocalItem({ desktop, log }, '/srv/Ostal/CR.pdf', 'file', 'linux');
    expect(ok).toEqual({ localPath: '/srv/Ostal/CR.pdf', launched: true, warning: null });
    const bad = await openLocalItem({ desktop, log }, '/srv/Ostal/facture\u202Efdp.js', 'file', 'linux');
    expect(bad.launched).toBe(true);
    expect(bad.warning).toContain('«\u00A0facture\uFFFDfdp.js\u00A0»');
    expect(bad.warning).toMatch(/caractères invisibles/);
    const exe = await openLocalItem({ desktop, log }, '/srv/Ostal/setup.exe', 'file', 'linux');
    expect(exe.warning).toMatch(/peut lancer un programme/);
    expect(calls).toEqual([
      ['openPath', '/srv/Ostal/CR.pdf'],
      ['showItemInFolder', '/srv/Ostal/facture\u202Efdp.js'],
      ['showItemInFolder', '/srv/Ostal/setup.exe'],
    ]);
  });

  it('without a desktop (browser mode, CLI) nothing is launched but the warning is still given', async () => {
    const r = await openLocalItem({ desktop: null, log }, '/srv/Ostal/a.pdf.lnk', 'file', 'linux');
    expect(r).toMatchObject({ launched: false, warning: expect.stringMatching(/raccourci/) });
  });
});
