/**
 * Mail search: the FTS5 index of the store (accent- and case-insensitive), with the French
 * operators agents type, completed when online by an IMAP SEARCH on the server for messages
 * whose bodies are not local.
 *
 *   reunion budget            every word, in any field (prefix: « reun » finds « réunion »)
 *   "compte rendu"            this exact phrase
 *   de:dupont  à:marie  a:marie   sender / recipients (To, Cc)
 *   objet:budget              subject
 *   avant:2026-03-01  avant:01/03/2026   before this day (the day excluded)
 *   après:2026-03-01  apres:…            from this day on (the day included)
 *   pj:oui  pj:non  pj:devis.pdf         with / without attachment, or an attachment name
 */
import type { ImapFlow, SearchObject } from 'imapflow';
import type { MessageSummary } from '../shared/contract.js';
import { OstalError } from '../errors.js';
import { t } from '../i18n/index.js';
import type { Logger } from '../log.js';
import { connectImap, type MailAccount } from './imap-client.js';
import type { MailRepository, MessageSearchSpec } from './repository.js';

export interface ParsedMailQuery {
  /** Free words (matched as prefixes) and quoted phrases (exact), every one required. */
  words: string[];
  phrases: string[];
  from: string[];
  to: string[];
  subject: string[];
  attachmentNames: string[];
  /** ISO instant: messages strictly before it. */
  before: string | null;
  /** ISO instant: messages at or after it. */
  after: string | null;
  /** pj:oui → true, pj:non → false. */
  hasAttachment: boolean | null;
}

const OPERATORS: Record<string, keyof ParsedMailQuery> = {
  de: 'from',
  à: 'to',
  a: 'to',
  objet: 'subject',
  avant: 'before',
  après: 'after',
  apres: 'after',
  pj: 'attachmentNames',
};

/** `AAAA-MM-JJ` or `JJ/MM/AAAA` (also JJ-MM-AAAA, JJ.MM.AAAA) → local midnight of that day, or null. */
export function parseFrenchDate(value: string): Date | null {
  let y: number, m: number, d: number;
  let match = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(value);
  if (match) [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
  else if ((match = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(value)))
    [d, m, y] = [Number(match[1]), Number(match[2]), Number(match[3])];
  else return null;
  const date = new Date(y, m - 1, d);
  if (date.getFullYear() !== y || date.getMonth() !== m - 1 || date.getDate() !== d) return null;
  return date;
}

/** Split a query into words, quoted phrases and `operator:value` (value possibly quoted). */
export function parseMailQuery(query: string): ParsedMailQuery {
  const q: ParsedMailQuery = {
    words: [],
    phrases: [],
    from: [],
    to: [],
    subject: [],
    attachmentNames: [],
    before: null,
    after: null,
    hasAttachment: null,
  };
  const re = /(?:([\p{L}]+):)?(?:"([^"]*)"?|(\S+))/gu;
  for (const m of query.normalize('NFC').matchAll(re)) {
    const op = m[1]?.toLowerCase();
    const quoted = m[2];
    const value = (quoted ?? m[3] ?? '').trim();
    const field = op ? OPERATORS[op] : undefined;
    if (op && !field) {
      // Not one of ours (e.g. « 10:30 » or « http:… »): plain text.
      const text = `${m[1]}:${value}`;
      if (quoted !== undefined) q.phrases.push(text);
      else q.words.push(text);
      continue;
    }
    if (!value) continue;
    if (!field) {
      if (quoted !== undefined) q.phrases.push(value);
      else q.words.push(value);
      continue;
    }
    if (field === 'before' || field === 'after') {
      const date = parseFrenchDate(value);
      if (!date) throw new OstalError('invalid_input', t('mail.search.invalidDate', { value }));
      q[field] = date.toISOString();
      continue;
    }
    if (field === 'attachmentNames') {
      const v = value.toLowerCase();
      if (v === 'oui' || v === 'o' || v === 'yes') q.hasAttachment = true;
      else if (v === 'non' || v === 'n' || v === 'no') q.hasAttachment = false;
      else {
        q.hasAttachment = true;
        q.attachmentNames.push(value);
      }
      continue;
    }
    (q[field] as string[]).push(value);
  }
  return q;
}

/** One FTS5 string: the tokenizer splits it into words (a phrase when several). */
function ftsString(text: string): string {
  return `"${text.replace(/"/g, '""')}"`;
}

/** True when the text holds at least one indexable character (letters or digits). */
function hasToken(text: string): boolean {
  return /[\p{L}\p{N}]/u.test(text);
}

/** The FTS5 MATCH expression of a parsed query, or null when only filters remain. */
export function toFtsMatch(q: ParsedMailQuery): string | null {
  const parts: string[] = [];
  for (const w of q.words) if (hasToken(w)) parts.push(`${ftsString(w)}*`);
  for (const p of q.phrases) if (hasToken(p)) parts.push(ftsString(p));
  const column = (name: string, values: string[], prefix: boolean) => {
    for (const v of values) if (hasToken(v)) parts.push(`${name} : ${ftsString(v)}${prefix ? '*' : ''}`);
  };
  column('sender', q.from, true);
  column('recipients', q.to, true);
  column('subject', q.subject, true);
  column('attachments', q.attachmentNames, true);
  return parts.length ? parts.join(' AND ') : null;
}

