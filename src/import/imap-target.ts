/**
 * The account's IMAP server as the target of an import: Outlook's special folders mapped to the account's
 * (SPECIAL-USE, else the usual names), other folders created with their names, and what a folder already holds
 * (Message-ID, date, size) to skip what an earlier run appended.
 */
import type { ImapFlow } from 'imapflow';
import type { SpecialUse } from '../shared/contract.js';
import { folderSpecialUse } from '../mail/folder-names.js';
import type { MailPayload } from './source.js';

/** The identity of a message in a folder: Message-ID, date to the second, size in bytes. */
export function messageKey(messageId: string, date: Date, size: number): string {
  const key = `${messageId.trim().toLowerCase()}|${Math.floor(date.getTime() / 1000)}|${size}`;
  // A flat copy: the key is kept for the whole run, and a slice of a message's text would keep all of that text.
  return Buffer.from(key, 'utf8').toString('utf8');
}

/** French names given to a special folder the account lacks. */
const CREATED_SPECIAL: Record<Exclude<SpecialUse, null>, string> = {
  '\\Inbox': 'INBOX',
  '\\Sent': 'Envoyés',
  '\\Drafts': 'Brouillons',
  '\\Trash': 'Corbeille',
  '\\Junk': 'Indésirables',
  '\\Archive': 'Archives',
  '\\All': 'Tous',
  '\\Flagged': 'Suivis',
};

export class ImapTarget {
  private delimiter = '/';
  private readonly existing = new Set<string>();
  private readonly special = new Map<SpecialUse, string>();
  private readonly keys = new Map<string, Set<string>>();

  constructor(private readonly client: ImapFlow) {}

  async init(): Promise<void> {
    const list = await this.client.list();
    for (const box of list) {
      if (box.delimiter) this.delimiter = box.delimiter;
      this.existing.add(box.path);
    }
    for (const box of list) {
      const use = folderSpecialUse(box.path, box.delimiter || this.delimiter, box.specialUse);
      if (use && !this.special.has(use)) this.special.set(use, box.path);
    }
  }

  /** IMAP path for a source folder, created (and subscribed) when missing. */
  async folderFor(path: string[], special: SpecialUse): Promise<string> {
    const clean = path.map((p) => p.split(this.delimiter).join('-').trim() || '_');
    let parts: string[];
    if (special) {
      const base = this.special.get(special) ?? CREATED_SPECIAL[special];
      parts = [base, ...clean.slice(1)];
    } else parts = clean;
    // The top of the tree is mapped when it is a special folder: its children follow it.
    let prefix = '';
    for (let i = 0; i < parts.length; i++) {
      prefix = i === 0 ? parts[0] : `${prefix}${this.delimiter}${parts[i]}`;
      if (!this.existing.has(prefix) && prefix.toUpperCase() !== 'INBOX') {
        try {
          await this.client.mailboxCreate(prefix);
        } catch (err) {
          // Created meanwhile (a resumed run, another client): fine when it is there now.
          const again = await this.client.list();
          if (!again.some((b) => b.path === prefix)) throw err;
        }
        await this.client.mailboxSubscribe(prefix).catch(() => undefined);
        this.existing.add(prefix);
      }
    }
    return prefix;
  }

  /** Keys of the messages already in a folder (read once per folder and run). */
  async keysOf(folder: string): Promise<Set<string>> {
    let set = this.keys.get(folder);
    if (set) return set;
    set = new Set();
    const status = await this.client.status(folder, { messages: true });
    if (status && (status.messages ?? 0) > 0) {
      const lock = await this.client.getMailboxLock(folder, { readOnly: true });
      try {
        for await (const m of this.client.fetch('1:*', { envelope: true, internalDate: true, size: true })) {
          const id = m.envelope?.messageId;
          const date = m.internalDate instanceof Date ? m.internalDate : m.internalDate ? new Date(m.internalDate) : null;
          if (id && date && typeof m.size === 'number') set.add(messageKey(id, date, m.size));
        }
      } finally {
        lock.release();
      }
    }
    this.keys.set(folder, set);
    return set;
  }

  /** True when the message was appended, false when the folder already had it. */
  async append(folder: string, payload: MailPayload): Promise<boolean> {
    const keys = await this.keysOf(folder);
    const key = messageKey(payload.messageId, payload.date, payload.raw.length);
    if (keys.has(key)) return false;
    await this.client.append(folder, payload.raw, payload.flags, payload.date);
    keys.add(key);
    return true;
  }
}
