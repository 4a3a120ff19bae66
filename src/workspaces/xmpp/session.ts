// eslint-disable-next-line @typescript-eslint/triple-slash-reference -- main/tsconfig.json compiles only what main/ imports: bring the declaration of @xmpp/client along
/// <reference path="./xmpp-client.d.ts" />
/**
 * One XMPP client connection of an account (RFC 6120, STARTTLS required, certificate checked against the JID's
 * domain with Node's store: the Mozilla roots plus NODE_EXTRA_CA_CERTS), through @xmpp/client, with the few
 * protocol steps the espaces de travail need: multi-user rooms (XEP-0045), their archive (XEP-0313), bookmarks
 * (XEP-0402), stable ids (XEP-0359).
 */
import { randomUUID } from 'node:crypto';
import { client, xml, type Client, type Element } from '@xmpp/client';
import { OstalError } from '../../errors.js';
import { t } from '../../i18n/index.js';
import type { Logger } from '../../log.js';

export const NS = {
  muc: 'http://jabber.org/protocol/muc',
  mucUser: 'http://jabber.org/protocol/muc#user',
  mucOwner: 'http://jabber.org/protocol/muc#owner',
  mucAdmin: 'http://jabber.org/protocol/muc#admin',
  discoInfo: 'http://jabber.org/protocol/disco#info',
  data: 'jabber:x:data',
  mam: 'urn:xmpp:mam:2',
  rsm: 'http://jabber.org/protocol/rsm',
  forward: 'urn:xmpp:forward:0',
  delay: 'urn:xmpp:delay',
  sid: 'urn:xmpp:sid:0',
  pubsub: 'http://jabber.org/protocol/pubsub',
  bookmarks: 'urn:xmpp:bookmarks:1',
  stanzas: 'urn:ietf:params:xml:ns:xmpp-stanzas',
  sm: 'urn:xmpp:sm:3',
  reply: 'urn:xmpp:reply:0',
  correct: 'urn:xmpp:message-correct:0',
  retract: 'urn:xmpp:message-retract:1',
  fallback: 'urn:xmpp:fallback:0',
  hints: 'urn:xmpp:hints',
} as const;

export interface SessionOptions {
  /** xmpp://host:port */
  service: string;
  /** The JID's domain (the mail domain): the certificate must name it. */
  domain: string;
  /** Local part of the JID. */
  username: string;
  password: string;
  log: Logger;
  timeoutMs?: number;
  /**
   * Priority of the initial presence (RFC 6121 § 4.7.2.3), 0 by default. A negative one receives no message sent to
   * the bare address, and the server keeps those (invitations included) for another session: what a tool or test
   * connecting beside the agent's Ostal uses.
   */
  priority?: number;
}

/** A message of a room as the server gave it (live or from the archive). */
export interface RoomMessage {
  room: string;
  /** XEP-0359 stanza-id given by the room (the archive id), or null on a live message without one. */
  stanzaId: string | null;
  /** XEP-0359 origin-id or the message id the sender chose. */
  originId: string | null;
  /** Occupant nickname. */
  nick: string;
  /** Sender's real address when the room tells it (non-anonymous rooms). */
  realJid: string | null;
  body: string;
  sentAt: string;
  /** XEP-0461: id (the archive's) of the message this one answers. */
  replyTo: string | null;
  /** XEP-0308: this message corrects the message with this id (its body is the corrected text). */
  replaces: string | null;
  /** XEP-0424: this message deletes the message with this id. */
  retracts: string | null;
}

/** The error condition of an error stanza (e.g. 'forbidden', 'registration-required'), or null. */
export function errorCondition(stanza: Element | undefined): string | null {
  const error = stanza?.getChild('error');
  if (!error) return null;
  const cond = error.getChildElements().find((c) => c.attrs.xmlns === NS.stanzas);
  return cond?.name ?? 'undefined-condition';
}

/** The condition of an error thrown by iqCaller.request (it throws the <error/> wrapped in an Error). */
/** The error of an <iq type="error"/>, with its defined condition (RFC 6120 §8.3.3) as `condition`. */
export function stanzaError(stanza: Element): Error & { condition: string; text: string } {
  const error = stanza.getChild('error');
  const condition = error?.children.find((c): c is Element => typeof c !== 'string' && c.name !== 'text')?.name ?? 'undefined-condition';
  const text = error?.getChildText('text') ?? '';
  return Object.assign(new Error(`XMPP error: ${condition}${text ? ` (${text})` : ''}`), { condition, text });
}

