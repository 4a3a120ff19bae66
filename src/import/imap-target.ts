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
    return (await this.appendMany(folder, [payload]))[0];
  }

  /**
   * Appends several messages to one folder; for each, true when appended, false when the folder already had it
   * (or an earlier one of the same list is the same message). Where the server offers MULTIAPPEND (RFC 3502) they
   * go in one APPEND command, which the server stores as one transaction: all of them or none (Dovecot writes its
   * index and syncs once for the lot instead of once per message). A batch the server refuses is sent again one
   * message at a time, so that a refusal names its message as before.
   */
  async appendMany(folder: string, payloads: MailPayload[]): Promise<boolean[]> {
    const keys = await this.keysOf(folder);
    const batchKeys = new Set<string>();
    const added = payloads.map((p) => {
      const key = messageKey(p.messageId, p.date, p.raw.length);
      if (keys.has(key) || batchKeys.has(key)) return false;
      batchKeys.add(key);
      return true;
    });
    const fresh = payloads.filter((_, i) => added[i]);
    if (fresh.length > 1 && this.canMultiAppend()) {
      let refused = false;
      try {
        await this.multiAppend(folder, fresh);
      } catch (err) {
        // A tagged NO or BAD: nothing of the batch was stored (RFC 3502), each is tried on its own below. A lost
        // connection is thrown: the next run's keys tell what the server had already taken.
        if (!isServerRefusal(err)) throw err;
        refused = true;
      }
      if (!refused) {
        for (const key of batchKeys) keys.add(key);
        return added;
      }
    }
    for (const p of fresh) {
      await this.client.append(folder, p.raw, p.flags, p.date);
      keys.add(messageKey(p.messageId, p.date, p.raw.length));
    }
    return added;
  }

  private canMultiAppend(): boolean {
    return this.client.capabilities.has('MULTIAPPEND') && typeof (this.client as unknown as InternalClient).exec === 'function';
  }

  /** One APPEND with several messages (imapflow has no call for it: its command writer is used as its append does). */
  private async multiAppend(folder: string, payloads: MailPayload[]): Promise<void> {
    const client = this.client as unknown as InternalClient & ImapFlow;
    const binary = client.capabilities.has('BINARY');
    const attributes: unknown[] = [{ type: 'ATOM', value: encodedPath(client, folder) }];
    for (const p of payloads) {
      attributes.push(
        p.flags.map((flag) => ({ type: 'ATOM', value: flag })),
        { type: 'STRING', value: imapDateTime(p.date) },
        // Literal8 (RFC 3516) for a message holding NUL bytes, as imapflow's append does.
        { type: 'LITERAL', value: p.raw, isLiteral8: binary && p.raw.indexOf(0) >= 0 },
      );
    }
    const response = await client.exec('APPEND', attributes);
    response.next();
  }
}

/** The part of imapflow's client used by multiAppend (not in its typings; pinned version). */
interface InternalClient {
  exec(command: string, attributes: unknown[], options?: unknown): Promise<{ next(): void }>;
  namespace?: { prefix?: string } | undefined;
}

function isServerRefusal(err: unknown): boolean {
  const status = (err as { responseStatus?: unknown } | null)?.responseStatus;
  return status === 'NO' || status === 'BAD';
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** IMAP date-time (RFC 3501) in UTC, as imapflow writes it. */
export function imapDateTime(date: Date): string {
  const two = (n: number) => String(n).padStart(2, '0');
  const day = String(date.getUTCDate()).padStart(2, ' ');
  return `${day}-${MONTHS[date.getUTCMonth()]}-${date.getUTCFullYear()} ${two(date.getUTCHours())}:${two(date.getUTCMinutes())}:${two(date.getUTCSeconds())} +0000`;
}

/** A folder's name as sent to the server: namespace prefix added, modified UTF-7 unless UTF-8 is enabled (as imapflow). */
function encodedPath(client: InternalClient & ImapFlow, folder: string): string {
  let name = folder;
  const prefix = client.namespace?.prefix;
  if (name.toUpperCase() === 'INBOX') return 'INBOX';
  if (prefix && !name.startsWith(prefix)) name = prefix + name;
  if (client.enabled.has('UTF8=ACCEPT') || client.enabled.has('IMAP4rev2')) return name;
  return encodeModifiedUtf7(name);
}

/** RFC 3501 § 5.1.3: « & » as « &- », printable ASCII as is, anything else as modified base64 of UTF-16BE. */
export function encodeModifiedUtf7(text: string): string {
  let out = '';
  let pending = '';
  const flush = () => {
    if (!pending) return;
    const utf16 = Buffer.alloc(pending.length * 2);
    for (let i = 0; i < pending.length; i++) utf16.writeUInt16BE(pending.charCodeAt(i), i * 2);
    out += `&${utf16.toString('base64').replace(/=+$/, '').replace(/\//g, ',')}-`;
    pending = '';
  };
  for (const ch of text) {
    const code = ch.charCodeAt(0);
    if (code >= 0x20 && code <= 0x7e) {
      flush();
      out += ch === '&' ? '&-' : ch;
    } else pending += ch;
  }
  flush();
  return out;
}
