/**
 * Espaces de travail: creation (room, Documents folder, Visio room), discovery of the spaces an agent belongs to,
 * and their Discussion. One XMPP session per account, opened on first use and closed with the Core.
 *
 * What lives on the servers: the room (name, description, members as affiliations, archive), the mediated
 * invitation kept for an offline member, each member's own bookmarks, and the Documents folder on the shared
 * WebDAV root. The Documents folder and the Visio room are derived from the room's local part, so another member
 * finds them from the room alone.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { xml, type Element } from '@xmpp/client';
import type { CoreContext } from '../context.js';
import type { ChatFile, ChatFileInfo, ChatMessage, ChatPage, DirectConversation, PresenceState, Workspace } from '../shared/contract.js';
import { OstalError } from '../errors.js';
import { t } from '../i18n/index.js';
import { loadAccountCredentials } from '../accounts/account-rows.js';
import { AccountRepository } from '../store/account-repository.js';
import { readSetting } from '../store/settings-repository.js';
import { tryXmppSrv } from '../accounts/discovery.js';
import { parseXmppEndpoint } from '../accounts/endpoints.js';
import { createResolver, networkEnv } from '../net/dns.js';
import { WebDavClient } from '../files/webdav.js';
import { makeSpaceCalendar, spaceCalendarUrl } from './calendar-roots.js';
import type { Account } from '../store/account-repository.js';
import { WorkspaceRepository, type ArchivePage, type PendingMessage } from './repository.js';
import { mentionNames, mentions } from './mentions.js';
import { bareJid, NS, readRoomMessage, resourceOf, roomRealJid, thrownCondition, XmppSession, type RoomMessage } from './xmpp/session.js';
import {
  addBookmark,
  configureRoom,
  inviteToRoom,
  joinRoom,
  listBookmarks,
  removeBookmark,
  roomArchivePage,
  roomArchiveSince,
  roomInfo,
  roomMembers,
  setAffiliations,
  setRoomSubject,
} from './xmpp/muc.js';
import { directArchive, directArchiveSince, readDirectMessage, type DirectMessage } from './xmpp/direct.js';
import { discoverUpload, oobElement, requestSlot, type UploadService } from './xmpp/upload.js';
import {
  ChatFileStore,
  chatFileOf,
  checkSlotHost,
  checkUploadName,
  fileNameOf,
  putFile,
  slotRefusal,
  tooLarge,
  type OwnServer,
} from './chat-files.js';

/** Local key of a direct discussion with `peer` (its messages share the Discussion tables, under this key). */
export const DIRECT_PREFIX = 'direct:';
const directKey = (peer: string): string => `${DIRECT_PREFIX}${peer}`;

/**
 * Longest message accepted (characters). Prosody's own limit is on the whole stanza (c2s_stanza_size_limit, 256 Kio by
 * default in 0.12: it closes the stream of a client that sends more); a message stays far below it.
 */
export const MAX_MESSAGE_LENGTH = 10_000;
/**
 * Longest text kept of a message received (characters; Prosody lets through up to 256 Kio a stanza): the rest is cut
 * and the message says so in French. The view and the store never hold a megabyte-long message.
 */
export const MAX_RECEIVED_LENGTH = 2 * MAX_MESSAGE_LENGTH;
/** Live messages are stored in batches (one transaction, one event): a flood from the server does not block the core. */
const LIVE_BATCH_MS = 10;
/** A mention in a message older than this (found in the archive) makes no notice, only the badge. */
const MENTION_NOTICE_MS = 60 * 60_000;
/** Messages asked of the room's archive at once when scrolling back past the local copy (Prosody answers up to 500). */
const ARCHIVE_PAGE = 200;
/** The latest archive page behind an opened Discussion is read again at most this often per space. */
const LATEST_READ_MS = 3000;
/** Archive read before sending the queue: from the oldest queued message minus this margin (clocks differ). */
const QUEUE_ARCHIVE_MARGIN_MS = 10 * 60_000;

const envNumber = (name: string): number | undefined => {
  const v = Number(process.env[name]);
  return Number.isFinite(v) && v > 0 ? v : undefined;
};
const EMAIL = /^[^\s@/<>"']+@[a-z0-9.-]+\.[a-z]{2,}$/i;

/** A message's text: not empty, not over {@link MAX_MESSAGE_LENGTH}. */
function checkText(text: string): void {
  if (text.length > MAX_MESSAGE_LENGTH) throw new OstalError('invalid_input', t('workspaces.errors.tooLong', { max: MAX_MESSAGE_LENGTH }));
  if (!text.trim()) throw new OstalError('invalid_input', t('workspaces.errors.empty'));
}

/** « Projet médiathèque » → projet-mediatheque */
export function slugOf(name: string): string {
  const s = name
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40);
  return s || 'espace';
}

/** « en ligne », « absent » or « en réunion » from a presence's <show/>. */
function stateOf(presence: Element): PresenceState {
  const show = presence.getChildText('show');
  if (show === 'dnd') return 'meeting';
  if (show === 'away' || show === 'xa') return 'away';
  return 'online';
}

const localPart = (jid: string): string => jid.slice(0, jid.indexOf('@'));
const domainOf = (jid: string): string => jid.slice(jid.indexOf('@') + 1).toLowerCase();
/** The server could not be reached or did not answer in time (the agent is offline for this): not a refusal. */
const isUnreachable = (err: unknown): boolean => {
  const code = (err as OstalError).code;
  return code === 'unreachable' || code === 'timeout';
};
/** An invitation counts only when a room of the organisation's room service sent it (the room itself: no resource). */
const isServiceRoom = (from: string, service: string): boolean => domainOf(from) === service && !from.includes('/');

/**
 * The visio of a space: a meeting room whose id only its members know. The room's subject carries it (only the room's
 * moderators may set it: configureRoom) and the owner's Ostal draws a new one when a member is removed, so that the
 * link a former member kept leads to an empty room. « espace- » and 24 random characters.
 */
const VISIO_ROOM_IN_SUBJECT = /(?:^|\s)(espace-[A-Za-z0-9_-]{24})(?=\s|$)/;
const newVisioRoom = (): string => `espace-${randomBytes(18).toString('base64url')}`;
/** A space made before its visio's id was in the subject: the id was the room's name, known to any former member. */
const legacyVisioRoom = (room: string): string => `espace-${localPart(room)}`;

export class WorkspaceHub {
  private readonly sessions = new Map<string, Promise<XmppSession>>();
  private readonly joined = new Map<string, Promise<void>>();
  /** One queue flush at a time per space (messages leave in the order they were written). */
  private readonly flushing = new Map<string, Promise<void>>();
  /** Accounts whose live session dropped and should come back (app modes). */
  private readonly reconnect = new Set<string>();
  private retryTimer: NodeJS.Timeout | null = null;
  private readonly inviteRefresh = new Map<string, Promise<void>>();
  /** Live invitations being bookmarked (close waits for them: the server keeps no copy of an invitation it delivered). */
  private readonly accepting = new Set<Promise<void>>();
  /** Accounts with an open XMPP session right now. */
  private readonly connected = new Set<string>();
  /**
   * Real address of each occupant of the rooms joined, by `<account> <room>` then nickname, from the presences the
   * room sends (it writes the address itself): the sender of a live message, which carries no address the room vouches
   * for.
   */
  private readonly occupants = new Map<string, Map<string, string>>();
  /** Live messages waiting for their batch, by `<account> <room>`. */
  private readonly liveBatch = new Map<string, { account: Account; room: string; messages: RoomMessage[] }>();
  private liveTimer: NodeJS.Timeout | null = null;
  /** Origin ids of queued messages written by this process and never handed to a connection (not in any archive). */
  private readonly fresh = new Set<string>();
  private closed = false;
  /** Told when a space leaves this agent's list (its Documents are let go: core.ts). */
  onSpaceGone: ((w: Workspace) => Promise<unknown>) | null = null;
  /** Presence of colleagues: bare address → where it was seen (`<account> <room>/<nick>` or a full address) → state. */
  private readonly presences = new Map<string, Map<string, PresenceState>>();
  private presenceTimer: NodeJS.Timeout | null = null;
  private readonly presenceChanged = new Set<string>();
  private readonly retryMs: number;
  /** The upload service (XEP-0363) of each account's server, found once. */
  private readonly uploadServices = new Map<string, Promise<UploadService | null>>();
  /** The host each account's XMPP connection goes to (its own server, like its mail domain). */
  private readonly xmppHosts = new Map<string, string>();
  private fileStoreInstance: ChatFileStore | null = null;

