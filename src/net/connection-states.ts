/**
 * Whether each account's servers answered, in memory for one Core: set by every probe and sync of the sync
 * scheduler, read by accounts.list, the status area, the message reader and the search. One rule, so Réglages
 * and the status area never disagree.
 *
 * Before the first probe of this process an account counts as online unless its last recorded sync ended in an
 * error (accounts.last_error); the first probe comes within seconds.
 */
export class ConnectionStates {
  private readonly states = new Map<string, { online: boolean; lastError: string | null }>();

  /** Whether a probe or a sync of this process has told anything about the account yet. */
  known(accountId: string): boolean {
    return this.states.has(accountId);
  }

  isOnline(accountId: string, recordedLastError: string | null): boolean {
    return this.states.get(accountId)?.online ?? recordedLastError === null;
  }

  /** French text of the last connection or sync problem seen by this process, else the recorded one. */
  lastError(accountId: string, recordedLastError: string | null): string | null {
    const state = this.states.get(accountId);
    return state ? state.lastError : recordedLastError;
  }

  /** Online as last seen by this process: true, false, or undefined when not known yet. */
  seenOnline(accountId: string): boolean | undefined {
    return this.states.get(accountId)?.online;
  }

  set(accountId: string, online: boolean, lastError: string | null): void {
    this.states.set(accountId, { online, lastError });
  }

  forget(accountId: string): void {
    this.states.delete(accountId);
  }
}
