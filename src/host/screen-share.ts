/**
 * « Partager l’écran » in the desktop app. Electron has no source picker of its own on Windows and Linux: the main
 * process lists the screens and windows (desktopCapturer), this module turns them into French choices, the page
 * shows them (ScreenSourcePicker) and answers with one id, which is checked against what was offered.
 */
import type { ScreenSourceChoice } from '../shared/contract.js';
import { t } from '../i18n/index.js';

export type { ScreenSourceChoice };

/** What main gets from desktopCapturer.getSources, reduced to plain data. */
export interface CapturerSourceInfo {
  /** 'screen:ZZ:0' or 'window:XX:YY'. */
  id: string;
  name: string;
  /** PNG data URL of the thumbnail ('' when none). */
  thumbnail: string;
}

/**
 * Screens first (« Écran entier » when there is one, else « Écran 1 », « Écran 2 »… in the system's order), then
 * windows by title (French order); Ostal's own window is left out (sharing it would show the meeting to itself).
 */
export function screenSourceChoices(sources: readonly CapturerSourceInfo[], ownWindowSourceId: string | null): ScreenSourceChoice[] {
  const screens = sources.filter((s) => s.id.startsWith('screen:'));
  const windows = sources.filter((s) => s.id.startsWith('window:') && s.id !== ownWindowSourceId);
  const collator = new Intl.Collator('fr', { sensitivity: 'base', numeric: true });
  return [
    ...screens.map((s, i) => ({
      id: s.id,
      kind: 'screen' as const,
      label: screens.length === 1 ? t('host.screenShare.wholeScreen') : t('host.screenShare.screenN', { n: i + 1 }),
      thumbnail: safeThumbnail(s.thumbnail),
    })),
    ...windows
      .map((s) => ({
        id: s.id,
        kind: 'window' as const,
        label: s.name.trim() || t('host.screenShare.untitledWindow'),
        thumbnail: safeThumbnail(s.thumbnail),
      }))
      .sort((a, b) => collator.compare(a.label, b.label)),
  ];
}

/** Only PNG or JPEG data URLs reach the page as images. */
function safeThumbnail(url: string): string {
  return /^data:image\/(png|jpeg);base64,[A-Za-z0-9+/=]*$/.test(url) ? url : '';
}

/** The page's answer, if it is one of the offered ids; anything else (null, cancel, a forged id) shares nothing. */
export function chosenSourceId(offered: readonly ScreenSourceChoice[], answer: unknown): string | null {
  return typeof answer === 'string' && offered.some((c) => c.id === answer) ? answer : null;
}