/** True when the query asks for something (text or a filter). */
function isEmptyQuery(q: ParsedMailQuery): boolean {
  return !toFtsMatch(q) && q.before === null && q.after === null && q.hasAttachment === null;
}

/** Below this many stored messages, every search is ranked by relevance (it costs little). */
const COMMON_MIN_MESSAGES = 5000;
/** Share of the messages a query must match for its newest matches to be listed instead of its most relevant ones. */
const COMMON_SHARE = 0.3;
/** A prefix that starts more indexed terms than this (« a ») is searched as a prefix, ranked by relevance. */
const MAX_PREFIX_TERMS = 32;

/** A plain word as the index stores it (unicode61, remove_diacritics 2: lower case, no accents), or null if not plain. */
function indexToken(word: string): string | null {
  const token = withoutAccents(word).toLowerCase();
  return /^[a-z0-9]+$/.test(token) ? token : null;
}

/** The word without its accents (« réunion » → « reunion »). */
export function withoutAccents(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').normalize('NFC');
}

/**
 * IMAP SEARCH criteria of a query: the longest word or phrase as TEXT (imapflow quotes it, accents
 * included), the first value of each operator, the dates. IMAP SEARCH is usually accent-sensitive: each
 * text is asked in its accented and its plain form (« réunion » OR « reunion »). IMAP cannot repeat a key in
 * one object: the server part is a complement, the store answers the full query exactly.
 */
export function toImapSearch(q: ParsedMailQuery): SearchObject | null {
  const keys: [key: 'text' | 'from' | 'to' | 'subject', value: string][] = [];
  const text = [...q.words, ...q.phrases].filter(hasToken).sort((a, b) => b.length - a.length)[0];
  if (text) keys.push(['text', text]);
  if (q.from[0]) keys.push(['from', q.from[0]]);
  if (q.to[0]) keys.push(['to', q.to[0]]);
  if (q.subject[0]) keys.push(['subject', q.subject[0]]);
  // Only filters: the store already answers exactly (headers are all local).
  if (keys.length === 0) return null;
  // (a OR a') AND (b OR b') as one OR of every combination (one OR key per object in imapflow).
  let combinations: SearchObject[] = [{}];
  for (const [key, value] of keys) {
    const forms = [...new Set([value, withoutAccents(value)])];
    combinations = combinations.flatMap((c) => forms.map((f) => ({ ...c, [key]: f })));
  }
  const criteria: SearchObject = combinations.length === 1 ? combinations[0] : { or: combinations };
  if (q.before) criteria.before = new Date(q.before);
  if (q.after) criteria.since = new Date(q.after);
  return criteria;
}

export interface MailSearchOptions {
  accountId?: string;
  folder?: string;
  /** Most results (default 100); 0: every match. */
  limit?: number;
}

/** The number of results asked: 0 = every match (null), else at least 1 (default 100). */
export function resultLimit(limit: number | undefined): number | null {
  if (limit === 0) return null;
  const n = Math.floor(Number(limit ?? 100));
  return Number.isFinite(n) ? Math.max(1, n) : 100;
}

export interface ServerSearchOptions {
  /** Accounts to ask, with their credentials (only reachable ones). */
  accounts: MailAccount[];
  /** Total time allowed for the server part, in ms (default 1 500). */
  timeoutMs?: number;
  log: Logger;
}

/** Search over the store, best first (bm25, then newest); optionally completed by the servers. */
export class MailSearch {
  constructor(private readonly repo: MailRepository) {}

  /** Local search: works offline. */
  searchLocal(query: string, options: MailSearchOptions = {}): MessageSummary[] {
    const parsed = parseMailQuery(query);
    if (isEmptyQuery(parsed)) return [];
    const spec = this.spec(parsed, options);
    return this.newestOfCommonWords(parsed, spec) ?? this.repo.searchMessages(spec);
  }

  /**
   * Words that most messages hold (« mairie », « conseil » in a town hall's mailbox): ranking every match by relevance
   * costs ~1 µs a match (0,1 s on 100 000 messages) and tells little when nearly everything matches; the newest
   * matches are listed instead, as the folder lists, found by walking the messages newest first (a few hundred looked
   * at). Only for plain words over the whole store (or its only account), when the index's own counts prove that at
   * least COMMON_SHARE of the messages match; each word is expanded into the indexed terms it starts (« reun » →
   * reunion, reunions). null: the usual ranking by relevance.
   */
  private newestOfCommonWords(parsed: ParsedMailQuery, spec: MessageSearchSpec): MessageSummary[] | null {
    if (spec.limit === null || parsed.words.length === 0 || spec.folder !== null) return null;
    if (spec.before !== null || spec.after !== null || spec.hasAttachment !== null) return null;
    if (parsed.phrases.length || parsed.from.length || parsed.to.length || parsed.subject.length || parsed.attachmentNames.length)
      return null;
    const total = this.repo.countStoredMessages();
    if (total < COMMON_MIN_MESSAGES) return null;
    // Another account's messages would count in the index's figures: only the whole store (or its only account).
    if (spec.accountId !== null) return null;
    const groups: string[] = [];
    // At least this share of the messages match every word (union bound over the words the messages lack).
    let share = 1;
    for (const word of parsed.words) {
      const token = indexToken(word);
      const terms = token ? this.repo.indexTermsStartingWith(token, MAX_PREFIX_TERMS) : null;
      if (!terms || terms.length === 0) return null;
      share -= 1 - Math.max(...terms.map((x) => x.docs)) / total;
      groups.push(`(${terms.map((x) => ftsString(x.term)).join(' OR ')})`);
    }
    if (share < COMMON_SHARE) return null;
    return this.repo.newestMatches(this.repo.folderIds(spec.accountId), groups.join(' AND '), spec.limit);
  }

