import type { Core } from '../core.js';
import type { Logger } from '../log.js';

/**
 * Follows the setting `visio.serverUrl` (the organisation's meeting server), which the page's CSP must let
 * Visio reach. Used by browser mode (api-server.ts) and by the Electron core process, which reports it to main.
 * Calls `onChange` with the current address ('' when none) at start and after every settings change.
 * Returns the function that stops following.
 */
export function watchMeetingServer(
  core: Pick<Core, 'handle' | 'onEvent'>,
  onChange: (url: string) => void,
  log?: Pick<Logger, 'warn'>,
): () => void {
  const read = () => {
    Promise.resolve()
      .then(() => core.handle('settings.list', {}))
      .then((entries) => {
        const value = entries.find((entry) => entry.key === 'visio.serverUrl')?.value;
        onChange(typeof value === 'string' ? value : '');
      })
      .catch((err: unknown) => log?.warn('host: meeting server setting unreadable', { err: err as Error }));
  };
  read();
  return core.onEvent((event) => {
    if (event === 'settings.changed') read();
  });
}
