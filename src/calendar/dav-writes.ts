/**
 * Writes of events and contacts, offline first: the new resource is stored in dav_objects at once (the
 * Agenda shows it), and an operation of the journal carries it to the server:
 *  - 'dav.<kind>.put'    PUT with If-None-Match: * (new) or If-Match: <ETag known locally> (change);
 *  - 'dav.<kind>.delete' DELETE with If-Match.
 * Every write carries a revision (X-OSTAL-REV) in its text: a replay answered 412 fetches the server's
 * version and, when it holds that revision, knows its earlier attempt landed (idempotent). Otherwise the
 * server changed the item meanwhile: the server's version is kept, the user's is set aside in
 * dav_conflicts with a French notice offering to re-apply it. Nothing is overwritten silently, nothing lost.
 * While an item has operations waiting, the read sync leaves it alone.
 */
import crypto from 'node:crypto';
import type { DavConflictSummary } from '../shared/contract.js';
import { OstalError } from '../errors.js';
import type { CoreContext } from '../context.js';
import { t } from '../i18n/index.js';
import { OperationsJournal, type Operation } from '../store/operations-journal.js';
import type { DavClient } from '../dav/client.js';
import { parseCalendarObject } from './icalendar.js';
import { DavRepository, type DavKind } from './repository.js';
import { noCardExtras, readVCard, type CardExtras } from '../contacts/vcard.js';

export interface DavPutPayload {
  collectionHref: string;
  href: string;
  uid: string;
  raw: string;
  rev: string;
}

export interface DavDeletePayload {
  collectionHref: string;
  href: string;
  uid: string;
  /** The text deleted, kept for « Annuler » (contacts.restore) once the DELETE has reached the server. */
  raw?: string;
}

export const davKindPrefix = (kind: DavKind) => `dav.${kind}.`;
const putKind = (kind: DavKind) => `dav.${kind}.put`;
const deleteKind = (kind: DavKind) => `dav.${kind}.delete`;

/** A fresh revision marker for one write. */
export const newRevision = () => crypto.randomUUID();

/** Hrefs of the account with operations not yet applied (pending, running, or failed for good). */
export function pendingHrefs(ctx: Pick<CoreContext, 'db'>, accountId: string, kind: DavKind): Set<string> {
  const rows = ctx.db
    .prepare(
      "SELECT DISTINCT json_extract(payload, '$.href') AS href FROM operations WHERE account_id = ? AND kind LIKE ? AND state IN ('pending', 'running', 'failed')",
    )
    .all(accountId, `${davKindPrefix(kind)}%`) as { href: string }[];
  return new Set(rows.map((r) => r.href));
}

/** The columns stored with an object's text (for a card, its extras too: the contacts list reads them, never the text). */
function parsedFields(kind: DavKind, raw: string): { uid: string; title: string; emails: string[]; phones: string[]; extras: CardExtras } {
  if (kind === 'calendar') {
    const ev = parseCalendarObject(raw);
    return { uid: ev.uid, title: ev.summary, emails: [], phones: [], extras: noCardExtras };
  }
  const { contact: c, extras } = readVCard(raw);
  return { uid: c.uid, title: c.fn, emails: c.emails, phones: c.phones, extras };
}

/** Href of a new resource in a collection, from its UID (safe characters only). */
export function newResourceHref(collectionHref: string, uid: string, kind: DavKind): string {
  const base = collectionHref.endsWith('/') ? collectionHref : `${collectionHref}/`;
  const name = uid.replace(/[^A-Za-z0-9._-]/g, '_');
  return `${base}${name}.${kind === 'calendar' ? 'ics' : 'vcf'}`;
}

