/**
 * Windows desktop integration decided in plain Node (issue 18); main/electron.ts applies it with Electron's `shell`.
 *
 * « Envoyer vers › Ostal (courriel) » in the Explorer: a shortcut in the user's SendTo folder
 * (`%APPDATA%\Microsoft\Windows\SendTo`) starting `Ostal.exe --send-to`; the Explorer appends the chosen files, and
 * src/host/launch-request.ts makes them the attachments of a new message (a second launch hands them to the running
 * Ostal). Written by the installed app at each start (per user: a per-machine MSI run by SYSTEM has no user's folder),
 * so it comes back after a profile reset and follows a new install folder.
 */
import path from 'node:path';

/** Electron's `shell.writeShortcutLink` options (Windows), without importing Electron here. */
export interface ShortcutSpec {
  path: string;
  operation: 'replace' | 'create';
  options: { target: string; args: string; description: string; icon: string; iconIndex: number };
}

export const SEND_TO_NAME = 'Ostal (courriel).lnk';

/**
 * The « Envoyer vers » shortcut for this user, or null when it does not apply (not Windows, not the installed app:
 * a development checkout must not leave a shortcut to electron.exe).
 */
export function sendToShortcut(options: {
  platform: NodeJS.Platform;
  packaged: boolean;
  appData: string | undefined;
  execPath: string;
  description: string;
}): ShortcutSpec | null {
  if (options.platform !== 'win32' || !options.packaged || !options.appData) return null;
  return {
    path: path.win32.join(options.appData, 'Microsoft', 'Windows', 'SendTo', SEND_TO_NAME),
    operation: 'replace',
    options: { target: options.execPath, args: '--send-to', description: options.description, icon: options.execPath, iconIndex: 0 },
  };
}
