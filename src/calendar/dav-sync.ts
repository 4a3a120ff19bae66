/**
 * Read sync of CalDAV calendars and CardDAV address books into the store: discovery from the account's
 * caldav/carddav URL (current-user-principal → home set → collections; a calendar's DAV:current-user-privilege-set, asked
 * in the same listing, marks one shared in read-only: src/dav/privileges.ts), then per collection: skipped when
 * its getctag is unchanged (asked of each collection of the kind, Depth 0, and the only marker asked: servers such
 * as Radicale compute each marker over every item, so asking the sync-token too, or the getctag of the other kind's
 * collections in a shared home, multiplied the cost of an unchanged resync). Else, with a stored
 * sync-token, RFC 6578 sync-collection since it (ETags only, src/dav/sync-collection.ts), multiget of the new and changed resources in
 * batches of 100, deletion of the hrefs reported gone. The first sync (or a refused token) asks sync-collection
 * from an empty token WITH the data: one request brings every item and the token (a PROPFIND Depth 1 of the
 * ETags then multigets cost Radicale several times more); items the server sends without data are multigot.
 * Servers without sync-collection: PROPFIND Depth 1 for the ETags, then multiget.
 */
import { spaceCalendarHrefs } from '../workspaces/calendar-roots.js';
import { OstalError } from '../errors.js';
import { loadAccountCredentials } from '../accounts/account-rows.js';
import type { CoreContext } from '../context.js';
import { t } from '../i18n/index.js';
import type { Account } from '../store/account-repository.js';
import { DavClient } from '../dav/client.js';
import { decodeHref, hrefIn, textOf, type DavEntry } from '../dav/multistatus.js';
import { changesSince } from '../dav/sync-collection.js';
import { PRIVILEGE_SET_PROP, writableFrom } from '../dav/privileges.js';
import { parseCalendarObject } from './icalendar.js';
import { DavRepository, type DavKind, type DavObject } from './repository.js';
import { noCardExtras, readVCard } from '../contacts/vcard.js';
import { pendingHrefs, replayDavWrites } from './dav-writes.js';

const BATCH = 100;

interface KindSpec {
  setting: 'caldav' | 'carddav';
  homeSet: string;
  homeSetXml: string;
  resourcetype: string;
  ns: string;
  multiget: string;
  dataProp: string;
}

const SPECS: Record<DavKind, KindSpec> = {
  calendar: {
    setting: 'caldav',
    homeSet: 'calendar-home-set',
    homeSetXml: '<C:calendar-home-set/>',
    resourcetype: 'calendar',
    ns: 'urn:ietf:params:xml:ns:caldav',
    multiget: 'calendar-multiget',
    dataProp: 'calendar-data',
  },
  addressbook: {
    setting: 'carddav',
    homeSet: 'addressbook-home-set',
    homeSetXml: '<C:addressbook-home-set/>',
    resourcetype: 'addressbook',
    ns: 'urn:ietf:params:xml:ns:carddav',
    multiget: 'addressbook-multiget',
    dataProp: 'address-data',
  },
};

const propfind = (ns: string, props: string) =>
  `<?xml version="1.0" encoding="utf-8"?><D:propfind xmlns:D="DAV:" xmlns:C="${ns}" xmlns:CS="http://calendarserver.org/ns/" xmlns:I="http://apple.com/ns/ical/"><D:prop>${props}</D:prop></D:propfind>`;

const xmlEscape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Per open store: account|kind|url|user → the home set found by discovery. */
const knownHomes = new WeakMap<object, Map<string, string>>();

export interface DavSyncResult {
  collections: number;
  fetched: number;
  deleted: number;
  skipped: number;
}

/** The URL to discover from: the account's setting for this kind, or the CalDAV one for contacts (same server). */
function baseUrlFor(account: Account, kind: DavKind): string | null {
  const s = account.settings;
  const url = kind === 'calendar' ? s.caldav : (s.carddav ?? s.caldav);
  return url ? String(url) : null;
}

async function discoverHome(client: DavClient, spec: KindSpec, start: string): Promise<string> {
  const principalEntries = await client.multistatus('PROPFIND', start, propfind(spec.ns, '<D:current-user-principal/>'), '0', 'discovery');
  const principal = principalEntries.map((e) => hrefIn(e.props['current-user-principal'])).find(Boolean) ?? start;
  const homeEntries = await client.multistatus('PROPFIND', principal, propfind(spec.ns, spec.homeSetXml), '0', 'discovery');
  const home = homeEntries.map((e) => hrefIn(e.props[spec.homeSet])).find(Boolean);
  if (!home) throw new OstalError('discovery_failed', t('dav.errors.noHomeSet', { url: start }));
  return decodeHref(home);
}

function isCollectionOf(entry: DavEntry, resourcetype: string): boolean {
  const rt = entry.props.resourcetype;
  return !!rt && typeof rt === 'object' && resourcetype in (rt as Record<string, unknown>);
}