/** Store the new text locally and queue its PUT, in one transaction. */
export function enqueuePut(ctx: CoreContext, kind: DavKind, accountId: string, payload: DavPutPayload): void {
  const repo = new DavRepository(ctx.db);
  const fields = parsedFields(kind, payload.raw);
  ctx.db.transaction(() => {
    const existing = repo.object(accountId, payload.href);
    repo.putObjects([
      { accountId, collectionHref: payload.collectionHref, href: payload.href, etag: existing?.etag ?? null, raw: payload.raw, ...fields },
    ]);
    repo.setLocalDeleted(accountId, payload.href, false);
    new OperationsJournal(ctx.db).enqueue(accountId, putKind(kind), payload);
  })();
  ctx.emit('dav.changed', { accountId, kind });
}

/** Hide the item locally and queue its DELETE. */
export function enqueueDelete(ctx: CoreContext, kind: DavKind, accountId: string, payload: DavDeletePayload): void {
  const repo = new DavRepository(ctx.db);
  ctx.db.transaction(() => {
    repo.setLocalDeleted(accountId, payload.href, true);
    new OperationsJournal(ctx.db).enqueue(accountId, deleteKind(kind), payload);
  })();
  ctx.emit('dav.changed', { accountId, kind });
}

/** The server refused the write (not a network problem). */
class ServerRefusal extends Error {}

export interface DavReplayOutcome {
  done: number;
  conflicts: number;
  failed: number;
}

function etagOf(headers: Record<string, string | string[] | undefined>): string | null {
  const v = headers.etag;
  return typeof v === 'string' && v ? v : null;
}

/**
 * Send the account's waiting writes of this kind, oldest first. The caller has just reached the server
 * (discovery), so a network error here stops the run and is thrown; the operation waits for the next run.
 */
export async function replayDavWrites(ctx: CoreContext, client: DavClient, accountId: string, kind: DavKind): Promise<DavReplayOutcome> {
  const journal = new OperationsJournal(ctx.db);
  const outcome: DavReplayOutcome = { done: 0, conflicts: 0, failed: 0 };
  let changed = false;
  try {
    for (;;) {
      const op = journal.claimNext({ accountId, kindPrefix: davKindPrefix(kind) });
      if (!op) break;
      try {
        const result =
          op.kind === putKind(kind)
            ? await replayPut(ctx, client, kind, op as Operation<DavPutPayload>)
            : await replayDelete(ctx, client, kind, op as Operation<DavDeletePayload>);
        journal.markDone(op.id);
        changed = true;
        if (result === 'conflict') outcome.conflicts++;
        else outcome.done++;
      } catch (err) {
        if (err instanceof ServerRefusal) {
          const final = op.attempts >= 3;
          journal.markFailed(op.id, t('dav.writes.refused', { title: (op.payload as DavDeletePayload).uid }), { retry: !final });
          ctx.log.warn('dav: server refused a write', { account: accountId, op: op.id, kind: op.kind, attempts: op.attempts, final, err });
          if (final) outcome.failed++;
          else break;
          continue;
        }
        journal.markFailed(op.id, err instanceof OstalError ? err.message : String(err), { retry: true });
        throw err;
      }
    }
  } finally {
    if (changed) ctx.emit('dav.changed', { accountId, kind });
  }
  if (outcome.done || outcome.conflicts || outcome.failed) ctx.log.info('dav writes replayed', { account: accountId, kind, ...outcome });
  return outcome;
}

const contentType = (kind: DavKind) => (kind === 'calendar' ? 'text/calendar; charset=utf-8' : 'text/vcard; charset=utf-8');

async function fetchServer(client: DavClient, href: string): Promise<{ raw: string; etag: string | null } | null> {
  const res = await client.request('GET', href, { kind: 'get' });
  if (res.status === 404 || res.status === 410) return null;
  if (res.status !== 200) throw new ServerRefusal(`GET ${href}: ${res.status}`);
  return { raw: res.body, etag: etagOf(res.headers) };
}

const holdsRevision = (raw: string, rev: string) => raw.replace(/\r?\n[ \t]/g, '').includes(rev);