  /** Exact number of stored messages the query matches (no limit; the server is not asked). */
  countLocal(query: string, options: MailSearchOptions = {}): number {
    const parsed = parseMailQuery(query);
    if (isEmptyQuery(parsed)) return 0;
    return this.repo.countSearch(this.spec(parsed, options));
  }

  private spec(parsed: ParsedMailQuery, options: MailSearchOptions): MessageSearchSpec {
    // The store's only account (the usual case) filters nothing: searched as the whole store, without a join per match.
    const onlyAccount = options.accountId !== undefined && this.repo.isOnlyAccount(options.accountId);
    return {
      match: toFtsMatch(parsed),
      accountId: onlyAccount ? null : (options.accountId ?? null),
      folder: options.folder ?? null,
      before: parsed.before,
      after: parsed.after,
      hasAttachment: parsed.hasAttachment,
      limit: resultLimit(options.limit),
    };
  }

  /**
   * Local results first, then messages the servers found whose bodies are not local (IMAP SEARCH
   * TEXT), `hasBody: false`. The server part is time-boxed and silently skipped on any problem.
   */
  async search(query: string, options: MailSearchOptions, server: ServerSearchOptions | null): Promise<MessageSummary[]> {
    const local = this.searchLocal(query, options);
    const limit = resultLimit(options.limit);
    if (!server || server.accounts.length === 0 || (limit !== null && local.length >= limit)) return local;
    // Every message of the scope is local (the default): the store's answer is complete.
    if (this.repo.countAccountMissingBodies(options.accountId ?? null, options.folder ?? null) === 0) return local;
    const criteria = toImapSearch(parseMailQuery(query));
    if (!criteria) return local;
    const seen = new Set(local.map((m) => `${m.accountId}|${m.folder}|${m.uid}`));
    const extra: MessageSummary[] = [];
    const deadline = Date.now() + (server.timeoutMs ?? 1500);
    await Promise.all(
      server.accounts
        .filter((a) => !options.accountId || a.id === options.accountId)
        .map((account) =>
          this.serverSearch(account, criteria, options.folder ?? null, deadline, server.log).then((hits) => {
            for (const hit of hits) {
              const key = `${hit.accountId}|${hit.folder}|${hit.uid}`;
              if (!seen.has(key)) {
                seen.add(key);
                extra.push(hit);
              }
            }
          }),
        ),
    );
    const all = [...local, ...extra];
    return limit === null ? all : all.slice(0, limit);
  }

  /** IMAP SEARCH in the folder asked for (else the Boîte de réception, Archives and Envoyés), until the deadline. */
  private async serverSearch(
    account: MailAccount,
    criteria: SearchObject,
    folder: string | null,
    deadline: number,
    log: Logger,
  ): Promise<MessageSummary[]> {
    const folders = folder
      ? [folder]
      : this.repo
          .listFolders(account.id)
          .filter((f) => f.specialUse === '\\Inbox' || f.specialUse === '\\Archive' || f.specialUse === '\\Sent' || f.specialUse === null)
          .map((f) => f.path);
    const hits: MessageSummary[] = [];
    let client: ImapFlow | null = null;
    let timer: NodeJS.Timeout | undefined;
    const work = (async () => {
      client = await connectImap(account, { timeoutMs: Math.max(200, deadline - Date.now()) });
      for (const path of folders) {
        if (Date.now() >= deadline) break;
        const lock = await client.getMailboxLock(path, { readOnly: true });
        try {
          const uids = await client.search(criteria, { uid: true });
          if (Array.isArray(uids) && uids.length) hits.push(...this.repo.summariesWithoutBody(account.id, path, uids.slice(-200)));
        } finally {
          lock.release();
        }
      }
    })();
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, Math.max(0, deadline - Date.now()));
    });
    try {
      await Promise.race([
        work.catch((err: unknown) => log.info('mail: server search skipped', { account: account.id, err: err as Error })),
        timeout,
      ]);
    } finally {
      clearTimeout(timer);
      const c = client as ImapFlow | null;
      if (c) void c.logout().catch(() => c.close());
      work.catch(() => undefined);
    }
    return hits;
  }
}
