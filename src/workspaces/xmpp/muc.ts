/**
 * Room steps of the espaces de travail: create and configure a members-only persistent archived room (XEP-0045),
 * members, mediated invitations, archive pages (XEP-0313), and the agent's own bookmarks (XEP-0402).
 */
import { randomUUID } from 'node:crypto';
import { xml, type Element } from '@xmpp/client';
import { OstalError } from '../../errors.js';
import { t } from '../../i18n/index.js';
import {
  bareJid,
  errorCondition,
  NS,
  readRoomMessage,
  roomRealJid,
  thrownCondition,
  type RoomMessage,
  type XmppSession,
} from './session.js';

const field = (v: string, value: string | string[]): Element =>
  xml('field', { var: v }, ...(Array.isArray(value) ? value : [value]).map((x) => xml('value', {}, x)));

/** Joins the room as `nick`; resolves with whether the room was just created (status 201). */
export async function joinRoom(session: XmppSession, room: string, nick: string, history = false): Promise<{ created: boolean }> {
  const full = `${room}/${nick}`;
  const answer = await session.sendAndWait(
    xml('presence', { to: full }, xml('x', { xmlns: NS.muc }, history ? undefined : xml('history', { maxstanzas: '0' }))),
    (s) => s.is('presence') && bareJid(s.attrs.from ?? '') === room && (s.attrs.from === full || s.attrs.type === 'error'),
  );
  if (answer.attrs.type === 'error') {
    const condition = errorCondition(answer);
    throw new OstalError('forbidden', t('workspaces.errors.roomRefused'), { details: { condition } });
  }
  const statuses = (answer.getChild('x', NS.mucUser)?.getChildren('status') ?? []).map((s) => s.attrs.code);
  return { created: statuses.includes('201') };
}

export async function configureRoom(session: XmppSession, room: string, name: string, description: string): Promise<void> {
  await submitRoomConfig(session, room, {
    'muc#roomconfig_roomname': name,
    'muc#roomconfig_roomdesc': description,
    'muc#roomconfig_persistentroom': '1',
    'muc#roomconfig_membersonly': '1',
    'muc#roomconfig_publicroom': '0',
    'muc#roomconfig_allowinvites': '0',
    'muc#roomconfig_whois': 'anyone',
    'muc#roomconfig_enablearchiving': '1',
    // Only the room's moderators (the space's owners) may set the subject, which carries the space's visio room.
    'muc#roomconfig_changesubject': '0',
  });
}

/** Submits room configuration fields (XEP-0045 § 10.2): the room accepts it from its owners only. */
export async function submitRoomConfig(session: XmppSession, room: string, fields: Record<string, string>): Promise<void> {
  await session.request(
    xml(
      'iq',
      { type: 'set', to: room, id: randomUUID() },
      xml(
        'query',
        { xmlns: NS.mucOwner },
        xml(
          'x',
          { xmlns: NS.data, type: 'submit' },
          field('FORM_TYPE', 'http://jabber.org/protocol/muc#roomconfig'),
          ...Object.entries(fields).map(([name, value]) => field(name, value)),
        ),
      ),
    ),
  );
}

/**
 * Sets affiliations ('member', 'none' to remove) of several addresses at once. The room's server accepts it from its
 * owners and admins only (XEP-0045 § 9.3): others get <forbidden/> or <not-allowed/>.
 */
export async function setAffiliations(
  session: XmppSession,
  room: string,
  items: { jid: string; affiliation: 'member' | 'none' | 'outcast' }[],
): Promise<void> {
  if (items.length === 0) return;
  await session.request(
    xml(
      'iq',
      { type: 'set', to: room, id: randomUUID() },
      xml('query', { xmlns: NS.mucAdmin }, ...items.map((i) => xml('item', { jid: i.jid, affiliation: i.affiliation }))),
    ),
  );
}

/** Owners and members of the room (a member may read it in a members-only room). */
export async function roomMembers(session: XmppSession, room: string): Promise<{ owners: string[]; members: string[] }> {
  const list = async (affiliation: string): Promise<string[]> => {
    const r = await session.request(
      xml('iq', { type: 'get', to: room, id: randomUUID() }, xml('query', { xmlns: NS.mucAdmin }, xml('item', { affiliation }))),
    );
    return (r.getChild('query', NS.mucAdmin)?.getChildren('item') ?? []).map((i) => bareJid(i.attrs.jid ?? '')).filter(Boolean);
  };
  const [owners, members] = await Promise.all([list('owner'), list('member')]);
  return { owners, members };
}

