/**
 * What every reader of a source (Outlook data file, .msg, .eml, mbox) hands to the import: folders, each with its
 * items read one at a time (bounded memory: one message in memory at once).
 */
import type { MigrationSourceKind, SpecialUse } from '../shared/contract.js';

/** A message ready for IMAP APPEND: the raw RFC 5322 bytes (CRLF), its flags and its date. */
export interface MailPayload {
  raw: Buffer;
  /** With angle brackets; a stable one is made up when the message has none. */
  messageId: string;
  date: Date;
  flags: string[];
}

export type SourceItem =
  | { type: 'mail'; key: string; label: string; build(): Promise<MailPayload> }
  /** A contact as vCard text (one card). */
  | { type: 'contact'; key: string; label: string; vcard(): string }
  /** An event as iCalendar text (one VCALENDAR); `note` is a French line for the report (occurrences only…). */
  | { type: 'event'; key: string; label: string; ics(): { text: string; note: string | null } }
  /** An item the reader could not read or will not import: skipped with this French reason. */
  | { type: 'skip'; key: string; label: string; reason: string };

export type FolderKind = 'mail' | 'contacts' | 'calendar';

export interface SourceFolder {
  /** Names from the top of the source (« Boîte de réception », « Projets »…). */
  path: string[];
  kind: FolderKind;
  /**
   * Outlook's special folder this one is, or for a sub-folder the one its top folder is (« Projets » in « Boîte de
   * réception »): mapped to the account's, the sub-folders following their top below it.
   */
  special: SpecialUse;
  /** Items announced by the source (for the progress); the items read may be fewer (then skipped with a reason). */
  count: number;
  items(): AsyncIterable<SourceItem>;
}

export interface ImportSource {
  kind: MigrationSourceKind;
  folders(): AsyncIterable<SourceFolder>;
  /** Items announced by every folder, known once the source is open. */
  total: number;
  close(): void;
}

/** Outlook's special folders (English and French names), top level of the mailbox. */
const OUTLOOK_SPECIAL: Record<string, Exclude<SpecialUse, null>> = {
  inbox: '\\Inbox',
  'boîte de réception': '\\Inbox',
  'sent items': '\\Sent',
  'éléments envoyés': '\\Sent',
  'deleted items': '\\Trash',
  'éléments supprimés': '\\Trash',
  drafts: '\\Drafts',
  brouillons: '\\Drafts',
  'junk email': '\\Junk',
  'junk e-mail': '\\Junk',
  'courrier indésirable': '\\Junk',
  archive: '\\Archive',
  archives: '\\Archive',
};

export function outlookSpecialUse(name: string): SpecialUse {
  return OUTLOOK_SPECIAL[name.normalize('NFC').trim().toLowerCase()] ?? null;
}
