/**
 * « Ouvrir » with the system application, for a core that runs in Electron's utility process: the core asks the
 * main process (which has `shell.openPath` and `shell.showItemInFolder`) over a dedicated port. Only the core asks,
 * never the page: the page can only call files.open, which keeps every path inside the account's folder and decides
 * (src/files/open-safety.ts) whether a file may be opened or only shown in its folder. The main side applies the
 * same decision again on the name, so a path the core did not clear is never opened.
 */
import fs from 'node:fs';
import type { DesktopShell } from '../context.js';
import { lastSegment, openDecision } from '../files/open-safety.js';
import { createPortCaller, servePort, type PortEndpoint } from './sealed-secrets.js';

/** Core side. The system may take a while to start an application: the answer is awaited up to 30 s. */
export function createDesktopShellClient(port: PortEndpoint, options: { timeoutMs?: number } = {}): DesktopShell {
  const call = createPortCaller(port, 'desktop', options.timeoutMs ?? 30_000);
  return {
    openPath: (absolutePath) => call('openPath', absolutePath),
    showItemInFolder: (absolutePath) => call('showItemInFolder', absolutePath),
  };
}

/** What the main process (Electron's `shell`) or a page playing it offers. `showItemInFolder` returns nothing. */
export interface SystemShell {
  openPath(absolutePath: string): Promise<string>;
  showItemInFolder?(absolutePath: string): void | Promise<string>;
}

/**
 * Whether a path is a folder on this machine (folders always open: « agent@mairie.com » is the account's folder, not a
 * DOS program). False when it does not exist.
 */
export function isFolder(absolutePath: string): boolean {
  try {
    return fs.statSync(absolutePath).isDirectory();
  } catch {
    return false;
  }
}

/**
 * The answers of the desktop side, shared by Electron's main process and the browser-mode page channel: relative
 * paths and NUL bytes are refused; a name that must not be opened (executable, shortcut, bidirectional controls) is
 * refused by openPath even if asked — the core shows such files in their folder instead.
 */
export function desktopShellHandlers(
  shell: SystemShell,
  isAbsolute: (p: string) => boolean,
  isDirectory: (p: string) => boolean = isFolder,
): Record<'openPath' | 'showItemInFolder', (p: string) => Promise<string>> {
  const checked = (p: string): string | null => (isAbsolute(p) && !p.includes('\0') ? p : null);
  return {
    openPath: (p) => {
      if (checked(p) === null) return Promise.resolve('refused: not an absolute path');
      if (!isDirectory(p) && openDecision(lastSegment(p)).action !== 'open')
        return Promise.resolve('refused: this type is only shown in its folder');
      return shell.openPath(p);
    },
    showItemInFolder: async (p) => {
      if (checked(p) === null) return 'refused: not an absolute path';
      if (!shell.showItemInFolder) return 'unavailable';
      const answer = await shell.showItemInFolder(p);
      return typeof answer === 'string' ? answer : '';
    },
  };
}

/** Main side: `openPath` is Electron's shell.openPath ('' on success, else the system's error text). */
export function serveDesktopShell(
  port: PortEndpoint,
  shell: SystemShell,
  isAbsolute: (p: string) => boolean,
  isDirectory: (p: string) => boolean = isFolder,
): void {
  servePort(port, desktopShellHandlers(shell, isAbsolute, isDirectory));
}