  constructor(private readonly ctx: CoreContext) {
    this.retryMs = envNumber('OSTAL_PROBE_INTERVAL_MS') ?? 5_000;
  }

  /** App modes: sends what the queue holds from an earlier run and opens the live sessions of the known spaces. */
  start(): void {
    if (this.ctx.mode === 'cli') return;
    const accounts = new Set(this.repo.list().map((w) => w.accountId));
    for (const a of this.repo.accountsWithPending()) accounts.add(a);
    for (const a of accounts) this.reconnect.add(a);
    if (accounts.size > 0) this.scheduleRetry(0);
  }

  /** The latest archive page read behind an opened Discussion, per space (service.page). */
  private readonly latestReads = new Map<string, { at: number; done: boolean }>();
  private repoInstance: WorkspaceRepository | null = null;
  private get repo(): WorkspaceRepository {
    return (this.repoInstance ??= new WorkspaceRepository(this.ctx.db));
  }

  private account(accountId?: string): Account {
    const accounts = new AccountRepository(this.ctx.db).list();
    const account = accountId ? accounts.find((a) => a.id === accountId) : accounts[0];
    if (!account) throw new OstalError('not_found', t('errors.accountNotFound'));
    return account;
  }

  private mucService(account: Account): string {
    return readSetting(this.ctx, 'workspaces.mucService') || `conference.${domainOf(account.email)}`;
  }

  private async service(account: Account): Promise<string> {
    if (account.settings.xmpp) return parseXmppEndpoint(account.settings.xmpp).url;
    const found = await tryXmppSrv(domainOf(account.email), { resolver: createResolver(networkEnv()), log: this.ctx.log });
    if (!found) throw new OstalError('not_configured', t('workspaces.errors.noXmpp', { domain: domainOf(account.email) }));
    this.xmppHosts.set(account.id, new URL(found).hostname.toLowerCase());
    return found;
  }

  private session(account: Account): Promise<XmppSession> {
    const existing = this.sessions.get(account.id);
    if (existing) {
      return existing.then((s) => {
        if (s.online) return s;
        this.sessions.delete(account.id);
        for (const key of [...this.joined.keys()]) if (key.startsWith(`${account.id} `)) this.joined.delete(key);
        for (const key of [...this.occupants.keys()]) if (key.startsWith(`${account.id} `)) this.occupants.delete(key);
        return this.session(account);
      });
    }
    const opening = (async () => {
      const { password } = await loadAccountCredentials(this.ctx, account.id);
      const login = account.settings.username?.trim() || account.email;
      const session = await XmppSession.open({
        service: await this.service(account),
        domain: domainOf(account.email),
        username: login.includes('@') ? localPart(login) : login,
        password,
        log: this.ctx.log,
      });
      session.onStanza((stanza) => this.live(account, session, stanza));
      this.connected.add(account.id);
      session.onClose(() => {
        this.connected.delete(account.id);
        this.ctx.log.info('workspaces: XMPP connection lost', { account: account.id });
        if (this.closed) return;
        if (this.ctx.mode !== 'cli') this.reconnect.add(account.id);
        if (this.ctx.mode !== 'cli' || this.repo.pending(account.id).length > 0) this.scheduleRetry();
      });
      return session;
    })();
    this.sessions.set(account.id, opening);
    opening.catch(() => this.sessions.delete(account.id));
    return opening;
  }

  private documentsUrl(room: string): string | null {
    const root = readSetting(this.ctx, 'workspaces.webdavRoot');
    if (!root) return null;
    return `${root.endsWith('/') ? root : root + '/'}${encodeURIComponent(localPart(room))}/`;
  }

  private async ensureJoined(account: Account, session: XmppSession, room: string): Promise<void> {
    const key = `${account.id} ${room}`;
    let joining = this.joined.get(key);
    if (!joining) {
      joining = joinRoom(session, room, session.jid).then(() => undefined);
      this.joined.set(key, joining);
      joining.catch(() => this.joined.delete(key));
    }
    await joining;
  }

  list(): Workspace[] {
    return this.repo.list();
  }

  async create(params: { name: string; description?: string; members: string[]; accountId?: string }): Promise<Workspace> {
    const account = this.account(params.accountId);
    const me = account.email.toLowerCase();
    const members = [...new Set(params.members.map((m) => m.trim().toLowerCase()).filter((m) => m && m !== me))];
    const bad = members.find((m) => !EMAIL.test(m));
    if (bad) throw new OstalError('invalid_input', t('workspaces.errors.badMember', { address: bad }));
    const root = readSetting(this.ctx, 'workspaces.webdavRoot');
    if (!root) throw new OstalError('not_configured', t('workspaces.errors.noSharedRoot'));
    const session = await this.session(account);
    const room = `${slugOf(params.name)}-${randomBytes(3).toString('hex')}@${this.mucService(account)}`;
    const description = params.description?.trim() ?? '';
    const { created } = await joinRoom(session, room, session.jid);
    if (!created) throw new OstalError('already_exists', t('workspaces.errors.roomExists'));
    this.joined.set(`${account.id} ${room}`, Promise.resolve());
    await configureRoom(session, room, params.name.trim(), description);
    const visioRoom = newVisioRoom();
    await setRoomSubject(session, room, t('workspaces.visioSubject', { room: visioRoom }));
    await setAffiliations(
      session,
      room,
      members.map((jid) => ({ jid, affiliation: 'member' })),
    );
    const documentsUrl = this.documentsUrl(room);
    if (documentsUrl) await this.makeDocumentsFolder(account, documentsUrl);
    await this.makeAgenda(account, room, params.name.trim());
    for (const m of members) await inviteToRoom(session, room, m, params.name.trim());
    await addBookmark(session, room, params.name.trim(), session.jid);
    const workspace: Workspace = {
      id: room,
      accountId: account.id,
      name: params.name.trim(),
      description,
      members: [me, ...members],
      owner: me,
      documentsUrl,
      visioRoom,
      createdAt: new Date().toISOString(),
      unread: 0,
      mentions: 0,
    };
    this.repo.upsert(workspace);
    this.ctx.log.info('workspace created', { room, members: members.length });
    this.ctx.emit('workspaces.changed', { workspaceIds: [room] });
    return workspace;
  }

  private async makeDocumentsFolder(account: Account, url: string): Promise<void> {
    const { password } = await loadAccountCredentials(this.ctx, account.id);
    const root = new URL('./', url.replace(/\/$/, '')).toString();
    const dav = new WebDavClient(root, {
      username: account.settings.username?.trim() || account.email,
      password,
      pinnedCertificates: account.pinnedCertificates,
    });
    try {
      const href = new URL(url).pathname;
      if (!(await dav.stat(href))) await dav.mkcol(href);
    } finally {
      dav.close();
    }
  }

  /**
   * The space's « Agenda »: a calendar under the organisation's shared CalDAV root (none without the policy key). A
   * refusal is logged and the space still made: its agenda then says it is not available.
   */
  private async makeAgenda(account: Account, room: string, name: string): Promise<void> {
    const url = spaceCalendarUrl(this.ctx, room);
    if (!url) return;
    const { password } = await loadAccountCredentials(this.ctx, account.id);
    try {
      await makeSpaceCalendar(url, name, {
        username: account.settings.username?.trim() || account.email,
        password,
        pinnedCertificates: account.pinnedCertificates,
      });
    } catch (err) {
      this.ctx.log.warn('workspaces: space calendar not made', { room, err: err as Error });
    }
  }

  /** Finds every space the agent belongs to: invitations kept by the server, then its bookmarks; drops the others. */
  async refresh(accountId?: string): Promise<Workspace[]> {
    const accounts = accountId ? [this.account(accountId)] : new AccountRepository(this.ctx.db).list();
    for (const account of accounts) {
      try {
        await this.refreshAccount(account);
      } catch (err) {
        if (this.ctx.mode !== 'cli' && isUnreachable(err)) {
          // Read again when the server answers (the retry loop): the list then comes by itself (workspaces.changed),
          // also on a first start with no space known yet, where nothing else would ask again.
          this.reconnect.add(account.id);
          this.scheduleRetry();
        }
        throw err;
      }
    }
    return this.repo.list();
  }