/**
 * Sync every collection of one kind for one account; null when the account has no server for it.
 * Throws a French OstalError when the server cannot be used.
 */
export async function syncDavKind(ctx: CoreContext, accountRow: Account, kind: DavKind): Promise<DavSyncResult | null> {
  const result: DavSyncResult = { collections: 0, fetched: 0, deleted: 0, skipped: 0 };
  const base = baseUrlFor(accountRow, kind);
  if (!base) return null;
  const spec = SPECS[kind];
  const { account, password } = await loadAccountCredentials(ctx, accountRow.id);
  const repo = new DavRepository(ctx.db);
  const client = new DavClient(base, {
    username: account.settings.username || account.email,
    password,
    pinnedCertificates: account.pinnedCertificates,
  });
  try {
    const list = (home: string) =>
      client.multistatus(
        'PROPFIND',
        home,
        propfind(spec.ns, `<D:resourcetype/><D:displayname/><I:calendar-color/>${kind === 'calendar' ? PRIVILEGE_SET_PROP : ''}`),
        '1',
        'list-collections',
      );
    // The home found by discovery is remembered while the core stays open; a home that no longer answers, or no
    // longer holds a collection of this kind, is discovered again.
    const homes = knownHomes.get(ctx.db) ?? new Map<string, string>();
    knownHomes.set(ctx.db, homes);
    const homeKey = `${account.id}|${kind}|${base}|${account.settings.username || account.email}`;
    let collections: DavEntry[] | null = null;
    const remembered = homes.get(homeKey);
    if (remembered) {
      try {
        collections = (await list(remembered)).filter((e) => isCollectionOf(e, spec.resourcetype));
      } catch (err) {
        if (!(err instanceof OstalError && err.code === 'server_error')) throw err;
      }
      if (!collections?.length) {
        homes.delete(homeKey);
        collections = null;
      }
    }
    if (!collections) {
      const home = await discoverHome(client, spec, decodeHref(client.resolve(base).pathname));
      collections = (await list(home)).filter((e) => isCollectionOf(e, spec.resourcetype));
      homes.set(homeKey, home);
    }
    if (kind === 'calendar') collections = [...collections, ...(await spaceCalendars(ctx, client, account.id, base, collections))];
    // The user's waiting writes first (the server answered), so the sync sees the server as the user left it.
    await replayDavWrites(ctx, client, account.id, kind);
    // getctag asked of this kind's collections only (Depth 0 each, two at a time): in a home shared by calendars
    // and address books, asking it in the listing made the server compute it for the other kind's too.
    const ctags = await Promise.all(
      collections.map(async (c) => {
        const answer = await client.multistatus('PROPFIND', c.href, propfind(spec.ns, '<CS:getctag/>'), '0', 'collection-ctag');
        return (
          textOf(
            answer.find((e) => e.href.replace(/\/$/, '') === c.href.replace(/\/$/, ''))?.props.getctag ?? answer[0]?.props.getctag,
          )?.trim() || null
        );
      }),
    );
    const known = new Map(repo.collections(account.id, kind).map((c) => [c.href, c]));
    for (const [i, entry] of collections.entries()) {
      const href = entry.href;
      const displayName = textOf(entry.props.displayname)?.trim() || decodeURIComponent(href.split('/').filter(Boolean).pop() ?? href);
      const color = textOf(entry.props['calendar-color'])?.trim() || null;
      const ctag = ctags[i];
      // A calendar shared to the agent in read-only (DAV:current-user-privilege-set without write) is marked so.
      const readOnly = kind === 'calendar' ? !writableFrom(entry.props) : undefined;
      repo.upsertCollection({ accountId: account.id, kind, href, displayName, color, readOnly });
      result.collections++;
      const previous = known.get(href);
      if (previous && ctag && previous.ctag === ctag) {
        result.skipped++;
        continue;
      }
      const changes = await syncCollection(ctx, client, repo, spec, kind, account.id, href, previous?.syncToken ?? null);
      result.fetched += changes.fetched;
      result.deleted += changes.deleted;
      repo.saveMarkers(account.id, href, ctag, changes.syncToken);
    }
    repo.removeCollectionsExcept(
      account.id,
      kind,
      collections.map((c) => c.href),
    );
    ctx.log.info('dav sync done', { account: account.id, kind, ...result });
    return result;
  } finally {
    client.close();
  }
}

/**
 * The calendars of the account's espaces de travail (on the organisation's shared CalDAV root, outside the user's
 * home): each one that answers is synced like the user's own. One that does not (not made yet, or the root refuses
 * the agent) is left out this time, with a line in the log.
 */
