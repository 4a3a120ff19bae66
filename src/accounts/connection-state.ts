/**
 * One rule for "is this account online?", used by accounts.list and by the sync coordinator's status,
 * so Réglages and the status area never disagree.
 *
 * `account:<id>:online` (runtime, boolean) is set by every probe and sync. Before the first probe of this process,
 * an account counts as online unless its last recorded sync ended in an error.
 */
export function isAccountOnline(runtime: Map<string, unknown>, accountId: string, recordedLastError: string | null): boolean {
  const known = runtime.get(`account:${accountId}:online`);
  return typeof known === 'boolean' ? known : recordedLastError === null;
}