  private async refreshAccount(account: Account): Promise<void> {
    // Only the spaces known before this pass may be dropped by it: one created meanwhile (the pass reads every room, it
    // takes a while for an agent in many spaces) is not in the bookmarks it read, and must stay.
    const knownBefore = new Set(this.repo.listFor(account.id).map((w) => w.id));
    const session = await this.session(account);
    const service = this.mucService(account);
    const bookmarks = await listBookmarks(session);
    const rooms = new Map<string, boolean>(bookmarks.map((b) => [b.room, true]));
    for (const inv of session.invitations.splice(0)) {
      // An invitation counts only when the room itself sent it, from the organisation's room service.
      if (!isServiceRoom(inv.room, service)) {
        this.ctx.log.warn('workspaces: invitation ignored (not from a room of the service)', { room: inv.room });
        continue;
      }
      if (rooms.has(inv.room)) continue;
      // Bookmarked before the room is read: the invitation is taken from the session once, and a room that cannot be
      // read now (a timeout) is read again at the next pass instead of being lost; one that refuses us is unbookmarked.
      const bookmarked = await addBookmark(session, inv.room, inv.reason.trim() || localPart(inv.room), session.jid).then(
        () => true,
        (err: unknown) => {
          this.ctx.log.warn('workspaces: invitation not bookmarked yet', { room: inv.room, err: err as Error });
          return false;
        },
      );
      rooms.set(inv.room, bookmarked);
    }
    const kept = new Set<string>();
    for (const [room, bookmarked] of rooms) {
      if (domainOf(room) !== service) continue;
      try {
        const [info, archive] = await Promise.all([roomInfo(session, room), roomArchivePage(session, room, 50)]);
        const { owners, members } = await roomMembers(session, room).catch(() => ({ owners: [] as string[], members: [] as string[] }));
        if (!bookmarked) await addBookmark(session, room, info.name, session.jid);
        const known = this.repo.listFor(account.id).find((w) => w.id === room);
        const workspace: Workspace = {
          id: room,
          accountId: account.id,
          name: info.name,
          description: info.description,
          members: [...new Set([...owners, ...members])],
          owner: owners[0] ?? null,
          documentsUrl: this.documentsUrl(room),
          // Read from the room's subject once in the room (onSubject), kept from then on.
          visioRoom: known?.visioRoom ?? legacyVisioRoom(room),
          createdAt: known?.createdAt ?? new Date().toISOString(),
          unread: 0,
          mentions: 0,
        };
        this.repo.upsert(workspace);
        this.storeArchive(account, room, archive.messages, false, { complete: archive.complete });
        kept.add(room);
      } catch (err) {
        // Refused (not a member any more) or gone (destroyed): the space leaves this agent's list.
        const condition = thrownCondition(err);
        if ((err as OstalError).code !== 'forbidden' && condition !== 'item-not-found' && condition !== 'gone') {
          if (!session.online) throw err;
          // Another failure of this one room (a timeout): the others go on, its local copy stays.
          this.ctx.log.warn('workspaces: room not refreshed', { room, err: err as Error });
          if (this.repo.get(room)) kept.add(room);
          continue;
        }
        this.ctx.log.info('workspaces: room refuses us or is gone, space removed', { room, condition });
        if (bookmarked) await removeBookmark(session, room);
      }
    }
    const gone = this.repo.listFor(account.id).filter((w) => knownBefore.has(w.id) && !kept.has(w.id));
    await Promise.all(gone.map((w) => this.forget(account.id, w.id)));
    this.ctx.emit('workspaces.changed', { workspaceIds: [...kept] });
    // In the rooms, for their live messages (mentions, unread counts); then what the queue holds.
    await Promise.all(
      [...kept].map((room) =>
        this.ensureJoined(account, session, room).catch((err: unknown) =>
          this.ctx.log.warn('workspaces: cannot join room', { room, err: err as Error }),
        ),
      ),
    );
    await this.flushAccount(account).catch((err: unknown) => {
      this.ctx.log.info('workspaces: queue not sent yet', { err: err as Error });
      this.scheduleRetry();
    });
  }

  /**
   * Stores messages of the room (archive or live); a new one naming the agent makes a `workspaces.mention` event.
   * Corrections and deletions apply to their message only when they come from its sender (repository.storeMessages).
   */
  private storeArchive(account: Account, room: string, messages: RoomMessage[], live: boolean, page?: ArchivePage): void {
    const me = account.email.toLowerCase();
    const names = mentionNames(account.name, me);
    const { added, corrected, ignored } = this.repo.storeMessages(
      account.id,
      room,
      messages.map((m) => {
        const sender = m.realJid ?? m.nick;
        const mine = sender === me;
        let body = m.body;
        if (body.length > MAX_RECEIVED_LENGTH) {
          this.ctx.log.warn('workspaces: message received too long, cut', { room, from: sender, length: body.length });
          body = `${body.slice(0, MAX_RECEIVED_LENGTH)}${t('discussionEdits.truncated', { max: MAX_RECEIVED_LENGTH.toLocaleString('fr-FR') })}`;
        }
        return {
          id: m.stanzaId ?? m.originId ?? randomUUID(),
          originId: m.originId,
          sender,
          body,
          sentAt: m.sentAt,
          seen: mine,
          mentionsMe: !mine && mentions(body, names),
          replyTo: m.replyTo,
          replaces: m.replaces,
          retracts: m.retracts,
          senderVouched: m.realJid !== null,
        };
      }),
      page,
    );
    for (const i of ignored) {
      // A member cannot change another member's message: logged, never applied.
      if (i.reason === 'not-sender')
        this.ctx.log.warn('workspaces: correction or deletion ignored (not from the message sender)', { room, ...i });
    }
    if (added.length === 0 && !(live && corrected.length > 0)) return;
    const w = added.some((m) => m.mentionsMe) ? this.repo.get(room) : null;
    for (const m of added) {
      if (!m.mentionsMe || !w) continue;
      if (!live && Date.now() - Date.parse(m.sentAt) > MENTION_NOTICE_MS) continue;
      this.ctx.log.info('workspaces: mention', { room, from: m.sender });
      this.ctx.emit('workspaces.mention', { workspaceId: room, workspaceName: w.name, messageId: m.id, from: m.sender, text: m.body });
    }
    this.ctx.emit('workspaces.messages', { workspaceId: room, messageIds: [...added.map((m) => m.id), ...corrected] });
  }

  /** Keeps the room's occupants and their real addresses (from the presences the room writes). */
  private trackOccupant(account: Account, stanza: Element): void {
    const from = stanza.attrs.from ?? '';
    const nick = resourceOf(from);
    if (!nick || !stanza.getChild('x', NS.mucUser)) return;
    const key = `${account.id} ${bareJid(from)}`;
    let room = this.occupants.get(key);
    if (stanza.attrs.type === 'unavailable') {
      const gone = room?.get(nick);
      if (gone) this.notePresence(gone, `${key}/${nick}`, null);
      room?.delete(nick);
      return;
    }
    if (stanza.attrs.type === 'error') return;
    const jid = roomRealJid(stanza);
    if (!jid) return;
    if (!room) this.occupants.set(key, (room = new Map()));
    room.set(nick, jid);
    this.notePresence(jid, `${key}/${nick}`, stateOf(stanza));
  }

  private notePresence(jid: string, where: string, state: PresenceState | null): void {
    let seen = this.presences.get(jid);
    if (state === null) {
      if (!seen?.delete(where)) return;
      if (seen.size === 0) this.presences.delete(jid);
    } else {
      if (!seen) this.presences.set(jid, (seen = new Map()));
      if (seen.get(where) === state) return;
      seen.set(where, state);
    }
    // Batched: a room full of agents joining makes one event.
    this.presenceChanged.add(jid);
    this.presenceTimer ??= setTimeout(() => {
      this.presenceTimer = null;
      const addresses = [...this.presenceChanged];
      this.presenceChanged.clear();
      this.ctx.emit('workspaces.presence', { addresses });
    }, 100);
  }

  /** Colleagues seen connected, with their state (« en réunion » wins over « en ligne », which wins over « absent »). */
  presenceList(): Record<string, PresenceState> {
    const rank: Record<PresenceState, number> = { away: 0, online: 1, meeting: 2 };
    const out: Record<string, PresenceState> = {};
    for (const [jid, seen] of this.presences) {
      let best: PresenceState | null = null;
      for (const s of seen.values()) if (best === null || rank[s] > rank[best]) best = s;
      if (best) out[jid] = best;
    }
    return out;
  }

  /** Tells the agent's colleagues (its server and every room joined) it is « en réunion » or back « en ligne ». */
  async setPresence(state: 'online' | 'meeting'): Promise<void> {
    const show = (): Element[] => (state === 'meeting' ? [xml('show', {}, 'dnd'), xml('status', {}, t('directChat.inMeeting'))] : []);
    for (const [accountId, opening] of this.sessions) {
      const session = await opening.catch(() => null);
      if (!session?.online) continue;
      await session.send(xml('presence', {}, ...show())).catch(() => undefined);
      for (const key of this.joined.keys()) {
        if (!key.startsWith(`${accountId} `)) continue;
        const room = key.slice(accountId.length + 1);
        await session.send(xml('presence', { to: `${room}/${session.jid}` }, ...show())).catch(() => undefined);
      }
    }
  }