async function spaceCalendars(
  ctx: CoreContext,
  client: DavClient,
  accountId: string,
  base: string,
  known: DavEntry[],
): Promise<DavEntry[]> {
  const out: DavEntry[] = [];
  const have = new Set(known.map((c) => c.href.replace(/\/$/, '')));
  for (const space of spaceCalendarHrefs(ctx, accountId, base, ctx.log)) {
    if (have.has(space.href.replace(/\/$/, ''))) continue;
    try {
      const entries = await client.multistatus(
        'PROPFIND',
        space.href,
        propfind(SPECS.calendar.ns, `<D:resourcetype/><D:displayname/><I:calendar-color/>${PRIVILEGE_SET_PROP}`),
        '0',
        'space-calendar',
      );
      const entry = entries.find((e) => isCollectionOf(e, SPECS.calendar.resourcetype));
      if (entry) out.push({ ...entry, href: space.href });
      else ctx.log.info('dav sync: space calendar not found', { room: space.room });
    } catch (err) {
      ctx.log.warn('dav sync: space calendar not synced', { room: space.room, err: err as Error });
    }
  }
  return out;
}

async function syncCollection(
  ctx: CoreContext,
  client: DavClient,
  repo: DavRepository,
  spec: KindSpec,
  kind: DavKind,
  accountId: string,
  collectionHref: string,
  previousToken: string | null,
): Promise<{ fetched: number; deleted: number; syncToken: string | null }> {
  const local = repo.etags(accountId, collectionHref);
  // Items with writes still waiting are the user's: the sync leaves them until the replay has settled them.
  const waiting = pendingHrefs(ctx, accountId, kind);
  const isMember = (href: string) => href.replace(/\/$/, '') !== collectionHref.replace(/\/$/, '') && !href.endsWith('/');
  const ask = (token: string, withData: boolean) =>
    changesSince(client, collectionHref, { ns: spec.ns, dataProp: spec.dataProp, token, withData }, ctx.log);
  let changes = previousToken ? await ask(previousToken, false) : null;
  // First sync, or the token was refused: everything (with its data) since an empty token.
  changes ??= await ask('', true);
  if (!changes) {
    const entries = await client.multistatus(
      'PROPFIND',
      collectionHref,
      propfind(spec.ns, '<D:getetag/><D:resourcetype/>'),
      '1',
      'list-etags',
    );
    const remote = new Map<string, string | null>();
    for (const e of entries) if (isMember(e.href)) remote.set(e.href, textOf(e.props.getetag)?.trim() ?? null);
    changes = { present: remote, removed: [], data: new Map(), syncToken: null, full: true };
  }
  if (changes.full) changes.removed = [...local.keys()].filter((h) => !changes.present.has(h));
  const gone = changes.removed.filter((h) => local.has(h) && !waiting.has(h));
  const changed = [...changes.present.entries()]
    .filter(([h, etag]) => isMember(h) && !waiting.has(h) && (!local.has(h) || local.get(h) !== etag || etag === null))
    .map(([h]) => h);
  repo.deleteObjects(accountId, gone);
  const toObject = (href: string, etag: string | null, raw: string): DavObject | null => {
    try {
      if (kind === 'calendar') {
        const ev = parseCalendarObject(raw);
        return { accountId, collectionHref, href, etag, raw, uid: ev.uid, title: ev.summary, emails: [], phones: [], extras: noCardExtras };
      }
      const { contact: c, extras } = readVCard(raw);
      return { accountId, collectionHref, href, etag, raw, uid: c.uid, title: c.fn, emails: c.emails, phones: c.phones, extras };
    } catch (err) {
      ctx.log.warn('dav object skipped: malformed', { account: accountId, href, err: err as Error });
      return null;
    }
  };
  let fetched = 0;
  // Items that came with their data in the sync-collection answer: stored at once.
  const inline: DavObject[] = [];
  const toFetch: string[] = [];
  for (const h of changed) {
    const raw = changes.data.get(h);
    if (raw === undefined) {
      toFetch.push(h);
      continue;
    }
    const o = toObject(h, changes.present.get(h) ?? null, raw);
    if (o) inline.push(o);
  }
  if (inline.length) {
    repo.putObjects(inline);
    fetched += inline.length;
  }
  for (let i = 0; i < toFetch.length; i += BATCH) {
    const batch = toFetch.slice(i, i + BATCH);
    const body =
      `<?xml version="1.0" encoding="utf-8"?><C:${spec.multiget} xmlns:D="DAV:" xmlns:C="${spec.ns}"><D:prop><D:getetag/><C:${spec.dataProp}/></D:prop>` +
      batch.map((h) => `<D:href>${xmlEscape(client.resolve(h.split('/').map(encodeURIComponent).join('/')).pathname)}</D:href>`).join('') +
      `</C:${spec.multiget}>`;
    const answers = await client.multistatus('REPORT', collectionHref, body, '1', 'multiget');
    const objects: DavObject[] = [];
    for (const a of answers) {
      const raw = textOf(a.props[spec.dataProp]);
      if (!raw) continue;
      const o = toObject(a.href, textOf(a.props.getetag)?.trim() ?? null, raw);
      if (o) objects.push(o);
    }
    repo.putObjects(objects);
    fetched += objects.length;
  }
  return { fetched, deleted: gone.length, syncToken: changes.syncToken };
}
