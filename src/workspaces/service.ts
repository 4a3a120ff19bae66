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
import { xml } from '@xmpp/client';
import type { CoreContext } from '../context.js';
import type { ChatMessage, Workspace } from '../shared/contract.js';
import { OstalError } from '../errors.js';
import { t } from '../i18n/index.js';
import { loadAccountCredentials } from '../accounts/account-rows.js';
import { AccountRepository } from '../store/account-repository.js';
import { readSetting } from '../store/settings-repository.js';
import { tryXmppSrv } from '../accounts/discovery.js';
import { parseXmppEndpoint } from '../accounts/endpoints.js';
import { createResolver, networkEnv } from '../net/dns.js';
import { WebDavClient } from '../files/webdav.js';
import type { Account } from '../store/account-repository.js';
import { WorkspaceRepository } from './repository.js';
import { bareJid, NS, readRoomMessage, thrownCondition, XmppSession, type RoomMessage } from './xmpp/session.js';
import {
  addBookmark,
  configureRoom,
  inviteToRoom,
  joinRoom,
  listBookmarks,
  removeBookmark,
  roomArchive,
  roomInfo,
  roomMembers,
  setAffiliations,
} from './xmpp/muc.js';

/** Longest message accepted (characters); the server's own stanza limit is higher. */
export const MAX_MESSAGE_LENGTH = 10_000;
const EMAIL = /^[^\s@/<>"']+@[a-z0-9.-]+\.[a-z]{2,}$/i;

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

const localPart = (jid: string): string => jid.slice(0, jid.indexOf('@'));
const domainOf = (jid: string): string => jid.slice(jid.indexOf('@') + 1).toLowerCase();

export class WorkspaceHub {
  private readonly sessions = new Map<string, Promise<XmppSession>>();
  private readonly joined = new Map<string, Promise<void>>();

  constructor(private readonly ctx: CoreContext) {}

  private get repo(): WorkspaceRepository {
    return new WorkspaceRepository(this.ctx.db);
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
    return found;
  }

  private session(account: Account): Promise<XmppSession> {
    const existing = this.sessions.get(account.id);
    if (existing) {
      return existing.then((s) => {
        if (s.online) return s;
        this.sessions.delete(account.id);
        for (const key of [...this.joined.keys()]) if (key.startsWith(`${account.id} `)) this.joined.delete(key);
        return this.session(account);
      });
    }
    const opening = (async () => {
      const { password } = await loadAccountCredentials(this.ctx, account.id);
      const login = account.settings.username?.trim() || account.email;
      return XmppSession.open({
        service: await this.service(account),
        domain: domainOf(account.email),
        username: login.includes('@') ? localPart(login) : login,
        password,
        log: this.ctx.log,
      });
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
    await setAffiliations(
      session,
      room,
      members.map((jid) => ({ jid, affiliation: 'member' })),
    );
    const documentsUrl = this.documentsUrl(room);
    if (documentsUrl) await this.makeDocumentsFolder(account, documentsUrl);
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
      visioRoom: `espace-${localPart(room)}`,
      createdAt: new Date().toISOString(),
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

  /** Finds every space the agent belongs to: invitations kept by the server, then its bookmarks; drops the others. */
  async refresh(accountId?: string): Promise<Workspace[]> {
    const accounts = accountId ? [this.account(accountId)] : new AccountRepository(this.ctx.db).list();
    for (const account of accounts) await this.refreshAccount(account);
    return this.repo.list();
  }

  private async refreshAccount(account: Account): Promise<void> {
    const session = await this.session(account);
    const service = this.mucService(account);
    const bookmarks = await listBookmarks(session);
    const rooms = new Map<string, boolean>(bookmarks.map((b) => [b.room, true]));
    for (const inv of session.invitations.splice(0)) {
      // An invitation counts only when the room itself sent it, from the organisation's room service.
      if (domainOf(inv.room) !== service || inv.room.includes('/')) {
        this.ctx.log.warn('workspaces: invitation ignored (not from a room of the service)', { room: inv.room });
        continue;
      }
      if (!rooms.has(inv.room)) rooms.set(inv.room, false);
    }
    const kept = new Set<string>();
    for (const [room, bookmarked] of rooms) {
      if (domainOf(room) !== service) continue;
      try {
        const [info, archive] = await Promise.all([roomInfo(session, room), roomArchive(session, room, 50)]);
        const { owners, members } = await roomMembers(session, room).catch(() => ({ owners: [] as string[], members: [] as string[] }));
        if (!bookmarked) await addBookmark(session, room, info.name, session.jid);
        const workspace: Workspace = {
          id: room,
          accountId: account.id,
          name: info.name,
          description: info.description,
          members: [...new Set([...owners, ...members])],
          owner: owners[0] ?? null,
          documentsUrl: this.documentsUrl(room),
          visioRoom: `espace-${localPart(room)}`,
          createdAt: this.repo.get(room)?.createdAt ?? new Date().toISOString(),
        };
        this.repo.upsert(workspace);
        this.storeArchive(account.id, room, archive);
        kept.add(room);
      } catch (err) {
        // Refused (not a member any more) or gone (destroyed): the space leaves this agent's list.
        const condition = thrownCondition(err);
        if ((err as OstalError).code !== 'forbidden' && condition !== 'item-not-found' && condition !== 'gone') throw err;
        this.ctx.log.info('workspaces: room refuses us or is gone, space removed', { room, condition });
        if (bookmarked) await removeBookmark(session, room);
      }
    }
    for (const w of this.repo.listFor(account.id)) if (!kept.has(w.id)) this.repo.remove(account.id, w.id);
    this.ctx.emit('workspaces.changed', { workspaceIds: [...kept] });
  }

  private storeArchive(accountId: string, room: string, messages: RoomMessage[]): void {
    this.repo.storeMessages(
      accountId,
      room,
      messages.map((m) => ({
        id: m.stanzaId ?? m.originId ?? randomUUID(),
        originId: m.originId,
        sender: m.realJid ?? m.nick,
        body: m.body,
        sentAt: m.sentAt,
      })),
    );
  }

  private workspace(id: string): Workspace {
    const w = this.repo.get(bareJid(id));
    if (!w) throw new OstalError('not_found', t('workspaces.errors.notFound'));
    return w;
  }

  async send(workspaceId: string, text: string): Promise<ChatMessage> {
    if (text.length > MAX_MESSAGE_LENGTH)
      throw new OstalError('invalid_input', t('workspaces.errors.tooLong', { max: MAX_MESSAGE_LENGTH }));
    if (!text.trim()) throw new OstalError('invalid_input', t('workspaces.errors.empty'));
    const w = this.workspace(workspaceId);
    const account = this.account(w.accountId);
    const session = await this.session(account);
    await this.ensureJoined(account, session, w.id);
    const originId = randomUUID();
    const echo = session.waitFor(
      (s) =>
        s.is('message') &&
        bareJid(s.attrs.from ?? '') === w.id &&
        (s.getChild('origin-id', NS.sid)?.attrs.id === originId || s.attrs.id === originId),
    );
    await session.send(
      xml(
        'message',
        { to: w.id, type: 'groupchat', id: originId },
        xml('body', {}, text),
        xml('origin-id', { xmlns: NS.sid, id: originId }),
      ),
    );
    const answer = await echo.promise;
    if (answer.attrs.type === 'error') throw new OstalError('forbidden', t('workspaces.errors.roomRefused'));
    const m = readRoomMessage(answer, w.id);
    const message: ChatMessage = {
      id: m?.stanzaId ?? originId,
      workspaceId: w.id,
      from: account.email.toLowerCase(),
      text,
      sentAt: m?.sentAt ?? new Date().toISOString(),
      pending: false,
    };
    this.repo.storeMessages(account.id, w.id, [{ id: message.id, originId, sender: message.from, body: text, sentAt: message.sentAt }]);
    return message;
  }

  async history(workspaceId: string, limit = 50): Promise<ChatMessage[]> {
    const w = this.workspace(workspaceId);
    const account = this.account(w.accountId);
    try {
      const session = await this.session(account);
      this.storeArchive(account.id, w.id, await roomArchive(session, w.id, limit));
    } catch (err) {
      const code = (err as OstalError).code;
      if (code !== 'unreachable' && code !== 'timeout') throw err;
      this.ctx.log.info('workspaces: history from the local copy (server unreachable)', { room: w.id });
    }
    return this.repo.history(w.id, limit);
  }

  async close(): Promise<void> {
    const all = [...this.sessions.values()];
    this.sessions.clear();
    this.joined.clear();
    await Promise.all(all.map((p) => p.then((s) => s.close()).catch(() => undefined)));
  }
}