  /** The sender of a live message of the room, as the room vouches for it; null when unknown. */
  private liveSender(account: Account, stanza: Element): string | null {
    const from = stanza.attrs.from ?? '';
    return this.occupants.get(`${account.id} ${bareJid(from)}`)?.get(resourceOf(from)) ?? null;
  }

  /** A stanza of the live session: a room's message, or the room telling the agent it is no longer a member. */
  private live(account: Account, session: XmppSession, stanza: Element): void {
    const from = stanza.attrs.from ?? '';
    const room = bareJid(from);
    if (stanza.is('message') && stanza.attrs.type !== 'groupchat' && stanza.getChild('x', NS.mucUser)?.getChild('invite')) {
      // An invitation delivered live (this device online): accepted now, so that the agent's bookmarks carry the
      // space to its other computers (the server keeps no copy of an invitation it delivered). The room is bookmarked
      // at once — only a room of the organisation's room service, as refresh checks — and the refresh then reads it:
      // a refresh reads every room and takes a while for an agent in many spaces, and Ostal may be closed meanwhile.
      if (isServiceRoom(from, this.mucService(account))) {
        const reason = stanza.getChild('x', NS.mucUser)?.getChild('invite')?.getChildText('reason')?.trim();
        const accepting: Promise<void> = addBookmark(session, room, reason || localPart(room), session.jid)
          .catch((err: unknown) => this.ctx.log.warn('workspaces: invitation not bookmarked yet', { room, err: err as Error }))
          .finally(() => this.accepting.delete(accepting));
        this.accepting.add(accepting);
      }
      if (!this.inviteRefresh.has(account.id)) {
        const run = new Promise<void>((resolve) => setTimeout(resolve, 200))
          .then(() => this.refreshAccount(account))
          .catch((err: unknown) => this.ctx.log.warn('workspaces: invitation not accepted yet', { err: err as Error }))
          .finally(() => this.inviteRefresh.delete(account.id));
        this.inviteRefresh.set(account.id, run);
      }
      return;
    }
    if (stanza.is('message') && stanza.attrs.type !== 'groupchat' && !stanza.getChild('result', NS.mam)) {
      // A direct message: its author is the address the server wrote in `from` (never one named inside it).
      const m = readDirectMessage(stanza, session.jid);
      if (m && domainOf(m.sender) !== this.mucService(account)) this.storeDirect(account, [m]);
      return;
    }
    if (stanza.is('presence') && !stanza.getChild('x', NS.mucUser)) {
      // A colleague's own presence (subscription): its address is the one the server wrote in `from`.
      const jid = bareJid(from);
      if (jid.includes('@') && jid !== session.jid && (stanza.attrs.type === undefined || stanza.attrs.type === 'unavailable'))
        this.notePresence(jid, from, stanza.attrs.type === 'unavailable' ? null : stateOf(stanza));
      return;
    }
    if (stanza.is('presence')) this.trackOccupant(account, stanza);
    // (Not repo.get: it counts the unread messages, which a flood of live messages must not do for each one.)
    if (!this.repo.has(account.id, room)) return;
    if (stanza.is('presence')) {
      if (stanza.attrs.type !== 'unavailable' || resourceOf(from) !== session.jid) return;
      const codes = (stanza.getChild('x', NS.mucUser)?.getChildren('status') ?? []).map((c) => c.attrs.code);
      // 321: removed because its affiliation changed (no longer a member); 301: banned.
      if (!codes.includes('321') && !codes.includes('301')) {
        this.joined.delete(`${account.id} ${room}`);
        return;
      }
      this.ctx.log.info('workspaces: removed from the room, space removed', { room, codes });
      this.joined.delete(`${account.id} ${room}`);
      void this.forget(account.id, room);
      void removeBookmark(session, room).catch((err: unknown) =>
        this.ctx.log.warn('workspaces: bookmark not removed', { room, err: err as Error }),
      );
      this.ctx.emit('workspaces.changed', { workspaceIds: [room] });
      return;
    }
    if (stanza.is('message') && stanza.attrs.type === 'groupchat' && stanza.getChild('subject') && !stanza.getChild('body')) {
      void this.onSubject(account, session, room, stanza.getChildText('subject') ?? '', this.liveSender(account, stanza));
      return;
    }
    if (!stanza.is('message') || stanza.attrs.type !== 'groupchat' || stanza.getChild('delay', NS.delay)) return;
    // The sender is the occupant the room announced under that nickname, never an address written in the message. An
    // occupant unknown here (presence not seen): left to the archive, which names the sender itself.
    const realJid = this.liveSender(account, stanza);
    if (!realJid) {
      this.ctx.log.info('workspaces: live message of an unknown occupant left to the archive', { room });
      return;
    }
    const m = readRoomMessage(stanza, room, { realJid });
    if (!m) return;
    const key = `${account.id} ${room}`;
    const batch = this.liveBatch.get(key);
    if (batch) batch.messages.push(m);
    else this.liveBatch.set(key, { account, room, messages: [m] });
    this.liveTimer ??= setTimeout(() => this.storeLiveBatch(), LIVE_BATCH_MS);
  }

  /**
   * The room's subject, sent on joining and whenever it changes: it carries the space's visio room. Taken only when
   * the room lets its moderators alone set it, or when the occupant who set it is the space's owner; a space whose
   * subject is empty (made before) gets one from its owner's Ostal. Never throws.
   */
  private async onSubject(account: Account, session: XmppSession, room: string, text: string, setBy: string | null): Promise<void> {
    try {
      const w = this.repo.listFor(account.id).find((x) => x.id === room);
      if (!w) return;
      // Asked each time (a subject comes on joining and when it changes): an owner may have opened the room since.
      const open = (await roomInfo(session, room)).anyoneMaySetSubject;
      const visioRoom = VISIO_ROOM_IN_SUBJECT.exec(text)?.[1];
      if (!visioRoom) {
        if (!text.trim() && !open && w.owner === account.email.toLowerCase()) await this.renewVisio(account, session, room);
        return;
      }
      if (open && (!setBy || setBy !== w.owner)) {
        this.ctx.log.warn('workspaces: visio room in a subject not set by the owner, ignored', { room, setBy });
        return;
      }
      if (this.repo.setVisioRoom(account.id, room, visioRoom)) this.ctx.emit('workspaces.changed', { workspaceIds: [room] });
    } catch (err) {
      this.ctx.log.warn('workspaces: room subject not read', { room, err: err as Error });
    }
  }

  /** A new visio room for the space, set in its room's subject (the owner's Ostal, after a member is removed). */
  private async renewVisio(account: Account, session: XmppSession, room: string): Promise<void> {
    await this.ensureJoined(account, session, room);
    const visioRoom = newVisioRoom();
    await setRoomSubject(session, room, t('workspaces.visioSubject', { room: visioRoom }));
    if (this.repo.setVisioRoom(account.id, room, visioRoom)) this.ctx.emit('workspaces.changed', { workspaceIds: [room] });
    this.ctx.log.info('workspaces: new visio room for the space', { room });
  }

  /** Stores the live messages received since the last batch, one transaction and one event per room. */
  private storeLiveBatch(): void {
    this.liveTimer = null;
    const batches = [...this.liveBatch.values()];
    this.liveBatch.clear();
    for (const b of batches) {
      try {
        this.storeArchive(b.account, b.room, b.messages, true);
      } catch (err) {
        // The archive still has them: the next reading of the history stores them.
        this.ctx.log.warn('workspaces: live messages not stored', { room: b.room, count: b.messages.length, err: err as Error });
      }
    }
  }

  private workspace(id: string): Workspace {
    const w = this.repo.get(bareJid(id));
    if (!w) throw new OstalError('not_found', t('workspaces.errors.notFound'));
    return w;
  }