/** Mediated invitation (XEP-0045 § 7.8.2): the room forwards it; the server keeps it for an offline member. */
export async function inviteToRoom(session: XmppSession, room: string, jid: string, reason: string): Promise<void> {
  await session.send(
    xml('message', { to: room, id: randomUUID() }, xml('x', { xmlns: NS.mucUser }, xml('invite', { to: jid }, xml('reason', {}, reason)))),
  );
}

export interface RoomInfo {
  name: string;
  description: string;
  /** The room lets any occupant set its subject (muc#roomconfig_changesubject); else only its moderators may. */
  anyoneMaySetSubject: boolean;
}

export async function roomInfo(session: XmppSession, room: string): Promise<RoomInfo> {
  const r = await session.request(xml('iq', { type: 'get', to: room, id: randomUUID() }, xml('query', { xmlns: NS.discoInfo })));
  const query = r.getChild('query', NS.discoInfo);
  const identity = query?.getChild('identity');
  const form = query?.getChildren('x', NS.data).find((x) => x.getChildren('field').some((f) => f.attrs.var === 'FORM_TYPE'));
  const value = (v: string): string =>
    form
      ?.getChildren('field')
      .find((f) => f.attrs.var === v)
      ?.getChildText('value') ?? '';
  const changeSubject = value('muc#roomconfig_changesubject');
  return {
    name: value('muc#roomconfig_roomname') || identity?.attrs.name || room,
    description: value('muc#roominfo_description'),
    anyoneMaySetSubject: changeSubject === '1' || changeSubject === 'true',
  };
}

/**
 * Sets the room's subject (XEP-0045 § 8.1): the room sends it to every occupant, and to each one who joins later. The
 * agent must be in the room; the room refuses it (forbidden) from anyone but its moderators when it is configured so.
 */
export async function setRoomSubject(session: XmppSession, room: string, subject: string): Promise<void> {
  const id = randomUUID();
  // The room answers with the new subject, sent to every occupant (the agent included), or with an error of this id.
  const stanza = await session.sendAndWait(
    xml('message', { to: room, type: 'groupchat', id }, xml('subject', {}, subject)),
    (s) =>
      s.is('message') &&
      bareJid(s.attrs.from ?? '') === room &&
      ((s.attrs.type === 'error' && s.attrs.id === id) || (s.attrs.type === 'groupchat' && s.getChildText('subject') === subject)),
  );
  if (stanza.attrs.type === 'error')
    throw new OstalError('forbidden', t('workspaces.errors.subjectRefused'), { details: { condition: errorCondition(stanza) } });
}

/**
 * One MAM query to the room (XEP-0313): `query` gets the query id and returns the <query/> element to send; the
 * messages the server forwards for it are collected, with the archive's id. Throws `forbidden` when the room refuses
 * the agent (not a member).
 */
async function mamQuery(
  session: XmppSession,
  room: string,
  query: (queryid: string) => Element,
): Promise<{ collected: RoomMessage[]; fin: Element | undefined }> {
  const queryid = randomUUID();
  const collected: RoomMessage[] = [];
  const off = session.onStanza((s) => {
    if (!s.is('message') || bareJid(s.attrs.from ?? '') !== room) return;
    const result = s.getChild('result', NS.mam);
    if (!result || result.attrs.queryid !== queryid) return;
    const forwarded = result.getChild('forwarded', NS.forward);
    const message = forwarded?.getChild('message');
    if (!message) return;
    const m = readRoomMessage(message, room, {
      delayedAt: forwarded?.getChild('delay', NS.delay)?.attrs.stamp,
      realJid: roomRealJid(message),
    });
    if (m) collected.push({ ...m, stanzaId: result.attrs.id ?? m.stanzaId });
  });
  try {
    const answer = await session.request(xml('iq', { type: 'set', to: room, id: randomUUID() }, query(queryid)));
    return { collected, fin: answer.getChild('fin', NS.mam) };
  } catch (err) {
    const condition = thrownCondition(err);
    if (condition) throw new OstalError('forbidden', t('workspaces.errors.roomRefused'), { details: { condition } });
    throw err;
  } finally {
    off();
  }
}

/**
 * The last `max` archived messages of the room (before `before`, an archive id, when given), oldest first.
 * Throws `forbidden` when the room refuses the agent (not a member).
 */
export async function roomArchive(session: XmppSession, room: string, max: number, before?: string): Promise<RoomMessage[]> {
  return (await roomArchivePage(session, room, max, before)).messages;
}

/**
 * One page of the room's archive (RSM `before` an archive id, or the latest page), oldest first, and whether the
 * archive has nothing older (`complete`, XEP-0313 <fin complete="true"/>).
 */
