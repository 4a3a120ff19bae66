/**
 * Background and notification area (issue 18), decided in plain Node; main/electron.ts builds Electron's Tray and
 * Menu from these and applies the choices:
 *  - the tray menu « Nouveau message », « Ouvrir Ostal », « Quitter », and the unread count (tooltip, Windows
 *    taskbar overlay text, Linux launcher badge);
 *  - what closing the window does (setting and policy key `desktop.closeToTray`: 'yes' keeps Ostal running in the
 *    notification area, 'no' quits as before);
 *  - start at login (setting and policy key `desktop.startAtLogin`), window hidden: `--hidden`.
 * French labels come from src/i18n/fr.json.
 */
import { t } from '../i18n/index.js';

export type TrayAction = 'compose' | 'open' | 'quit';

export type TrayMenuItem = { type: 'normal'; id: TrayAction; label: string; enabled: boolean } | { type: 'separator' };

/** The tray menu; `unread` adds a first, disabled line « 3 messages non lus ». */
export function trayMenuTemplate(state: { unread: number }): TrayMenuItem[] {
  const items: TrayMenuItem[] = [];
  if (state.unread > 0) {
    items.push({
      type: 'normal',
      id: 'open',
      label:
        state.unread === 1 ? t('desktop.tray.unreadOne') : t('desktop.tray.unreadMany', { count: state.unread.toLocaleString('fr-FR') }),
      enabled: false,
    });
    items.push({ type: 'separator' });
  }
  items.push(
    { type: 'normal', id: 'compose', label: t('desktop.tray.newMessage'), enabled: true },
    { type: 'normal', id: 'open', label: t('desktop.tray.open'), enabled: true },
    { type: 'separator' },
    { type: 'normal', id: 'quit', label: t('desktop.tray.quit'), enabled: true },
  );
  return items;
}

/** Tooltip of the icon: « Ostal » or « Ostal – 3 messages non lus ». */
export function trayTooltip(unread: number): string {
  return unread > 0
    ? unread === 1
      ? t('desktop.tray.tooltipUnreadOne')
      : t('desktop.tray.tooltipUnreadMany', { count: unread.toLocaleString('fr-FR') })
    : t('desktop.tray.tooltip');
}

/** The launcher badge / taskbar overlay text: '' when nothing is unread, « 99+ » beyond 99. */
export function badgeText(unread: number): string {
  if (unread <= 0) return '';
  return unread > 99 ? '99+' : String(unread);
}

/** What closing the main window does. A quit asked by the menu, the system or an update always quits. */
export function onWindowClose(setting: 'yes' | 'no', quitting: boolean): 'hide' | 'quit' {
  return setting === 'yes' && !quitting ? 'hide' : 'quit';
}

/** Electron's `app.setLoginItemSettings` for the setting (the window starts hidden, Ostal waits in the tray). */
export function loginItemSettings(setting: 'yes' | 'no'): { openAtLogin: boolean; openAsHidden: boolean; args: string[] } {
  return { openAtLogin: setting === 'yes', openAsHidden: true, args: setting === 'yes' ? ['--hidden'] : [] };
}

/** Whether this launch starts hidden (at login). */
export function startsHidden(argv: readonly string[]): boolean {
  return argv.includes('--hidden');
}
