/**
 * « Ouvrir » with the system application, for a core that runs in Electron's utility process: the core asks the
 * main process (which has `shell.openPath`) over a dedicated port. Only the core asks, never the page: the page
 * can only call files.open, which keeps every path inside the account's folder.
 */
import type { DesktopShell } from '../context.js';
import { createPortCaller, servePort, type PortEndpoint } from './sealed-secrets.js';

/** Core side. The system may take a while to start an application: the answer is awaited up to 30 s. */
export function createDesktopShellClient(port: PortEndpoint, options: { timeoutMs?: number } = {}): DesktopShell {
  const call = createPortCaller(port, 'desktop', options.timeoutMs ?? 30_000);
  return { openPath: (absolutePath) => call('openPath', absolutePath) };
}

/** Main side: `openPath` is Electron's shell.openPath ('' on success, else the system's error text). Relative paths are refused. */
export function serveDesktopShell(port: PortEndpoint, shell: { openPath(absolutePath: string): Promise<string> }, isAbsolute: (p: string) => boolean): void {
  servePort(port, {
    openPath: (p) => (isAbsolute(p) && !p.includes('\0') ? shell.openPath(p) : Promise.resolve('refused: not an absolute path')),
  });
}