  /**
   * Puts the message in the space's queue (« en attente ») and sends the queue. Offline, it stays there and leaves
   * on reconnection, once: before sending, the room's archive tells which queued messages it already has (a message
   * sent just before a crash or a cut may be there without this computer knowing).
   */
  async send(workspaceId: string, text: string, replyTo?: string): Promise<ChatMessage> {
    checkText(text);
    const w = this.workspace(workspaceId);
    const account = this.account(w.accountId);
    if (replyTo !== undefined) {
      // XEP-0461 names the message answered by the room's archive id: a message still « en attente » has none yet.
      const target = this.repo.messageRef(w.id, replyTo);
      if (!target || target.pending || target.retracted) throw new OstalError('invalid_input', t('discussionEdits.errors.replyUnknown'));
      replyTo = target.id;
    }
    const originId = randomUUID();
    this.repo.addPending({
      accountId: account.id,
      workspaceId: w.id,
      originId,
      sender: account.email.toLowerCase(),
      body: text,
      sentAt: new Date().toISOString(),
      replyTo: replyTo ?? null,
    });
    this.fresh.add(originId);
    this.ctx.emit('workspaces.messages', { workspaceId: w.id, messageIds: [originId] });
    if (this.ctx.mode !== 'cli' && !this.connected.has(account.id)) {
      // The app is not connected (network gone, server down): the message waits; the retry loop sends it, so the
      // composer is free at once instead of waiting for a connection attempt to fail.
      this.scheduleRetry(0);
      return this.withFiles([this.repo.message(w.id, originId)!], account)[0]!;
    }
    try {
      await this.flush(account, w.id);
    } catch (err) {
      const code = (err as OstalError).code;
      if (code === 'forbidden') {
        // The room refuses the agent: this message can never leave; the text stays in the composer (error shown).
        this.repo.dropPending(account.id, w.id, originId);
        this.ctx.emit('workspaces.messages', { workspaceId: w.id, messageIds: [originId] });
        throw err;
      }
      this.ctx.log.info('workspaces: message queued (server unreachable)', { room: w.id, code });
      this.scheduleRetry();
      if (!isUnreachable(err)) throw err;
    }
    const stored = this.repo.message(w.id, originId);
    if (!stored) throw new OstalError('internal', t('workspaces.errors.timeout'));
    return this.withFiles([stored], account)[0]!;
  }

  /** Sends the queue of every space of the account. */
  private async flushAccount(account: Account): Promise<void> {
    for (const room of new Set(this.repo.pending(account.id).map((p) => p.workspaceId))) await this.flush(account, room);
  }

  private flush(account: Account, room: string): Promise<void> {
    const key = `${account.id} ${room}`;
    const previous = this.flushing.get(key) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(() => this.flushNow(account, room));
    this.flushing.set(key, next);
    next
      .finally(() => {
        if (this.flushing.get(key) === next) this.flushing.delete(key);
      })
      .catch(() => undefined);
    return next;
  }

  private async flushNow(account: Account, room: string): Promise<void> {
    if (this.repo.pending(account.id, room).length === 0) return;
    if (room.startsWith(DIRECT_PREFIX)) return this.flushDirect(account, room.slice(DIRECT_PREFIX.length));
    const session = await this.session(account);
    await this.ensureJoined(account, session, room);
    // Read from the archive, not only this journal: after a crash, the server may have the last message sent. Only a
    // message written by this process and never handed to a connection cannot be there: a queue of only those (the
    // usual case, online) leaves at once.
    let queue = this.repo.pending(account.id, room);
    if (queue.some((q) => !this.fresh.has(q.originId))) {
      const oldest = Math.min(...queue.map((q) => Date.parse(q.sentAt)).filter((n) => !Number.isNaN(n)), Date.now());
      this.storeArchive(
        account,
        room,
        await roomArchiveSince(session, room, new Date(oldest - QUEUE_ARCHIVE_MARGIN_MS).toISOString()),
        false,
        { complete: false },
      );
      queue = this.repo.pending(account.id, room);
    }
    for (const q of queue) await this.sendOne(account, session, q);
    if (queue.length > 0) this.ctx.log.info('workspaces: queue sent', { room, count: queue.length });
    // The pending copies were replaced (by the archive's or the echo's): the views read again.
    this.ctx.emit('workspaces.messages', { workspaceId: room, messageIds: queue.map((q) => q.originId) });
  }

  private async sendOne(account: Account, session: XmppSession, q: PendingMessage): Promise<void> {
    const room = q.workspaceId;
    // Handed to a connection from now on: it may reach the archive even if this attempt fails.
    this.fresh.delete(q.originId);
    const answer = await session.sendAndWait(
      xml(
        'message',
        { to: room, type: 'groupchat', id: q.originId },
        xml('body', {}, q.body),
        this.oob(account, q.body),
        q.replyTo ? xml('reply', { xmlns: NS.reply, id: q.replyTo }) : undefined,
        xml('origin-id', { xmlns: NS.sid, id: q.originId }),
      ),
      (s) =>
        s.is('message') &&
        bareJid(s.attrs.from ?? '') === room &&
        (s.getChild('origin-id', NS.sid)?.attrs.id === q.originId || s.attrs.id === q.originId),
      { sendFailed: (err) => new OstalError('unreachable', t('workspaces.errors.connectionLost'), { cause: err }) },
    );
    if (answer.attrs.type === 'error') throw new OstalError('forbidden', t('workspaces.errors.roomRefused'));
    // The live listener stored the echo already (it replaced the pending copy); this covers an echo without stanza-id.
    const m = readRoomMessage(answer, room, { realJid: this.liveSender(account, answer) });
    if (m?.realJid) this.storeArchive(account, room, [m], true);
  }

  /**
   * Corrects one of the agent's own messages (XEP-0308). The correction goes through the room at once (not queued:
   * offline, the error says so and the text stays in the editor); every member's Ostal applies it only because it comes
   * from the message's sender.
   */
  async edit(workspaceId: string, messageId: string, text: string): Promise<ChatMessage> {
    checkText(text);
    const { w, account, target } = this.ownMessage(workspaceId, messageId);
    const id = randomUUID();
    await this.sendChange(
      account,
      w.id,
      xml(
        'message',
        { to: w.id, type: 'groupchat', id },
        xml('body', {}, text),
        xml('replace', { xmlns: NS.correct, id: target.originId ?? target.id }),
        xml('origin-id', { xmlns: NS.sid, id }),
      ),
      id,
    );
    this.ctx.log.info('workspaces: message corrected', { room: w.id });
    return this.repo.message(w.id, target.id)!;
  }

  /** Deletes one of the agent's own messages for every member (XEP-0424); the archive keeps the deletion. */
  async retract(workspaceId: string, messageId: string): Promise<ChatMessage> {
    const { w, account, target } = this.ownMessage(workspaceId, messageId);
    const id = randomUUID();
    await this.sendChange(
      account,
      w.id,
      xml(
        'message',
        { to: w.id, type: 'groupchat', id },
        xml('retract', { xmlns: NS.retract, id: target.id }),
        // Clients without XEP-0424 show this text; the hint keeps the deletion in the archive (it has a body anyway).
        xml('fallback', { xmlns: NS.fallback, for: NS.retract }),
        xml('body', {}, t('discussionEdits.retractedFallback')),
        xml('store', { xmlns: NS.hints }),
        xml('origin-id', { xmlns: NS.sid, id }),
      ),
      id,
    );
    this.ctx.log.info('workspaces: message deleted', { room: w.id });
    return this.repo.message(w.id, target.id)!;
  }

  /** The agent's own message, sent and not deleted: only those may be corrected or deleted. */
  private ownMessage(workspaceId: string, messageId: string) {
    const w = this.workspace(workspaceId);
    const account = this.account(w.accountId);
    const target = this.repo.messageRef(w.id, messageId);
    if (!target) throw new OstalError('not_found', t('discussionEdits.errors.notFound'));
    if (target.sender !== account.email.toLowerCase()) throw new OstalError('forbidden', t('discussionEdits.errors.notYours'));
    if (target.pending) throw new OstalError('invalid_input', t('discussionEdits.errors.pending'));
    if (target.retracted) throw new OstalError('invalid_input', t('discussionEdits.errors.retracted'));
    return { w, account, target };
  }

  /** Sends a correction or deletion and waits for the room's echo (stored by the live listener, which applies it). */
  private async sendChange(account: Account, room: string, stanza: Element, id: string): Promise<void> {
    let session: XmppSession;
    try {
      session = await this.session(account);
      await this.ensureJoined(account, session, room);
    } catch (err) {
      if (isUnreachable(err)) throw new OstalError((err as OstalError).code, t('discussionEdits.errors.offline'), { cause: err });
      throw err;
    }
    const answer = await session
      .sendAndWait(
        stanza,
        (s) =>
          s.is('message') &&
          bareJid(s.attrs.from ?? '') === room &&
          (s.getChild('origin-id', NS.sid)?.attrs.id === id || s.attrs.id === id),
      )
      .catch((err: unknown) => {
        // Not sent (the connection went away), or no echo from the room in time: the same French message.
        throw new OstalError(err instanceof OstalError ? err.code : 'unreachable', t('discussionEdits.errors.offline'), { cause: err });
      });
    if (answer.attrs.type === 'error') throw new OstalError('forbidden', t('workspaces.errors.roomRefused'));
    const m = readRoomMessage(answer, room, { realJid: this.liveSender(account, answer) });
    if (m?.realJid) this.storeArchive(account, room, [m], true);
  }