async function replayPut(ctx: CoreContext, client: DavClient, kind: DavKind, op: Operation<DavPutPayload>): Promise<'done' | 'conflict'> {
  const repo = new DavRepository(ctx.db);
  const p = op.payload;
  const local = repo.object(op.accountId, p.href);
  const knownEtag = local?.etag ?? null;
  const headers: Record<string, string> = knownEtag ? { 'If-Match': knownEtag } : { 'If-None-Match': '*' };
  const res = await client.request('PUT', p.href, { body: p.raw, contentType: contentType(kind), headers, kind: 'put' });
  if (res.status >= 200 && res.status < 300) {
    const etag = etagOf(res.headers) ?? (await fetchServer(client, p.href))?.etag ?? null;
    repo.setEtag(op.accountId, p.href, etag);
    return 'done';
  }
  if (res.status !== 412) throw new ServerRefusal(`PUT ${p.href}: ${res.status}`);
  const server = await fetchServer(client, p.href);
  if (server && holdsRevision(server.raw, p.rev)) {
    // An earlier attempt of this very write reached the server (answer lost): done.
    repo.setEtag(op.accountId, p.href, server.etag);
    return 'done';
  }
  setAside(ctx, kind, op, 'put', server);
  return 'conflict';
}

async function replayDelete(
  ctx: CoreContext,
  client: DavClient,
  kind: DavKind,
  op: Operation<DavDeletePayload>,
): Promise<'done' | 'conflict'> {
  const repo = new DavRepository(ctx.db);
  const p = op.payload;
  const local = repo.object(op.accountId, p.href);
  const headers: Record<string, string> = local?.etag ? { 'If-Match': local.etag } : {};
  const res = await client.request('DELETE', p.href, { headers, kind: 'delete' });
  // Gone from the server: forget it, unless « Annuler » brought it back meanwhile (a PUT follows; it creates it anew).
  const gone = () => {
    if (repo.object(op.accountId, p.href)?.localDeleted === false) repo.setEtag(op.accountId, p.href, null);
    else repo.deleteObjects(op.accountId, [p.href]);
  };
  if ((res.status >= 200 && res.status < 300) || res.status === 404 || res.status === 410) {
    gone();
    return 'done';
  }
  if (res.status !== 412) throw new ServerRefusal(`DELETE ${p.href}: ${res.status}`);
  const server = await fetchServer(client, p.href);
  if (!server) {
    gone();
    return 'done';
  }
  setAside(ctx, kind, op, 'delete', server);
  return 'conflict';
}

/**
 * The server changed the item since the user's change was based on it: keep the server's version locally,
 * drop the user's later operations on the item, and keep the user's latest version as a conflict.
 */
function setAside(
  ctx: CoreContext,
  kind: DavKind,
  op: Operation<DavPutPayload | DavDeletePayload>,
  action: 'put' | 'delete',
  server: { raw: string; etag: string | null } | null,
): void {
  const repo = new DavRepository(ctx.db);
  const p = op.payload;
  const local = repo.object(op.accountId, p.href);
  const localRaw = action === 'put' ? (local && !local.localDeleted ? local.raw : (p as DavPutPayload).raw) : null;
  let title = local?.title ?? '';
  if (localRaw) {
    try {
      title = parsedFields(kind, localRaw).title;
    } catch {
      /* keep the stored title */
    }
  }
  const now = new Date().toISOString();
  const id = ctx.db.transaction(() => {
    if (server) {
      let fields: ReturnType<typeof parsedFields> | null = null;
      try {
        fields = parsedFields(kind, server.raw);
      } catch (err) {
        ctx.log.warn('dav: server version unreadable, kept as is', { href: p.href, err: err as Error });
      }
      if (fields)
        repo.putObjects([
          { accountId: op.accountId, collectionHref: p.collectionHref, href: p.href, etag: server.etag, raw: server.raw, ...fields },
        ]);
      repo.setLocalDeleted(op.accountId, p.href, false);
    } else {
      repo.deleteObjects(op.accountId, [p.href]);
    }
    // Later operations on the same item were built on the user's version: it is now in the conflict.
    ctx.db
      .prepare(
        "UPDATE operations SET state = 'done', last_error = 'superseded by a conflict', updated_at = ? WHERE account_id = ? AND kind LIKE ? AND state = 'pending' AND json_extract(payload, '$.href') = ? AND id > ?",
      )
      .run(now, op.accountId, `${davKindPrefix(kind)}%`, p.href, op.id);
    const info = ctx.db
      .prepare(
        'INSERT INTO dav_conflicts (account_id, kind, collection_href, href, uid, title, action, local_raw, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
      )
      .run(op.accountId, kind, p.collectionHref, p.href, p.uid, title, action, localRaw, now);
    return Number(info.lastInsertRowid);
  })();
  const conflict = listConflicts(ctx).find((c) => c.id === id);
  ctx.log.warn('dav: conflict, server version kept, user change set aside', {
    account: op.accountId,
    href: p.href,
    action,
    serverDeleted: !server,
  });
  if (conflict) ctx.emit('dav.conflict', conflict);
}

