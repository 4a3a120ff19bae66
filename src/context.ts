import type Database from 'better-sqlite3';
import type { AppInfo, EventData, EventName, SyncProgress, SyncReport, SyncScope } from './shared/contract.js';
import type { ConnectionStates } from './net/connection-states.js';
import type { Logger } from './log.js';
import type { SecretStore } from './secrets/index.js';
import type { Policy } from './policy/index.js';

/** What the desktop host does for the core on the user's machine. */
export interface DesktopShell {
  /** Open a local file or folder with the system application; resolves '' on success, else the system's error text. */
  openPath(absolutePath: string): Promise<string>;
  /** Show a local file selected in its folder (the file manager), without opening it; '' on success, else the error text. */
  showItemInFolder(absolutePath: string): Promise<string>;
  /** False while nobody plays the desktop (browser mode with no page channel): the view then shows the path. */
  available?(): boolean;
}

/**
 * What the sync scheduler (src/sync/) does for the domains, which never import it: run a sync, or send a local
 * change waiting in the journal soon.
 */
export interface SyncRequests {
  /**
   * Sync one account or all (one scope or all), seeing the servers as they are now: a sync that has not begun yet is
   * joined, one already under way (it may have read a folder before the caller's change) is followed by one more run,
   * shared by every caller that came meanwhile. `join: 'any'` joins even a run under way (the periodic loop).
   * Never throws for a server problem.
   */
  run(params: { accountId?: string; only?: SyncScope; join?: 'any' }): Promise<SyncReport>;
  /**
   * A local change of this scope waits in the journal: send it now rather than at the next period. Mail: only while
   * the background loop runs and the account is reachable. Agenda, contacts, fichiers: always (offline, the sync
   * fails quietly and the change waits). Coalesced per account and scope.
   */
  requestReplay(accountId: string, scope: SyncScope): void;
  /**
   * Progress of work that goes on after a sync returned (mail's background download of bodies), shown in the status
   * area while no sync runs; null when it is over.
   */
  reportProgress(key: string, progress: SyncProgress | null): void;
}

/** The profile's foundations, handed to every domain (built once when the core opens; see core.ts). */
export interface CoreContext {
  readonly profileDir: string;
  readonly mode: AppInfo['mode'];
  readonly db: Database.Database;
  readonly secrets: SecretStore;
  readonly policy: Policy;
  readonly log: Logger;
  readonly blobsDir: string;
  /** Set by the Electron host; null in browser mode and the CLI (the view then shows the path to open). */
  readonly desktop: DesktopShell | null;
  emit<E extends EventName>(event: E, data: EventData<E>): void;
  /** Which accounts' servers answer, as seen by this process. */
  readonly connections: ConnectionStates;
  /** Runs and requests of the sync scheduler. */
  readonly sync: SyncRequests;
  /**
   * Settles once the sources written by a run that did not end cleanly are checked (src/mail/blob-recheck.ts; at once
   * when there is nothing to check): the mail sync waits for it before writing sources (not before the headers), so
   * that the check never reads a file the sync is writing again.
   */
  readonly mailSourcesChecked: Promise<unknown>;
}
