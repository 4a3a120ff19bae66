/** The folder the agent left in Fichiers, kept with the account it belongs to (see lib/view-memory.ts). */
export interface FilesPlace {
  accountId: string | null;
  path: string;
}

/**
 * The folder to show for the account shown now: the remembered one when it is this account's, else the root (the
 * remembered account was removed in Réglages, or the agent chose another one: its folders mean nothing here).
 */
export function folderShown(place: FilesPlace, accountId: string | null): string {
  return place.accountId === accountId ? place.path : '/';
}
