/**
 * The desktop channel of browser mode. In Electron the core asks the main process to open a file (desktop-shell.ts);
 * a browser cannot start a desktop application, so browser mode has no desktop — unless the page itself plays it,
 * as the end-to-end tests do (like Electron's screen-share picker behind `window.ostalDesktop`): a page whose
 * `window.ostalDesktop` has `openPath` and `showItemInFolder` says so on its API WebSocket, and the core's requests go
 * to it over the same small request/answer protocol as Electron's port, wrapped as `{"desktop": …}` messages.
 *
 * The direction is the same as in Electron: the core decides (files.open, src/files/open-safety.ts) and asks; the page
 * only answers. The host applies the main process's checks (desktopShellHandlers) before anything reaches the page,
 * so only a path the core cleared is ever handed to the page's openPath.
 */
import path from 'node:path';
import type { DesktopShell } from '../context.js';
import { desktopShellHandlers } from './desktop-shell.js';
import { createPortCaller, type PortEndpoint } from './sealed-secrets.js';

/** First message of a page that plays the desktop. */
export const DESKTOP_HELLO = JSON.stringify({ desktop: 'hello' });

/** One connected page able to play the desktop: how to send it a message. */
export interface DesktopPage {
  send(message: string): void;
}

export interface PageDesktopShell extends DesktopShell {
  /**
   * Look at one raw message from a page: true when it belonged to the desktop channel (hello or answer) and must not
   * reach the API dispatcher.
   */
  receive(page: DesktopPage, raw: string): boolean;
  /** The page went away. */
  detach(page: DesktopPage): void;
}

/** A desktop shell played by the most recent page that said hello; `available()` is false while there is none. */
export function createPageDesktopShell(options: { timeoutMs?: number } = {}): PageDesktopShell {
  const pages = new Map<DesktopPage, { deliver(message: unknown): void; call(op: string, value: string): Promise<string> }>();
  let current: DesktopPage | null = null;
  const callCurrent = (op: string, value: string): Promise<string> => {
    const entry = current ? pages.get(current) : undefined;
    return entry ? entry.call(op, value) : Promise.resolve('no desktop');
  };
  // Absolute paths of this machine only, as in Electron's main process.
  const checked = desktopShellHandlers(
    { openPath: (p) => callCurrent('openPath', p), showItemInFolder: (p) => callCurrent('showItemInFolder', p) },
    path.isAbsolute,
  );
  return {
    available: () => current !== null,
    openPath: checked.openPath,
    showItemInFolder: checked.showItemInFolder,
    receive(page, raw) {
      if (!raw.startsWith('{"desktop"')) return false;
      let message: unknown;
      try {
        message = (JSON.parse(raw) as { desktop?: unknown }).desktop;
      } catch {
        return false;
      }
      if (message === 'hello') {
        if (!pages.has(page)) {
          const listeners: ((m: unknown) => void)[] = [];
          const endpoint: PortEndpoint = {
            postMessage: (m) => page.send(JSON.stringify({ desktop: m })),
            onMessage: (fn) => listeners.push(fn),
          };
          pages.set(page, {
            deliver: (m) => listeners.forEach((fn) => fn(m)),
            call: createPortCaller(endpoint, 'desktop', options.timeoutMs ?? 30_000),
          });
        }
        current = page;
        return true;
      }
      pages.get(page)?.deliver(message);
      return true;
    },
    detach(page) {
      pages.delete(page);
      if (current === page) current = [...pages.keys()].at(-1) ?? null;
    },
  };
}
