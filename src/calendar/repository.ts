/** All SQL of the CalDAV/CardDAV store (tables of migrations 006, 019, 020). */
import type Database from 'better-sqlite3';
import type { CardExtras } from '../contacts/vcard.js';

export type DavKind = 'calendar' | 'addressbook';

export interface DavCollection {
  accountId: string;
  kind: DavKind;
  href: string;
  displayName: string;
  color: string | null;
  ctag: string | null;
  syncToken: string | null;
  /** The agent may only read it (migration 020: its DAV:current-user-privilege-set grants no write). */
  readOnly: boolean;
}

export interface DavObject {
  accountId: string;
  collectionHref: string;
  href: string;
  etag: string | null;
  raw: string;
  uid: string;
  title: string;
  emails: string[];
  phones: string[];
  /**
   * A card's organisation, fonction, note, address and birthday (migration 019), read with the rest when it is stored;
   * events have none. Stored without them (undefined), a card is read again by fillContactExtras at the next start;
   * read back, missing ones are ''.
   */
  extras?: CardExtras;
}

interface CollectionRow {
  account_id: string;
  kind: DavKind;
  href: string;
  display_name: string;
  color: string | null;
  ctag: string | null;
  sync_token: string | null;
  read_only: number;
}

interface ObjectRow {
  account_id: string;
  collection_href: string;
  href: string;
  etag: string | null;
  raw: string;
  uid: string;
  title: string;
  emails: string;
  phones: string;
  organization: string | null;
  job_title: string | null;
  note: string | null;
  address: string | null;
  birthday: string | null;
}

const toCollection = (r: CollectionRow): DavCollection => ({
  accountId: r.account_id,
  kind: r.kind,
  href: r.href,
  displayName: r.display_name,
  color: r.color,
  ctag: r.ctag,
  syncToken: r.sync_token,
  readOnly: r.read_only === 1,
});

const toObject = (r: ObjectRow): DavObject => ({
  accountId: r.account_id,
  collectionHref: r.collection_href,
  href: r.href,
  etag: r.etag,
  raw: r.raw,
  uid: r.uid,
  title: r.title,
  emails: JSON.parse(r.emails) as string[],
  phones: JSON.parse(r.phones) as string[],
  extras: {
    organization: r.organization ?? '',
    title: r.job_title ?? '',
    note: r.note ?? '',
    address: r.address ?? '',
    birthday: r.birthday ?? '',
  },
});

/** What an object read with its collection carries of it. */
export interface CollectionOf {
  collectionName: string;
  color: string | null;
  /** Its collection may only be read (migration 020). */
  collectionReadOnly: boolean;
}

interface CollectionOfRow {
  collection_name: string;
  color: string | null;
  collection_read_only: number;
}

const collectionOf = (r: CollectionOfRow): CollectionOf => ({
  collectionName: r.collection_name,
  color: r.color,
  collectionReadOnly: r.collection_read_only === 1,
});

export class DavRepository {
  constructor(private readonly db: Database.Database) {}

  collections(accountId: string, kind: DavKind): DavCollection[] {
    const rows = this.db
      .prepare('SELECT * FROM dav_collections WHERE account_id = ? AND kind = ? ORDER BY display_name')
      .all(accountId, kind) as CollectionRow[];
    return rows.map(toCollection);
  }

  allCollections(kind: DavKind): DavCollection[] {
    const rows = this.db.prepare('SELECT * FROM dav_collections WHERE kind = ?').all(kind) as CollectionRow[];
    return rows.map(toCollection);
  }

  /**
   * Insert or update the collection's name, colour and whether the agent may only read it (change markers are saved
   * after its sync). readOnly left out: false for a new collection, unchanged for a known one.
   */
  upsertCollection(c: Pick<DavCollection, 'accountId' | 'kind' | 'href' | 'displayName' | 'color'> & { readOnly?: boolean }): void {
    const readOnly = c.readOnly === undefined ? null : c.readOnly ? 1 : 0;
    this.db
      .prepare(
        `INSERT INTO dav_collections (account_id, kind, href, display_name, color, read_only) VALUES (?, ?, ?, ?, ?, coalesce(?, 0))
         ON CONFLICT (account_id, href) DO UPDATE SET display_name = excluded.display_name, color = excluded.color, kind = excluded.kind,
           read_only = coalesce(?, read_only)`,
      )
      .run(c.accountId, c.kind, c.href, c.displayName, c.color, readOnly, readOnly);
  }

  /** The collection (of any kind) at this href of the account, or null. */
  collection(accountId: string, href: string): DavCollection | null {
    const row = this.db.prepare('SELECT * FROM dav_collections WHERE account_id = ? AND href = ?').get(accountId, href) as
      CollectionRow | undefined;
    return row ? toCollection(row) : null;
  }

  saveMarkers(accountId: string, href: string, ctag: string | null, syncToken: string | null): void {
    this.db
      .prepare('UPDATE dav_collections SET ctag = ?, sync_token = ? WHERE account_id = ? AND href = ?')
      .run(ctag, syncToken, accountId, href);
  }

