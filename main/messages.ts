import type { KeychainFacts } from '../src/host/sealed-secrets.js';
import type { ComposeRequestArgs } from '../src/shared/compose-args.js';

/** Messages between the Electron main process and the core utility process (besides the ports they carry). */
export type MainProcessMessage =
  /**
   * Sent once with [secretsPort, desktopPort, proxyPort]: open the core on this profile. `keychain`: what safeStorage says
   * (src/host/sealed-secrets.ts keychainDecision decides). `packaged`: app.isPackaged (policy trust, OSTAL_POLICIES).
   */
  | { type: 'init'; profileDir: string; keychain: KeychainFacts; packaged: boolean }
  /** Sent with [apiPort] at each page load: serve the API on this port. */
  | { type: 'api' }
  /** A launch asked for a message (mailto, --compose, « Envoyer vers »): the core reads its files and tells the page. */
  | { type: 'compose'; request: ComposeRequestArgs }
  /** Close the core (database, sync) and exit. */
  | { type: 'shutdown' };

export type CoreProcessMessage =
  | { type: 'ready' }
  /** The core could not start; `message` is French, shown to the user as is. */
  | { type: 'failed'; code: string; message: string }
  /** Unread messages of the Boîtes de réception and the desktop settings (tray, close, login), at start and on change. */
  | { type: 'desktop'; unread: number; closeToTray: 'yes' | 'no'; startAtLogin: 'yes' | 'no' }
  /** The organisation's meeting server (setting visio.serverUrl, '' when none), which the page's CSP must allow. */
  | { type: 'meetingServer'; url: string };