interface ConflictRow {
  id: number;
  account_id: string;
  kind: DavKind;
  collection_href: string;
  href: string;
  uid: string;
  title: string;
  action: 'put' | 'delete';
  local_raw: string | null;
  created_at: string;
}

function conflictMessage(row: ConflictRow): string {
  const title = row.title || t(row.kind === 'calendar' ? 'dav.writes.untitledEvent' : 'dav.writes.untitledContact');
  const key = `dav.writes.conflict.${row.kind}.${row.action}`;
  return t(key, { title });
}

export function listConflicts(ctx: Pick<CoreContext, 'db'>): DavConflictSummary[] {
  const rows = ctx.db.prepare('SELECT * FROM dav_conflicts ORDER BY id').all() as ConflictRow[];
  return rows.map((r) => ({
    id: r.id,
    accountId: r.account_id,
    kind: r.kind,
    uid: r.uid,
    title: r.title,
    action: r.action,
    message: conflictMessage(r),
    createdAt: r.created_at,
  }));
}

/** « Réappliquer ma modification » (queue the user's version again, on top of the server's) or « Ignorer ». */
export function resolveConflict(ctx: CoreContext, id: number, action: 'reapply' | 'dismiss'): { accountId: string; kind: DavKind } {
  const row = ctx.db.prepare('SELECT * FROM dav_conflicts WHERE id = ?').get(id) as ConflictRow | undefined;
  if (!row) throw new OstalError('not_found', t('dav.writes.conflictGone'));
  if (action === 'reapply') {
    const stillThere = new DavRepository(ctx.db).object(row.account_id, row.href);
    if (row.action === 'put' && row.local_raw) {
      const { raw, rev } = restamp(row.local_raw);
      enqueuePut(ctx, row.kind, row.account_id, { collectionHref: row.collection_href, href: row.href, uid: row.uid, raw, rev });
    } else if (row.action === 'delete' && stillThere) {
      enqueueDelete(ctx, row.kind, row.account_id, { collectionHref: row.collection_href, href: row.href, uid: row.uid });
    }
  }
  ctx.db.prepare('DELETE FROM dav_conflicts WHERE id = ?').run(id);
  return { accountId: row.account_id, kind: row.kind };
}

/** Give a text set aside (or deleted, then brought back) a fresh revision marker, so that its replay is recognised. */
export function restamp(raw: string): { raw: string; rev: string } {
  const rev = newRevision();
  const unfolded = raw.replace(/\r?\n[ \t]/g, '');
  if (/^X-OSTAL-REV:/im.test(unfolded)) return { raw: unfolded.replace(/^(X-OSTAL-REV:).*$/gim, `$1${rev}`), rev };
  // A vCard written by another program (an import, another client): add the marker before its end.
  return { raw: unfolded.replace(/^END:VCARD/im, `X-OSTAL-REV:${rev}\r\nEND:VCARD`), rev };
}
