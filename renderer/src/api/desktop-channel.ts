/**
 * Browser mode only: a page whose `window.ostalDesktop` can open files (`openPath`, `showItemInFolder`) plays the
 * desktop for the core, as Electron's main process does (src/host/page-desktop-shell.ts). A browser has no such
 * thing; the end-to-end tests provide it from an init script, as they play Electron's screen-share picker. The core
 * decides what to open (src/files/open-safety.ts) and asks; this page only answers. In Electron the main process
 * answers itself and this channel is not used.
 */
import type { Transport, TransportFactory } from './client';

/** What a page that plays the desktop offers (each answers '' on success, else an error text). */
export interface PageDesktop {
  openPath(absolutePath: string): string | Promise<string>;
  showItemInFolder(absolutePath: string): string | void | Promise<string | void>;
}

const PREFIX = '{"desktop"';

/** The page's desktop, when it plays one. */
export function pageDesktopOf(win: Window): PageDesktop | null {
  const d = (win as { ostalDesktop?: Partial<PageDesktop> }).ostalDesktop;
  return d && typeof d.openPath === 'function' && typeof d.showItemInFolder === 'function' ? (d as PageDesktop) : null;
}

/** Wrap a transport: say hello, answer the core's desktop requests, pass everything else on. */
export function withDesktopChannel(connect: TransportFactory, desktop: PageDesktop): TransportFactory {
  return async () => {
    const transport = await connect();
    const callbacks: ((message: string) => void)[] = [];
    const answer = (id: number, reply: { value: string } | { error: string }) =>
      transport.send(JSON.stringify({ desktop: { id, ...reply } }));
    transport.onMessage((raw) => {
      if (!raw.startsWith(PREFIX)) {
        for (const callback of callbacks) callback(raw);
        return;
      }
      let request: { id?: unknown; op?: unknown; value?: unknown } | undefined;
      try {
        request = (JSON.parse(raw) as { desktop?: typeof request }).desktop;
      } catch {
        return;
      }
      if (!request || typeof request.id !== 'number' || typeof request.value !== 'string') return;
      const id = request.id;
      const value = request.value;
      const run =
        request.op === 'openPath'
          ? () => desktop.openPath(value)
          : request.op === 'showItemInFolder'
            ? () => desktop.showItemInFolder(value)
            : null;
      if (!run) return answer(id, { error: 'unknown operation' });
      Promise.resolve()
        .then(run)
        .then(
          (result) => answer(id, { value: typeof result === 'string' ? result : '' }),
          (err: unknown) => answer(id, { error: err instanceof Error ? err.message : 'failed' }),
        );
    });
    transport.send(JSON.stringify({ desktop: 'hello' }));
    const wrapped: Transport = {
      send: (m) => transport.send(m),
      onMessage: (callback) => callbacks.push(callback),
      onClose: (callback) => transport.onClose(callback),
    };
    if (transport.close) wrapped.close = () => transport.close?.();
    return wrapped;
  };
}