  /** Remove collections of this kind the server no longer lists (their objects go with them). */
  removeCollectionsExcept(accountId: string, kind: DavKind, keep: string[]): void {
    const existing = this.collections(accountId, kind);
    const del = this.db.prepare('DELETE FROM dav_collections WHERE account_id = ? AND href = ?');
    for (const c of existing) if (!keep.includes(c.href)) del.run(accountId, c.href);
  }

  /** href → etag of the objects stored for a collection. */
  etags(accountId: string, collectionHref: string): Map<string, string | null> {
    const rows = this.db
      .prepare('SELECT href, etag FROM dav_objects WHERE account_id = ? AND collection_href = ?')
      .all(accountId, collectionHref) as { href: string; etag: string | null }[];
    return new Map(rows.map((r) => [r.href, r.etag]));
  }

  putObjects(objects: DavObject[]): void {
    const stmt = this.db.prepare(
      `INSERT INTO dav_objects (account_id, collection_href, href, etag, raw, uid, title, emails, phones, organization, job_title, note, address, birthday)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (account_id, href) DO UPDATE SET collection_href = excluded.collection_href, etag = excluded.etag, raw = excluded.raw,
         uid = excluded.uid, title = excluded.title, emails = excluded.emails, phones = excluded.phones,
         organization = excluded.organization, job_title = excluded.job_title, note = excluded.note, address = excluded.address,
         birthday = excluded.birthday`,
    );
    this.db.transaction(() => {
      for (const o of objects) {
        const x = o.extras;
        stmt.run(
          o.accountId,
          o.collectionHref,
          o.href,
          o.etag,
          o.raw,
          o.uid,
          o.title,
          JSON.stringify(o.emails),
          JSON.stringify(o.phones),
          x?.organization ?? null,
          x?.title ?? null,
          x?.note ?? null,
          x?.address ?? null,
          x?.birthday ?? null,
        );
      }
    })();
  }

  deleteObjects(accountId: string, hrefs: string[]): void {
    const stmt = this.db.prepare('DELETE FROM dav_objects WHERE account_id = ? AND href = ?');
    this.db.transaction(() => {
      for (const h of hrefs) stmt.run(accountId, h);
    })();
  }

  /** One stored object (deleted locally or not). */
  object(accountId: string, href: string): (DavObject & { localDeleted: boolean }) | null {
    const row = this.db.prepare('SELECT * FROM dav_objects WHERE account_id = ? AND href = ?').get(accountId, href) as
      (ObjectRow & { local_deleted: number }) | undefined;
    return row ? { ...toObject(row), localDeleted: row.local_deleted === 1 } : null;
  }

  /** The visible object with this UID in a collection of this kind, with its collection's name, colour and read-only flag. */
  objectByUid(kind: DavKind, uid: string): (DavObject & CollectionOf) | null {
    const row = this.db
      .prepare(
        `SELECT o.*, c.display_name AS collection_name, c.color AS color, c.read_only AS collection_read_only FROM dav_objects o
         JOIN dav_collections c ON c.account_id = o.account_id AND c.href = o.collection_href
         WHERE c.kind = ? AND o.uid = ? AND o.local_deleted = 0 LIMIT 1`,
      )
      .get(kind, uid) as (ObjectRow & CollectionOfRow) | undefined;
    return row ? { ...toObject(row), ...collectionOf(row) } : null;
  }

  setEtag(accountId: string, href: string, etag: string | null): void {
    this.db.prepare('UPDATE dav_objects SET etag = ? WHERE account_id = ? AND href = ?').run(etag, accountId, href);
  }

  setLocalDeleted(accountId: string, href: string, deleted: boolean): void {
    this.db.prepare('UPDATE dav_objects SET local_deleted = ? WHERE account_id = ? AND href = ?').run(deleted ? 1 : 0, accountId, href);
  }

  /** Every object of every collection of this kind, with its collection's display name, colour and read-only flag. */
  objectsOfKind(kind: DavKind): (DavObject & CollectionOf)[] {
    const rows = this.db
      .prepare(
        `SELECT o.*, c.display_name AS collection_name, c.color AS color, c.read_only AS collection_read_only FROM dav_objects o
         JOIN dav_collections c ON c.account_id = o.account_id AND c.href = o.collection_href WHERE c.kind = ? AND o.local_deleted = 0`,
      )
      .all(kind) as (ObjectRow & CollectionOfRow)[];
    return rows.map((r) => ({ ...toObject(r), ...collectionOf(r) }));
  }

  /** Stored objects whose extras were never read (cards stored before migration 019): at most `limit`, through its partial index. */
  objectsWithoutExtras(limit: number): { accountId: string; href: string; raw: string }[] {
    return this.db
      .prepare(
        'SELECT account_id AS accountId, href, raw FROM dav_objects INDEXED BY dav_objects_extras_unread WHERE organization IS NULL LIMIT ?',
      )
      .all(limit) as { accountId: string; href: string; raw: string }[];
  }

  setExtras(accountId: string, href: string, x: CardExtras): void {
    this.db
      .prepare(
        'UPDATE dav_objects SET organization = ?, job_title = ?, note = ?, address = ?, birthday = ? WHERE account_id = ? AND href = ?',
      )
      .run(x.organization, x.title, x.note, x.address, x.birthday, accountId, href);
  }
}