export function thrownCondition(err: unknown): string | null {
  const e = err as { condition?: string; name?: string };
  return typeof e?.condition === 'string' ? e.condition : null;
}

export function bareJid(jid: string): string {
  const slash = jid.indexOf('/');
  return (slash >= 0 ? jid.slice(0, slash) : jid).toLowerCase();
}

export function resourceOf(jid: string): string {
  const slash = jid.indexOf('/');
  return slash >= 0 ? jid.slice(slash + 1) : '';
}

/**
 * The sender's real address the room itself put in a stanza: the last <x xmlns="…muc#user"/> (Prosody appends its own
 * after whatever the sender wrote, in an archived message and in an occupant's presence). A live groupchat message
 * carries only what the sender wrote: never read it there (a member could claim anybody's address).
 */
export function roomRealJid(stanza: Element): string | null {
  const xs = stanza.getChildren('x', NS.mucUser);
  const jid = xs[xs.length - 1]?.getChild('item')?.attrs.jid;
  return jid ? bareJid(jid) : null;
}

/**
 * Reads an archived or live groupchat message; null when it holds no text and deletes nothing. `realJid`: the
 * sender's address as the room vouches for it (archive: {@link roomRealJid}; live: the occupant's presence).
 */
export function readRoomMessage(
  message: Element,
  room: string,
  options: { delayedAt?: string; realJid: string | null },
): RoomMessage | null {
  const retracts = message.getChild('retract', NS.retract)?.attrs.id ?? null;
  const body = message.getChildText('body');
  if (!retracts && (body === null || body === '')) return null;
  const from = message.attrs.from ?? '';
  const sid = message.getChildren('stanza-id', NS.sid).find((s) => bareJid(s.attrs.by ?? '') === room);
  const origin = message.getChild('origin-id', NS.sid);
  const delay = message.getChild('delay', NS.delay);
  return {
    room,
    stanzaId: sid?.attrs.id ?? null,
    originId: origin?.attrs.id ?? message.attrs.id ?? null,
    nick: resourceOf(from),
    realJid: options.realJid,
    body: retracts ? '' : (body ?? ''),
    sentAt: options.delayedAt ?? delay?.attrs.stamp ?? new Date().toISOString(),
    replyTo: message.getChild('reply', NS.reply)?.attrs.id ?? null,
    replaces: message.getChild('replace', NS.correct)?.attrs.id ?? null,
    retracts,
  };
}

const NETWORK_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNREFUSED', 'ETIMEDOUT', 'ECONNABORTED']);
let rejectionGuard: Logger | null = null;

/**
 * @xmpp/connection races some of its socket promises against a timeout and leaves the loser pending: when the network
 * goes away while a connection is being opened, that promise later rejects (read ECONNRESET) with nobody to handle it,
 * and Node ends the whole core. Such a socket read/write error is logged instead; any other unhandled rejection is
 * thrown again, as Node would (the default behaviour stays for everything else).
 */
function guardSocketRejections(log: Logger): void {
  if (rejectionGuard) return;
  rejectionGuard = log;
  process.on('unhandledRejection', (reason: unknown) => {
    const e = reason as { code?: string; syscall?: string } | null;
    if (e && NETWORK_CODES.has(e.code ?? '') && (e.syscall === 'read' || e.syscall === 'write' || e.syscall === 'connect')) {
      rejectionGuard?.info('xmpp: late socket error of a closed connection', { err: reason as Error });
      return;
    }
    throw reason;
  });
}

export class XmppSession {
  private readonly stanzaListeners = new Set<(stanza: Element) => void>();
  /** Called once when the connection drops (waiters then fail at once instead of at their timeout). */
  private readonly closeListeners = new Set<() => void>();
  /** Invitations received since the connection opened (the server delivers those kept offline at once). */
  readonly invitations: { room: string; from: string; reason: string }[] = [];

  private constructor(
    private readonly xmpp: Client,
    readonly jid: string,
    private readonly log: Logger,
  ) {}

