/** Background and notification area (issue 18): the tray menu template, unread count, close and login choices. */
import { describe, expect, it } from 'vitest';
import { badgeText, loginItemSettings, onWindowClose, startsHidden, trayMenuTemplate, trayTooltip } from '../../src/host/tray.js';
import { spellCheckerSession, spellContextMenuTemplate } from '../../src/host/spell-menu.js';
import { isMessageWindowUrl } from '../../src/host/message-window.js';

describe('tray', () => {
  it('menu « Nouveau message », « Ouvrir Ostal », « Quitter », with the unread count first when there is some', () => {
    expect(trayMenuTemplate({ unread: 0 })).toEqual([
      { type: 'normal', id: 'compose', label: 'Nouveau message', enabled: true },
      { type: 'normal', id: 'open', label: 'Ouvrir Ostal', enabled: true },
      { type: 'separator' },
      { type: 'normal', id: 'quit', label: 'Quitter', enabled: true },
    ]);
    const withUnread = trayMenuTemplate({ unread: 1 });
    expect(withUnread[0]).toEqual({ type: 'normal', id: 'open', label: '1 message non lu', enabled: false });
    expect(withUnread).toHaveLength(6);
    expect(trayMenuTemplate({ unread: 1200 })[0]).toMatchObject({ label: '1\u202f200 messages non lus' });
  });

  it('tooltip and badge', () => {
    expect(trayTooltip(0)).toBe('Ostal');
    expect(trayTooltip(3)).toBe('Ostal – 3 messages non lus');
    expect(badgeText(0)).toBe('');
    expect(badgeText(7)).toBe('7');
    expect(badgeText(250)).toBe('99+');
  });

  it('closing hides when the setting says so, unless Ostal is quitting; login starts hidden', () => {
    expect(onWindowClose('yes', false)).toBe('hide');
    expect(onWindowClose('yes', true)).toBe('quit');
    expect(onWindowClose('no', false)).toBe('quit');
    expect(loginItemSettings('yes')).toEqual({ openAtLogin: true, openAsHidden: true, args: ['--hidden'] });
    expect(loginItemSettings('no').openAtLogin).toBe(false);
    expect(startsHidden(['--hidden'])).toBe(true);
    expect(startsHidden(['mailto:a@b.fr'])).toBe(false);
  });
});

describe('spell-check context menu', () => {
  const flags = { canCut: true, canCopy: true, canPaste: true, canSelectAll: true };
  it('French suggestions (5 at most), « Ajouter au dictionnaire », then the edit actions', () => {
    const items = spellContextMenuTemplate({
      misspelledWord: 'délibérationn',
      dictionarySuggestions: ['délibération', 'délibérations', 'délibération', 'libération', 'élaboration', 'délibérative', 'dérivation'],
      isEditable: true,
      editFlags: { ...flags, canCut: false },
    });
    expect(items.filter((i) => i.type === 'suggestion').map((i) => (i as { word: string }).word)).toEqual([
      'délibération',
      'délibérations',
      'libération',
      'élaboration',
      'délibérative',
    ]);
    expect(items).toContainEqual({
      type: 'action',
      id: 'addToDictionary',
      label: 'Ajouter «\u00a0délibérationn\u00a0» au dictionnaire',
      word: 'délibérationn',
    });
    expect(items).toContainEqual({ type: 'role', role: 'cut', label: 'Couper', enabled: false });
    expect(items.at(-1)).toEqual({ type: 'role', role: 'selectAll', label: 'Tout sélectionner', enabled: true });
  });

  it('« Aucune suggestion » when the dictionary has none; only Copier outside a field', () => {
    const none = spellContextMenuTemplate({ misspelledWord: 'xqzt', dictionarySuggestions: [], isEditable: true, editFlags: flags });
    expect(none[0]).toEqual({ type: 'info', label: 'Aucune suggestion' });
    expect(spellContextMenuTemplate({ misspelledWord: '', dictionarySuggestions: [], isEditable: false, editFlags: flags })).toEqual([
      { type: 'role', role: 'copy', label: 'Copier', enabled: true },
    ]);
    expect(
      spellContextMenuTemplate({
        misspelledWord: '',
        dictionarySuggestions: [],
        isEditable: false,
        editFlags: { ...flags, canCopy: false },
      }),
    ).toEqual([]);
  });

  it('dictionaries come from the app folder, never from a download (see poste-dictionnaire.test.ts)', () => {
    const s = spellCheckerSession('/opt/Ostal/resources');
    expect(s).toEqual({ languages: ['fr'], dictionaryUrl: 'file:///opt/Ostal/resources/dictionaries/' });
  });
});

describe('message in its own window', () => {
  it('only the app page with ?message= opens a window', () => {
    expect(isMessageWindowUrl('ostal-app://renderer/index.html?message=a1%7C42%7CINBOX')).toBe(true);
    expect(isMessageWindowUrl('ostal-app://renderer/index.html?message=a1%7C42%7CProjets%2F2027')).toBe(true);
    expect(isMessageWindowUrl('ostal-app://renderer/index.html?message=a1%7C42%7CINBOX&mailto=x')).toBe(false);
    expect(isMessageWindowUrl('ostal-app://renderer/index.html?message=a1%7Cx%7CINBOX')).toBe(false);
    expect(isMessageWindowUrl('ostal-app://autre/index.html?message=a1%7C42%7CINBOX')).toBe(false);
    expect(isMessageWindowUrl('https://renderer/index.html?message=a1%7C42%7CINBOX')).toBe(false);
    expect(isMessageWindowUrl('ostal-app://renderer/salle.html?message=a1%7C42%7CINBOX')).toBe(false);
    expect(isMessageWindowUrl('pas une adresse')).toBe(false);
  });
});