  private scheduleRetry(delayMs = this.retryMs): void {
    if (this.retryTimer || this.closed) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.retry().catch((err: unknown) => {
        if (!this.closed) this.ctx.log.warn('workspaces: retry failed', { err: err as Error });
      });
    }, delayMs);
    this.retryTimer.unref();
  }

  /** Reconnects the sessions that dropped (app modes) and sends the queues; again later while something is left. */
  private async retry(): Promise<void> {
    const accounts = new AccountRepository(this.ctx.db).list();
    let again = false;
    for (const account of accounts) {
      if (this.closed) return;
      const wanted = this.reconnect.has(account.id);
      const queued = this.repo.pending(account.id).length > 0;
      if (!wanted && !queued) continue;
      try {
        // The queue first (what the agent wrote), then the rest of the spaces.
        if (queued) await this.flushAccount(account);
        if (wanted) await this.refreshAccount(account);
        this.reconnect.delete(account.id);
      } catch (err) {
        this.ctx.log.info('workspaces: still offline', { account: account.id, err: err as Error });
        again = true;
      }
      if (this.closed) return;
      if (this.repo.pending(account.id).length > 0) again = true;
    }
    if (again) this.scheduleRetry();
  }

  /** The space leaves the agent's list: its rows go, then its Documents are let go (never throws). */
  private async forget(accountId: string, room: string): Promise<void> {
    const w = this.repo.listFor(accountId).find((x) => x.id === room) ?? null;
    this.repo.remove(accountId, room);
    if (!w || !this.onSpaceGone) return;
    await this.onSpaceGone(w).catch((err: unknown) =>
      this.ctx.log.warn('workspaces: documents of a space left not released', { room, err: err as Error }),
    );
  }

  /** Adds and removes members. Only the space's owners and admins may: the room's server refuses the others. */
  async members(workspaceId: string, add: string[], remove: string[]): Promise<Workspace> {
    const w = this.workspace(workspaceId);
    const account = this.account(w.accountId);
    const clean = (list: string[]): string[] => [...new Set(list.map((m) => m.trim().toLowerCase()).filter(Boolean))];
    const toAdd = clean(add);
    const toRemove = clean(remove).filter((m) => !toAdd.includes(m));
    const bad = [...toAdd, ...toRemove].find((m) => !EMAIL.test(m));
    if (bad) throw new OstalError('invalid_input', t('workspaces.errors.badMember', { address: bad }));
    const session = await this.session(account);
    try {
      await setAffiliations(session, w.id, [
        ...toAdd.map((jid) => ({ jid, affiliation: 'member' as const })),
        ...toRemove.map((jid) => ({ jid, affiliation: 'none' as const })),
      ]);
    } catch (err) {
      const condition = thrownCondition(err);
      this.ctx.log.warn('workspaces: members change refused by the room', { room: w.id, condition });
      if (condition === 'forbidden' || condition === 'not-allowed' || condition === 'not-authorized')
        throw new OstalError('forbidden', t('workspaces.errors.notAdmin'), { details: { condition } });
      if (condition) throw new OstalError('invalid_input', t('workspaces.errors.membersRefused'), { details: { condition } });
      throw err;
    }
    // Mediated invitations: the room forwards them; the server keeps them for a member who is offline.
    for (const m of toAdd) await inviteToRoom(session, w.id, m, w.name);
    const list = await roomMembers(session, w.id).catch(() => null);
    const members = list
      ? [...new Set([...list.owners, ...list.members])]
      : [...new Set([...w.members.filter((m) => !toRemove.includes(m)), ...toAdd])];
    this.repo.upsert({ ...w, members });
    this.ctx.log.info('workspaces: members changed', { room: w.id, added: toAdd.length, removed: toRemove.length });
    this.ctx.emit('workspaces.changed', { workspaceIds: [w.id] });
    // The link a removed member kept must lead nowhere: a new visio room, told to the members by the room's subject.
    if (toRemove.length > 0) await this.renewVisio(account, session, w.id);
    return this.repo.get(w.id)!;
  }

  markRead(workspaceId: string): void {
    const w = this.workspace(workspaceId);
    this.repo.markRead(w.id);
    this.ctx.emit('workspaces.changed', { workspaceIds: [w.id] });
  }

  async history(workspaceId: string, limit = 50): Promise<ChatMessage[]> {
    const w = this.workspace(workspaceId);
    const account = this.account(w.accountId);
    try {
      const session = await this.session(account);
      const latest = await roomArchivePage(session, w.id, limit);
      this.storeArchive(account, w.id, latest.messages, false, { complete: latest.complete });
      await this.flush(account, w.id).catch((err: unknown) => {
        this.ctx.log.info('workspaces: queue not sent yet', { room: w.id, err: err as Error });
        this.scheduleRetry();
      });
    } catch (err) {
      if (!isUnreachable(err)) throw err;
      this.ctx.log.info('workspaces: history from the local copy (server unreachable)', { room: w.id });
    }
    return this.withFiles(this.repo.history(w.id, limit), account);
  }

  /**
   * One page of the Discussion, oldest first: the latest `limit` messages (the room's latest archive page read first,
   * like `history`), or the `limit` messages before the message `before`. Read from the local copy; where it runs out
   * (or may miss messages: a gap before an archive page), the room's archive is read page by page (RSM `before`) and
   * stored. Offline, the page holds what the local copy has (`offline`).
   */
  async page(workspaceId: string, before?: string, limit = 50): Promise<ChatPage> {
    const w = this.workspace(workspaceId);
    const account = this.account(w.accountId);
    let offline = false;
    if (!before) {
      const readLatest = async (): Promise<void> => {
        const session = await this.session(account);
        const latest = await roomArchivePage(session, w.id, limit);
        this.storeArchive(account, w.id, latest.messages, false, { complete: latest.complete });
        await this.flush(account, w.id).catch((err: unknown) => {
          this.ctx.log.info('workspaces: queue not sent yet', { room: w.id, err: err as Error });
          this.scheduleRetry();
        });
      };
      if (this.ctx.mode !== 'cli' && this.repo.page(w.id, null, 1).messages.length > 0) {
        // The view shows what this computer has at once; the archive's latest page is read behind it (what it adds
        // comes as a workspaces.messages event), once at a time per space and not again within LATEST_READ_MS.
        const last = this.latestReads.get(w.id);
        if (!last || (last.done && Date.now() - last.at > LATEST_READ_MS)) {
          const entry = { at: Date.now(), done: false };
          this.latestReads.set(w.id, entry);
          void readLatest()
            .catch((err: unknown) => {
              if (!isUnreachable(err)) this.ctx.log.warn('workspaces: latest page not read', { room: w.id, err: err as Error });
              else this.ctx.log.info('workspaces: latest page not read (server unreachable)', { room: w.id });
            })
            .finally(() => {
              entry.done = true;
              entry.at = Date.now();
            });
        }
      } else {
        try {
          await readLatest();
        } catch (err) {
          if (!isUnreachable(err)) throw err;
          this.ctx.log.info('workspaces: page from the local copy (server unreachable)', { room: w.id });
          offline = true;
        }
      }
    }
    let local = this.repo.page(w.id, before ?? null, limit);
    // Each archive page closes the gap it was read for: the local page grows, or the gap moves older, until the page
    // is full or the archive has nothing older (bounded: a page of `limit` read each time).
    for (let round = 0; !offline && local.gap && local.messages.length < limit && round < 20; round++) {
      const anchor = local.messages.find((m) => !m.pending)?.id ?? before;
      try {
        const session = await this.session(account);
        // Larger than the page shown: the next pages then come from the local copy, without a round trip each.
        const older = await roomArchivePage(session, w.id, Math.max(limit, ARCHIVE_PAGE), anchor);
        this.ctx.log.info('workspaces: archive page read', { room: w.id, count: older.messages.length, complete: older.complete });
        this.storeArchive(account, w.id, older.messages, false, { complete: older.complete, before: anchor ?? null });
      } catch (err) {
        if (!isUnreachable(err)) throw err;
        this.ctx.log.info('workspaces: older messages not read (server unreachable)', { room: w.id });
        offline = true;
        break;
      }
      local = this.repo.page(w.id, before ?? null, limit);
    }
    return { messages: this.withFiles(local.messages, account), complete: local.complete, offline };
  }

  /** Searches the Discussions kept on this computer (offline too), accent- and case-insensitive. */
  search(query: string, workspaceId?: string, limit = 50): ChatMessage[] {
    const room = workspaceId ? this.workspace(workspaceId).id : null;
    return this.withFiles(this.repo.search(query, room, limit));
  }

  // ---- Direct discussions (one-to-one, type="chat"; history in the agent's own archive) ----

  private peerOf(account: Account, address: string): string {
    const peer = address.trim().toLowerCase();
    if (!EMAIL.test(peer)) throw new OstalError('invalid_input', t('directChat.errors.badAddress', { address: address.trim() }));
    if (peer === account.email.toLowerCase()) throw new OstalError('invalid_input', t('directChat.errors.self'));
    return peer;
  }

  /** The direct discussions kept on this computer, latest first, with their unread counts. */
  directList(): DirectConversation[] {
    const accounts = new AccountRepository(this.ctx.db).list();
    return this.repo.directConversations(DIRECT_PREFIX).map((c) => {
      // A file of the account's server reads « Fichier : nom » in the list, not its address.
      const account = accounts.find((a) => a.id === c.accountId);
      const file = account ? chatFileOf(c.lastText, this.ownServer(account)) : null;
      return {
        peer: c.workspaceId.slice(DIRECT_PREFIX.length),
        accountId: c.accountId,
        unread: c.unread,
        lastAt: c.lastAt,
        lastText: file ? t('chatFiles.lastText', { name: file.name }) : c.lastText,
        lastFrom: c.lastFrom,
      };
    });
  }

  /**
   * Reads the agent's archive for direct messages since the latest one kept here (the last 30 days at first); the
   * session stays open for the live ones.
   */
  async directRefresh(accountId?: string): Promise<DirectConversation[]> {
    const account = this.account(accountId);
    const session = await this.session(account);
    const latest = this.repo.directConversations(DIRECT_PREFIX).find((c) => c.accountId === account.id)?.lastAt;
    const start = latest ? Date.parse(latest) - QUEUE_ARCHIVE_MARGIN_MS : Date.now() - 30 * 24 * 3600_000;
    this.storeDirect(account, await directArchiveSince(session, null, new Date(start).toISOString()));
    return this.directList();
  }

  /** Writes to `peer` directly: queued (« en attente ») then sent, once, like a space's message. */
  async directSend(address: string, text: string, accountId?: string): Promise<ChatMessage> {
    checkText(text);
    const account = this.account(accountId);
    const peer = this.peerOf(account, address);
    const key = directKey(peer);
    const originId = randomUUID();
    this.repo.addPending({
      accountId: account.id,
      workspaceId: key,
      originId,
      sender: account.email.toLowerCase(),
      body: text,
      sentAt: new Date().toISOString(),
      replyTo: null,
    });
    this.fresh.add(originId);
    this.ctx.emit('workspaces.messages', { workspaceId: key, messageIds: [originId] });
    if (this.ctx.mode !== 'cli' && !this.connected.has(account.id)) {
      this.scheduleRetry(0);
      return this.withFiles([this.repo.message(key, originId)!], account)[0]!;
    }
    try {
      await this.flush(account, key);
    } catch (err) {
      const code = (err as OstalError).code;
      this.ctx.log.info('workspaces: direct message queued (server unreachable)', { code });
      this.scheduleRetry();
      if (!isUnreachable(err)) throw err;
    }
    return this.withFiles([this.repo.message(key, originId) ?? this.repo.history(key, 1)[0]!], account)[0]!;
  }

  /** Latest messages with `peer`, oldest first: from the agent's archive when the server answers, else local. */
  async directHistory(address: string, limit = 50, accountId?: string): Promise<ChatMessage[]> {
    const account = this.account(accountId);
    const peer = this.peerOf(account, address);
    const key = directKey(peer);
    try {
      const session = await this.session(account);
      this.storeDirect(account, await directArchive(session, peer, limit));
      await this.flush(account, key).catch((err: unknown) => {
        this.ctx.log.info('workspaces: direct queue not sent yet', { err: err as Error });
        this.scheduleRetry();
      });
    } catch (err) {
      if (!isUnreachable(err)) throw err;
      this.ctx.log.info('workspaces: direct history from the local copy (server unreachable)');
    }
    return this.withFiles(this.repo.history(key, limit), account);
  }

  directMarkRead(address: string, accountId?: string): void {
    const account = this.account(accountId);
    const key = directKey(this.peerOf(account, address));
    this.repo.markRead(key);
    this.ctx.emit('workspaces.messages', { workspaceId: key, messageIds: [] });
  }

  /** Sends the direct queue to `peer`, after checking the agent's archive for what already left (crash, cut). */
  private async flushDirect(account: Account, peer: string): Promise<void> {
    const key = directKey(peer);
    const session = await this.session(account);
    let queue = this.repo.pending(account.id, key);
    const since = (): string =>
      new Date(
        Math.min(...queue.map((q) => Date.parse(q.sentAt)).filter((n) => !Number.isNaN(n)), Date.now()) - QUEUE_ARCHIVE_MARGIN_MS,
      ).toISOString();
    if (queue.some((q) => !this.fresh.has(q.originId))) {
      this.storeDirect(account, await directArchiveSince(session, peer, since()));
      queue = this.repo.pending(account.id, key);
    }
    if (queue.length === 0) return;
    const start = since();
    for (const q of queue) {
      this.fresh.delete(q.originId);
      try {
        await session.send(
          xml(
            'message',
            { to: peer, type: 'chat', id: q.originId },
            xml('body', {}, q.body),
            this.oob(account, q.body),
            xml('origin-id', { xmlns: NS.sid, id: q.originId }),
            xml('store', { xmlns: NS.hints }),
          ),
        );
      } catch (err) {
        throw new OstalError('unreachable', t('workspaces.errors.connectionLost'), { cause: err });
      }
    }
    // A round trip: the server has archived what came before it. The archive's copies then replace the queued ones.
    await session.request(
      xml('iq', { type: 'get', to: domainOf(account.email), id: randomUUID() }, xml('ping', { xmlns: 'urn:xmpp:ping' })),
    );
    this.storeDirect(account, await directArchiveSince(session, peer, start));
    // A server that archives nothing: what was sent is kept as sent, under its own id.
    const left = this.repo.pending(account.id, key).filter((p) => queue.some((q) => q.originId === p.originId));
    if (left.length > 0) {
      this.ctx.log.warn('workspaces: direct messages sent but not found in the archive', { count: left.length });
      const me = account.email.toLowerCase();
      this.storeDirect(
        account,
        left.map((p) => ({ peer, sender: me, stanzaId: p.originId, originId: p.originId, body: p.body, sentAt: p.sentAt })),
      );
    }
    this.ctx.log.info('workspaces: direct queue sent', { count: queue.length });
    this.ctx.emit('workspaces.messages', { workspaceId: key, messageIds: queue.map((q) => q.originId) });
  }

  /** Stores direct messages (archive or live), by discussion; the author is the one the server named. */
  private storeDirect(account: Account, messages: DirectMessage[]): void {
    const me = account.email.toLowerCase();
    const byPeer = new Map<string, DirectMessage[]>();
    for (const m of messages) byPeer.set(m.peer, [...(byPeer.get(m.peer) ?? []), m]);
    for (const [peer, list] of byPeer) {
      const key = directKey(peer);
      const { added } = this.repo.storeMessages(
        account.id,
        key,
        list.map((m) => {
          let body = m.body;
          if (body.length > MAX_RECEIVED_LENGTH)
            body = `${body.slice(0, MAX_RECEIVED_LENGTH)}${t('discussionEdits.truncated', { max: MAX_RECEIVED_LENGTH.toLocaleString('fr-FR') })}`;
          // A copy kept under its own id (server without archive) gives way to the archive's.
          if (m.originId && m.stanzaId && m.stanzaId !== m.originId) this.repo.dropProvisional(account.id, key, m.originId);
          return {
            id: m.stanzaId ?? m.originId ?? randomUUID(),
            originId: m.originId,
            sender: m.sender,
            body,
            sentAt: m.sentAt,
            seen: m.sender === me,
            mentionsMe: false,
            replyTo: null,
            replaces: null,
            retracts: null,
            senderVouched: true,
          };
        }),
      );
      if (added.length > 0) this.ctx.emit('workspaces.messages', { workspaceId: key, messageIds: added.map((m) => m.id) });
    }
  }

  // ---- Files in the Discussions (XMPP HTTP File Upload, XEP-0363, on the account's own server) ----

  private get fileStore(): ChatFileStore {
    return (this.fileStoreInstance ??= new ChatFileStore(this.ctx));
  }

  /** The hosts of the account's own server: its mail domain (and below), and the host its XMPP connection goes to. */
  private ownServer(account: Account): OwnServer {
    let xmppHost = this.xmppHosts.get(account.id) ?? null;
    if (!xmppHost && account.settings.xmpp) {
      try {
        xmppHost = parseXmppEndpoint(account.settings.xmpp).host.toLowerCase();
      } catch {
        xmppHost = null;
      }
    }
    return { domain: domainOf(account.email), xmppHost };
  }

  /** The OOB element (XEP-0066) of a message whose text is a file on the account's server, for other clients. */
  private oob(account: Account, body: string): Element | undefined {
    const file = chatFileOf(body, this.ownServer(account));
    return file ? oobElement(file.url) : undefined;
  }

  /** Marks the messages that carry a file of the account's own server (the others stay text, their links plain links). */
  private withFiles(messages: ChatMessage[], account?: Account): ChatMessage[] {
    let accounts: Account[] | null = null;
    return messages.map((m) => {
      if (m.retracted || !/^\s*https:\/\/\S+\s*$/.test(m.text)) return m;
      let owner = account;
      if (!owner) {
        accounts ??= new AccountRepository(this.ctx.db).list();
        const accountId = this.repo.accountOf(m.workspaceId, m.id);
        owner = accounts.find((a) => a.id === accountId);
      }
      return owner ? { ...m, file: chatFileOf(m.text, this.ownServer(owner)) } : m;
    });
  }

  /** A space's Discussion (`workspaceId`) or a direct one (`peer`). */
  private chatTarget(target: { workspaceId?: string; peer?: string; accountId?: string }): {
    account: Account;
    workspace: Workspace | null;
    peer: string | null;
    key: string;
  } {
    if (target.workspaceId !== undefined) {
      const w = this.workspace(target.workspaceId);
      return { account: this.account(w.accountId), workspace: w, peer: null, key: w.id };
    }
    const account = this.account(target.accountId);
    const peer = this.peerOf(account, target.peer ?? '');
    return { account, workspace: null, peer, key: directKey(peer) };
  }

  private uploadService(account: Account, session: XmppSession): Promise<UploadService | null> {
    let found = this.uploadServices.get(account.id);
    if (!found) {
      found = discoverUpload(session, domainOf(account.email));
      this.uploadServices.set(account.id, found);
      found.catch(() => this.uploadServices.delete(account.id));
    }
    return found;
  }

  /**
   * « Joindre un fichier »: the file goes to the upload service of the account's own server (its size checked first
   * against the service's limit), then its address leaves as a message (queued like any other once the file is on the
   * server). Offline, it is refused at once with a French message: the file must reach the server first, and keeping
   * an unknown amount of data in the profile to send it later is not done.
   */
  async sendFile(
    target: { workspaceId?: string; peer?: string; accountId?: string },
    upload: { name: string; contentType?: string; content?: Buffer; uploadId?: string },
  ): Promise<ChatMessage> {
    const content = upload.content ?? this.fileStore.takeStaged(upload.uploadId ?? '');
    const file = { ...upload, content };
    const { session, service, account, workspace, peer, name } = await this.uploadCheck(target, upload.name, content.length);
    const contentType = /^[\w.+-]+\/[\w.+-]+$/.test(file.contentType?.trim() ?? '') ? file.contentType!.trim() : 'application/octet-stream';
    const size = content.length;
    let slot;
    try {
      slot = await requestSlot(session, service.jid, { name, size, contentType });
    } catch (err) {
      const condition = thrownCondition(err);
      this.ctx.log.warn('chat files: upload slot refused', { condition, size });
      if (!condition) throw new OstalError('unreachable', t('chatFiles.errors.offline'), { cause: err });
      throw slotRefusal(err, name, size, service.maxSize);
    }
    if (!slot) throw new OstalError('forbidden', t('chatFiles.errors.slotRefused'));
    const own = this.ownServer(account);
    for (const url of [slot.put, slot.get]) {
      try {
        checkSlotHost(url, own);
      } catch (err) {
        this.ctx.log.warn('chat files: upload slot on another host refused', { url });
        throw err;
      }
    }
    await putFile(this.ctx, account, slot, file.content, contentType);
    this.fileStore.keep({ url: slot.get, name: fileNameOf(slot.get) }, file.content);
    this.ctx.log.info('chat files: file uploaded', { size, host: new URL(slot.get).host });
    return workspace ? this.send(workspace.id, slot.get) : this.directSend(peer!, slot.get, account.id);
  }

  /** « Joindre un fichier », before any byte moves: the name, the connection, the server's service and its limit. */
  async checkFile(
    target: { workspaceId?: string; peer?: string; accountId?: string },
    name: string,
    size: number,
  ): Promise<{ maxSize: number | null }> {
    const { service } = await this.uploadCheck(target, name, size);
    return { maxSize: service.maxSize };
  }

  /** A part of a file to send, put together in the profile (see ChatFileStore.stage). */
  stageFile(uploadId: string | undefined, part: Buffer): { uploadId: string; size: number } {
    return this.fileStore.stage(uploadId, part);
  }

  private async uploadCheck(target: { workspaceId?: string; peer?: string; accountId?: string }, rawName: string, size: number) {
    const name = checkUploadName(rawName);
    if (size === 0) throw new OstalError('invalid_input', t('chatFiles.errors.empty', { name }));
    const { account, workspace, peer } = this.chatTarget(target);
    const offline = (cause?: unknown): OstalError => new OstalError('unreachable', t('chatFiles.errors.offline'), { cause });
    // No shortcut on `connected` (a session not opened yet is not offline): the session is opened, or its failure says
    // the agent is offline.
    let session: XmppSession | null = null;
    let service: UploadService | null;
    try {
      session = await this.session(account);
      service = await this.uploadService(account, session);
    } catch (err) {
      if (isUnreachable(err) || !session?.online) throw offline(err);
      throw err;
    }
    if (!service) throw new OstalError('not_configured', t('chatFiles.errors.noService', { domain: domainOf(account.email) }));
    if (service.maxSize !== null && size > service.maxSize) {
      this.ctx.log.info('chat files: file over the server limit, not sent', { size, max: service.maxSize });
      throw tooLarge(name, size, service.maxSize);
    }
    return { session, service, account, workspace, peer, name };
  }

  /** A file of the Discussion: on the account's own server, and carried by one of its messages. */
  private sharedFile(
    target: { workspaceId?: string; peer?: string; accountId?: string },
    url: string,
  ): { account: Account; file: ChatFile } {
    const { account, key } = this.chatTarget(target);
    const file = chatFileOf(url, this.ownServer(account));
    if (!file) {
      this.ctx.log.warn('chat files: address not on the account server refused', { url });
      throw new OstalError('forbidden', t('chatFiles.errors.notOwnServer'));
    }
    if (!this.repo.hasBody(account.id, key, file.url)) throw new OstalError('not_found', t('chatFiles.errors.notInDiscussion'));
    return { account, file };
  }

  fileInfo(target: { workspaceId?: string; peer?: string; accountId?: string }, url: string): Promise<ChatFileInfo> {
    const { account, file } = this.sharedFile(target, url);
    return this.fileStore.info(account, file);
  }

  async downloadFile(target: { workspaceId?: string; peer?: string; accountId?: string }, url: string): Promise<ChatFileInfo> {
    const { account, file } = this.sharedFile(target, url);
    const service = await (this.uploadServices.get(account.id) ?? Promise.resolve(null)).catch(() => null);
    return this.fileStore.download(account, file, service?.maxSize ?? null);
  }

  openFile(target: { workspaceId?: string; peer?: string; accountId?: string }, url: string) {
    return this.fileStore.open(this.sharedFile(target, url).file);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.liveTimer) clearTimeout(this.liveTimer);
    this.storeLiveBatch();
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    // An invitation received live is kept in the bookmarks before the session goes (5 s at most).
    if (this.accepting.size > 0)
      await Promise.race([Promise.allSettled([...this.accepting]), new Promise((resolve) => setTimeout(resolve, 5_000).unref())]);
    const all = [...this.sessions.values()];
    this.sessions.clear();
    this.joined.clear();
    await Promise.all(all.map((p) => p.then((s) => s.close()).catch(() => undefined)));
  }
}
