import type { SpecialUse } from '../shared/contract.js';
import { t } from '../i18n/index.js';

const SPECIAL_USE_KEYS: Record<Exclude<SpecialUse, null>, string> = {
  '\\Inbox': 'mail.folders.inbox',
  '\\Sent': 'mail.folders.sent',
  '\\Drafts': 'mail.folders.drafts',
  '\\Trash': 'mail.folders.trash',
  '\\Junk': 'mail.folders.junk',
  '\\Archive': 'mail.folders.archive',
  '\\All': 'mail.folders.all',
  '\\Flagged': 'mail.folders.flagged',
};

/** Usual English (and a few French) names of servers that do not announce SPECIAL-USE, by lower-case leaf name. */
const NAME_GUESSES: Record<string, Exclude<SpecialUse, null>> = {
  inbox: '\\Inbox',
  sent: '\\Sent',
  'sent items': '\\Sent',
  'sent messages': '\\Sent',
  'sent mail': '\\Sent',
  envoyés: '\\Sent',
  'éléments envoyés': '\\Sent',
  drafts: '\\Drafts',
  draft: '\\Drafts',
  brouillons: '\\Drafts',
  trash: '\\Trash',
  'deleted items': '\\Trash',
  'deleted messages': '\\Trash',
  deleted: '\\Trash',
  corbeille: '\\Trash',
  'éléments supprimés': '\\Trash',
  junk: '\\Junk',
  'junk e-mail': '\\Junk',
  'junk email': '\\Junk',
  spam: '\\Junk',
  'courrier indésirable': '\\Junk',
  indésirables: '\\Junk',
  archive: '\\Archive',
  archives: '\\Archive',
};

const KNOWN: ReadonlySet<string> = new Set(Object.keys(SPECIAL_USE_KEYS));

/** Keep only the special-use values the contract knows. */
export function normaliseSpecialUse(value: string | undefined | null): SpecialUse {
  return value && KNOWN.has(value) ? (value as SpecialUse) : null;
}

/**
 * The special use of a folder: the server's SPECIAL-USE flag when there is one, INBOX always
 * \Inbox, else a guess from the usual names of top-level folders ("Sent Items", "Spam"…).
 */
export function folderSpecialUse(path: string, delimiter: string, serverSpecialUse: string | undefined | null): SpecialUse {
  if (path.toUpperCase() === 'INBOX') return '\\Inbox';
  const announced = normaliseSpecialUse(serverSpecialUse);
  if (announced) return announced;
  // Only guess for top-level folders (or direct children of INBOX on INBOX-rooted servers).
  const parts = delimiter ? path.split(delimiter) : [path];
  const leaf = parts[parts.length - 1];
  const topLevel = parts.length === 1 || (parts.length === 2 && parts[0].toUpperCase() === 'INBOX');
  if (!topLevel) return null;
  return NAME_GUESSES[leaf.toLowerCase()] ?? null;
}

/** French display name: the glossary's name for special-use folders, else the last segment of the path. */
export function folderDisplayName(path: string, delimiter: string, specialUse: SpecialUse): string {
  if (specialUse) return t(SPECIAL_USE_KEYS[specialUse]);
  const parts = delimiter ? path.split(delimiter) : [path];
  return parts[parts.length - 1] || path;
}

/** Order for folder lists: Boîte de réception, Brouillons, Envoyés, Archives, Indésirables, Corbeille, then the others by path. */
export function folderSortKey(specialUse: SpecialUse): number {
  const order: SpecialUse[] = ['\\Inbox', '\\Drafts', '\\Sent', '\\Archive', '\\Flagged', '\\All', '\\Junk', '\\Trash'];
  const i = order.indexOf(specialUse);
  return i === -1 ? order.length : i;
}