export async function roomArchivePage(
  session: XmppSession,
  room: string,
  max: number,
  before?: string,
): Promise<{ messages: RoomMessage[]; complete: boolean }> {
  const { collected, fin } = await mamQuery(session, room, (queryid) =>
    xml('query', { xmlns: NS.mam, queryid }, xml('set', { xmlns: NS.rsm }, xml('max', {}, String(max)), xml('before', {}, before ?? ''))),
  );
  // The page's first message in time order is RSM <first/>: should a server send a « before » page newest first,
  // it is put back in time order.
  const first = fin?.getChild('set', NS.rsm)?.getChildText('first');
  if (collected.length > 1 && first && collected[collected.length - 1]?.stanzaId === first) collected.reverse();
  return { messages: collected, complete: fin?.attrs.complete === 'true' };
}

/**
 * Every archived message of the room from `start` on (ISO 8601), oldest first, page after page (at most
 * `maxPages` pages of `pageSize`). Used to find which queued messages the room already has before sending them.
 */
export async function roomArchiveSince(
  session: XmppSession,
  room: string,
  start: string,
  pageSize = 250,
  maxPages = 80,
): Promise<RoomMessage[]> {
  const all: RoomMessage[] = [];
  let after: string | null = null;
  for (let page = 0; page < maxPages; page++) {
    const { collected, fin } = await mamQuery(session, room, (queryid) =>
      xml(
        'query',
        { xmlns: NS.mam, queryid },
        xml('x', { xmlns: NS.data, type: 'submit' }, field('FORM_TYPE', NS.mam), field('start', start)),
        xml('set', { xmlns: NS.rsm }, xml('max', {}, String(pageSize)), after ? xml('after', {}, after) : undefined),
      ),
    );
    all.push(...collected);
    after = fin?.getChild('set', NS.rsm)?.getChildText('last') ?? null;
    if (fin?.attrs.complete === 'true' || collected.length === 0 || !after) break;
  }
  return all;
}

export interface Bookmark {
  room: string;
  name: string;
}

/** The agent's own room bookmarks (XEP-0402, in its PEP node urn:xmpp:bookmarks:1). */
export async function listBookmarks(session: XmppSession): Promise<Bookmark[]> {
  try {
    const ask = (): Promise<Element> =>
      session.request(
        xml(
          'iq',
          { type: 'get', to: session.jid, id: randomUUID() },
          xml('pubsub', { xmlns: NS.pubsub }, xml('items', { node: NS.bookmarks })),
        ),
        5000,
      );
    // Known risk: Prosody 0.12 left this request unanswered now and then in the tests; one retry.
    const r = await ask().catch((err: unknown) => {
      if (thrownCondition(err)) throw err;
      return ask();
    });
    const items = r.getChild('pubsub', NS.pubsub)?.getChild('items')?.getChildren('item') ?? [];
    return items.map((i) => ({ room: bareJid(i.attrs.id ?? ''), name: i.getChild('conference', NS.bookmarks)?.attrs.name ?? '' }));
  } catch (err) {
    if (thrownCondition(err) === 'item-not-found') return [];
    throw err;
  }
}

export async function addBookmark(session: XmppSession, room: string, name: string, nick: string): Promise<void> {
  const publishOptions = xml(
    'publish-options',
    {},
    xml(
      'x',
      { xmlns: NS.data, type: 'submit' },
      field('FORM_TYPE', 'http://jabber.org/protocol/pubsub#publish-options'),
      field('pubsub#persist_items', 'true'),
      field('pubsub#max_items', '255'),
      field('pubsub#send_last_published_item', 'never'),
      field('pubsub#access_model', 'whitelist'),
    ),
  );
  const publish = (options?: Element): Promise<Element> =>
    session.request(
      xml(
        'iq',
        { type: 'set', to: session.jid, id: randomUUID() },
        xml(
          'pubsub',
          { xmlns: NS.pubsub },
          xml(
            'publish',
            { node: NS.bookmarks },
            xml('item', { id: room }, xml('conference', { xmlns: NS.bookmarks, name, autojoin: 'true' }, xml('nick', {}, nick))),
          ),
          options,
        ),
      ),
    );
  // A node another client made with other settings refuses the options (conflict): publish with the node's own.
  await publish(publishOptions).catch((err: unknown) => {
    if (thrownCondition(err) !== 'conflict') throw err;
    return publish();
  });
}

export async function removeBookmark(session: XmppSession, room: string): Promise<void> {
  await session
    .request(
      xml(
        'iq',
        { type: 'set', to: session.jid, id: randomUUID() },
        xml('pubsub', { xmlns: NS.pubsub }, xml('retract', { node: NS.bookmarks, notify: 'true' }, xml('item', { id: room }))),
      ),
    )
    .catch((err: unknown) => {
      if (thrownCondition(err) !== 'item-not-found') throw err;
    });
}
