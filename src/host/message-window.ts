/**
 * A message in its own window (issue 18): the only window the page may open inside Ostal is its own page with
 * `?message=…` (renderer/src/desktop/message-window.tsx), on the app's origin. main/electron.ts opens it as a
 * BrowserWindow with the main window's security settings (windowWebPreferences, same navigation rules) and gives it
 * its own API port; any other address is refused (or handed to the system browser by the usual rules).
 */
import { APP_ORIGIN } from './security.js';

export function isMessageWindowUrl(url: string, origin: string = APP_ORIGIN): boolean {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  // Compared by scheme and host: a custom scheme's URL has no origin ('null') to compare.
  const o = new URL(origin);
  if (u.protocol !== o.protocol || u.host !== o.host || u.pathname !== '/index.html' || u.username || u.password || u.hash) return false;
  const keys = [...u.searchParams.keys()];
  return keys.length === 1 && keys[0] === 'message' && /^[^|]+\|\d+\|.+$/.test(u.searchParams.get('message') ?? '');
}
