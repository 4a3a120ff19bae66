/**
 * RFC 6578 sync-collection REPORT: what changed in a collection since a sync token, following truncated answers
 * (507 on the collection itself, §3.6). Used by the CalDAV and CardDAV syncs (src/calendar/dav-sync.ts).
 */
import { OstalError } from '../errors.js';
import type { Logger } from '../log.js';
import type { DavClient } from './client.js';
import { textOf, type DavEntry } from './multistatus.js';

/** Rounds of a truncated sync-collection answer followed before giving up (the caller then compares ETags). */
const MAX_SYNC_ROUNDS = 50;

export interface CollectionChanges {
  /** href → ETag of the items reported (all of them when `full`). */
  present: Map<string, string | null>;
  removed: string[];
  /** href → item data, for items that came with it. */
  data: Map<string, string>;
  syncToken: string | null;
  /** The answer lists every item: local ones absent from it are gone. */
  full: boolean;
}

export interface SyncCollectionRequest {
  /** Namespace of the data property (CalDAV or CardDAV). */
  ns: string;
  /** Data property asked with the ETags when `withData` (calendar-data, address-data). */
  dataProp: string;
  /** Token of the previous sync; empty: every item. */
  token: string;
  withData: boolean;
}

const xmlEscape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * Changes of a collection since `token` (empty: every item, then `full`), with the items' data when `withData`:
 * hrefs changed (with their ETag) and removed, and the new token. null when the server refuses the token or the
 * report (403 valid-sync-token, 5xx…): the caller then starts again from an empty token or compares every ETag.
 */
export async function changesSince(
  client: DavClient,
  collectionHref: string,
  request: SyncCollectionRequest,
  log: Logger,
): Promise<CollectionChanges | null> {
  const { ns, dataProp, token, withData } = request;
  const present = new Map<string, string | null>();
  const data = new Map<string, string>();
  const removed: string[] = [];
  const self = collectionHref.replace(/\/$/, '');
  let current = token;
  // A server may truncate the answer (507 on the collection itself, RFC 6578 §3.6): ask again from the token it gave.
  for (let round = 0; round < MAX_SYNC_ROUNDS; round++) {
    const body =
      `<?xml version="1.0" encoding="utf-8"?><D:sync-collection xmlns:D="DAV:" xmlns:C="${ns}">` +
      `${current ? `<D:sync-token>${xmlEscape(current)}</D:sync-token>` : '<D:sync-token/>'}<D:sync-level>1</D:sync-level>` +
      `<D:prop><D:getetag/>${withData ? `<C:${dataProp}/>` : ''}</D:prop></D:sync-collection>`;
    let answer: { entries: DavEntry[]; syncToken: string | null };
    try {
      answer = await client.multistatusWithToken('REPORT', collectionHref, body, '0', 'sync-collection');
    } catch (err) {
      // 403 is how RFC 6578 refuses an expired or unknown token (the client reports it as auth_failed).
      if (err instanceof OstalError && (err.code === 'server_error' || err.code === 'auth_failed')) {
        log.info('sync-collection refused', { collection: collectionHref, code: err.code, fromEmpty: !token });
        return null;
      }
      throw err;
    }
    let truncated = false;
    for (const e of answer.entries) {
      if (e.href.replace(/\/$/, '') === self) {
        if (e.status === 507) truncated = true;
        continue;
      }
      if (e.status === 404) {
        removed.push(e.href);
        present.delete(e.href);
        data.delete(e.href);
        continue;
      }
      present.set(e.href, textOf(e.props.getetag)?.trim() ?? null);
      const raw = withData ? textOf(e.props[dataProp]) : null;
      if (raw) data.set(e.href, raw);
      else data.delete(e.href);
    }
    if (!truncated || !answer.syncToken || answer.syncToken === current)
      return { present, removed, data, syncToken: answer.syncToken, full: !token };
    current = answer.syncToken;
  }
  log.warn('sync-collection still truncated, comparing ETags', { collection: collectionHref });
  return null;
}