  static async open(options: SessionOptions): Promise<XmppSession> {
    const xmpp = client({
      service: options.service,
      domain: options.domain,
      username: options.username,
      password: options.password,
      resource: `ostal-${randomUUID().slice(0, 8)}`,
      timeout: options.timeoutMs ?? 10_000,
    });
    xmpp.reconnect.stop();
    guardSocketRejections(options.log);
    // XEP-0198 stays off for now: @xmpp/client 0.14 acknowledged more stanzas than Prosody 0.12 had sent, and
    // Prosody then closes the stream (« The client says it handled 2 new stanzas, but we sent 1 »). The <enable/> is
    // kept from the wire and answered <failed/> locally: the library goes on without stream management.
    // Checked again with @xmpp/stream-management 0.14.0 and the test run's Prosody (Debian 0.12): with <enable/> let
    // through, every session is closed after its first acknowledgement (« handled 2 new stanzas, but we sent 1 »), so
    // it stays off. Nothing relies on it: a session is never resumed (reconnect is stopped, a new one is opened), and
    // « sent once » comes from the queue (origin-id, XEP-0359) checked against the room's archive before each send.
    const send = xmpp.send.bind(xmpp);
    xmpp.send = (element: Element): Promise<void> => {
      if (!element.is('enable', NS.sm)) return send(element);
      setImmediate(() => xmpp.emit('nonza', xml('failed', { xmlns: NS.sm })));
      return Promise.resolve();
    };
    let session: XmppSession | null = null;
    const early: Element[] = [];
    xmpp.on('stanza', (stanza: Element) => {
      if (session) session.dispatch(stanza);
      else early.push(stanza);
    });
    xmpp.on('error', (err: Error) => options.log.warn('xmpp: connection error', { err }));
    // @xmpp/connection takes its listeners off a socket when it closes or is upgraded to TLS: an ECONNRESET the
    // plain socket emits then (network cut while connecting or connected) had no listener and ended the process.
    // Each socket the connection uses keeps a listener of its own.
    const guarded = new WeakSet<object>();
    const guard = (): void => {
      const socket = (xmpp as unknown as { socket?: NodeJS.EventEmitter | null }).socket;
      if (!socket || guarded.has(socket)) return;
      guarded.add(socket);
      socket.on('error', (err: Error) => options.log.info('xmpp: socket error', { err }));
    };
    xmpp.on('connect', guard);
    xmpp.on('open', guard);
    // A connection closed while the stream is being opened (a relay or a server that accepts then drops it, as
    // networks do while they come back) fails the opening at once: @xmpp/connection would wait for the stream header
    // until its timeout, and every caller joining this opening (the retry loop, the agent's « Réessayer ») with it.
    let closedWhileOpening: (err: Error) => void = () => undefined;
    const closed = new Promise<never>((_, reject) => (closedWhileOpening = reject));
    closed.catch(() => undefined);
    xmpp.on('offline', () => session?.dropped());
    xmpp.on('disconnect', () => {
      if (session) session.dropped();
      else closedWhileOpening(new Error('connection closed while opening the stream'));
    });
    try {
      const jid = await Promise.race([xmpp.start(), closed]);
      session = new XmppSession(xmpp, jid.bare().toString(), options.log);
      for (const s of early) session.dispatch(s);
      // Initial presence: the server then delivers what it kept while we were away (invitations included).
      await xmpp.send(xml('presence', {}, options.priority ? xml('priority', {}, String(options.priority)) : undefined));
      // A round trip after it: the offline messages are sent before the answer.
      await session.request(xml('iq', { type: 'get', to: options.domain, id: randomUUID() }, xml('ping', { xmlns: 'urn:xmpp:ping' })));
      return session;
    } catch (err) {
      await xmpp.stop().catch(() => undefined);
      options.log.warn('xmpp: cannot open session', { service: options.service, err: err as Error });
      const e = err as { condition?: string; code?: string; message?: string };
      if (e?.condition === 'not-authorized') throw new OstalError('auth_failed', t('workspaces.errors.authFailed'));
      if (/certificate|self.signed|altnames|CERT_/i.test(`${e?.code ?? ''} ${e?.message ?? ''}`))
        throw new OstalError('tls_untrusted', t('workspaces.errors.tls', { host: options.domain }));
      throw new OstalError('unreachable', t('workspaces.errors.unreachable', { service: options.service }));
    }
  }

  private dispatch(stanza: Element): void {
    if (stanza.is('message')) {
      const invite = stanza.getChild('x', NS.mucUser)?.getChild('invite');
      if (invite && stanza.attrs.type !== 'error' && stanza.attrs.type !== 'groupchat') {
        this.invitations.push({
          room: bareJid(stanza.attrs.from ?? ''),
          from: bareJid(invite.attrs.from ?? ''),
          reason: invite.getChildText('reason') ?? '',
        });
      }
    }
    for (const fn of this.stanzaListeners) {
      try {
        fn(stanza);
      } catch (err) {
        this.log.warn('xmpp: stanza listener failed', { err: err as Error });
      }
    }
  }

  private dropped(): void {
    const listeners = [...this.closeListeners];
    this.closeListeners.clear();
    for (const fn of listeners) fn();
  }

  onClose(fn: () => void): () => void {
    this.closeListeners.add(fn);
    return () => this.closeListeners.delete(fn);
  }

  onStanza(fn: (stanza: Element) => void): () => void {
    this.stanzaListeners.add(fn);
    return () => this.stanzaListeners.delete(fn);
  }

  get online(): boolean {
    return this.xmpp.status === 'online';
  }

  /**
   * Sends an <iq/> and waits for its answer. Not @xmpp/iq's caller: when a server answers with an error before the
   * write callback of the request has run (Prosody does for an empty bookmarks node), the caller's promise rejects
   * with no handler yet and Node ends the process on the unhandled rejection. Here the answer is awaited before sending.
   */
  async request(iq: Element, timeoutMs = 15_000): Promise<Element> {
    const id = typeof iq.attrs.id === 'string' && iq.attrs.id !== '' ? iq.attrs.id : randomUUID();
    iq.attrs.id = id;
    const stanza = await this.sendAndWait(
      iq,
      (s) => s.is('iq') && s.attrs.id === id && (s.attrs.type === 'result' || s.attrs.type === 'error'),
      { timeoutMs },
    );
    if (stanza.attrs.type === 'error') throw stanzaError(stanza);
    return stanza;
  }

  /**
   * Sends a stanza and waits for the first one `match` accepts (its answer, its echo by the room, the broadcast it
   * causes). The wait starts before the send, so an answer that comes before the send's callback is not missed; when
   * the send fails, the wait is cancelled and the send's error thrown (mapped by `sendFailed` when given): a wait left
   * behind would reject later with nobody to handle it, and Node would end the core.
   */
  async sendAndWait(
    stanza: Element,
    match: (stanza: Element) => boolean,
    options: { timeoutMs?: number; sendFailed?: (err: unknown) => unknown } = {},
  ): Promise<Element> {
    const answer = this.waitFor(match, options.timeoutMs);
    answer.promise.catch(() => undefined); // a failure while still sending is handled by the await below
    try {
      await this.xmpp.send(stanza);
    } catch (err) {
      answer.cancel();
      throw options.sendFailed ? options.sendFailed(err) : err;
    }
    return answer.promise;
  }

  send(stanza: Element): Promise<void> {
    return this.xmpp.send(stanza);
  }

  /** Waits for the first stanza `match` accepts (or throws after `timeoutMs`); start it before sending. */
  waitFor(match: (stanza: Element) => boolean, timeoutMs = 15_000): { promise: Promise<Element>; cancel: () => void } {
    let offStanza = (): void => undefined;
    let offClose = (): void => undefined;
    let timer: NodeJS.Timeout | undefined;
    const off = (): void => {
      offStanza();
      offClose();
    };
    const promise = new Promise<Element>((resolve, reject) => {
      offStanza = this.onStanza((s) => {
        if (match(s)) {
          off();
          clearTimeout(timer);
          resolve(s);
        }
      }) as () => void;
      offClose = this.onClose(() => {
        off();
        clearTimeout(timer);
        reject(new OstalError('unreachable', t('workspaces.errors.connectionLost')));
      }) as () => void;
      timer = setTimeout(() => {
        off();
        reject(new OstalError('timeout', t('workspaces.errors.timeout')));
      }, timeoutMs);
    });
    return {
      promise,
      cancel: () => {
        off();
        clearTimeout(timer);
      },
    };
  }

  async close(): Promise<void> {
    this.stanzaListeners.clear();
    this.closeListeners.clear();
    await this.xmpp.stop().catch(() => undefined);
  }
}
