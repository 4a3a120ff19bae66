/**
 * Direct discussions between two agents (RFC 6121 one-to-one messages, type="chat") and their history in the agent's
 * own archive (XEP-0313 on the account's bare address, filtered on the other agent).
 *
 * The author of a message is the bare address in its `from`: the agent's server writes it on every stanza a client
 * sends (RFC 6120 § 8.1.2.1), and in the agent's own archive. Nothing inside the message (body, addressing or room
 * elements) ever names the author.
 */
import { randomUUID } from 'node:crypto';
import { xml, type Element } from '@xmpp/client';
import { OstalError } from '../../errors.js';
import { t } from '../../i18n/index.js';
import { bareJid, NS, thrownCondition, type XmppSession } from './session.js';

/** A one-to-one message as the server gave it (live or from the archive). */
export interface DirectMessage {
  /** The other agent (bare address). */
  peer: string;
  /** Author: bare address of `from`, as the server stamped it. */
  sender: string;
  /** Id in the agent's archive (stanza-id by the agent's own address), or null. */
  stanzaId: string | null;
  originId: string | null;
  body: string;
  sentAt: string;
}

/**
 * Reads a one-to-one message; null when it is not one (no text, a room's message, an error). `me`: the agent's bare
 * address; `archiveId`: the archive's id when read from it.
 */
export function readDirectMessage(
  message: Element,
  me: string,
  options: { delayedAt?: string; archiveId?: string } = {},
): DirectMessage | null {
  const type = message.attrs.type ?? 'normal';
  if (type !== 'chat' && type !== 'normal') return null;
  if (message.getChild('x', NS.mucUser)) return null; // invitations and room private messages
  const body = message.getChildText('body');
  if (body === null || body === '') return null;
  const from = bareJid(message.attrs.from ?? '');
  const to = bareJid(message.attrs.to ?? me);
  if (!from.includes('@')) return null;
  const sender = from;
  const peer = sender === me ? to : sender;
  if (!peer.includes('@') || peer === me) return null;
  const sid = message.getChildren('stanza-id', NS.sid).find((s) => bareJid(s.attrs.by ?? '') === me);
  return {
    peer,
    sender,
    stanzaId: options.archiveId ?? sid?.attrs.id ?? null,
    originId: message.getChild('origin-id', NS.sid)?.attrs.id ?? message.attrs.id ?? null,
    body,
    sentAt: options.delayedAt ?? message.getChild('delay', NS.delay)?.attrs.stamp ?? new Date().toISOString(),
  };
}

const field = (name: string, value: string): Element => xml('field', { var: name }, xml('value', {}, value));

/** One query of the agent's own archive, filtered on `peer`; the messages forwarded for it, oldest first. */
async function ownArchiveQuery(
  session: XmppSession,
  peer: string | null,
  rsm: Element,
  start?: string,
): Promise<{ collected: DirectMessage[]; fin: Element | undefined }> {
  const me = session.jid;
  const queryid = randomUUID();
  const collected: DirectMessage[] = [];
  const off = session.onStanza((s) => {
    // The archive's results come from the agent's own address (never from another agent).
    if (!s.is('message') || (s.attrs.from !== undefined && bareJid(s.attrs.from) !== me)) return;
    const result = s.getChild('result', NS.mam);
    if (!result || result.attrs.queryid !== queryid) return;
    const forwarded = result.getChild('forwarded', NS.forward);
    const message = forwarded?.getChild('message');
    if (!message) return;
    const m = readDirectMessage(message, me, {
      delayedAt: forwarded?.getChild('delay', NS.delay)?.attrs.stamp,
      archiveId: result.attrs.id,
    });
    if (m && (peer === null || m.peer === peer)) collected.push(m);
  });
  try {
    const answer = await session.request(
      xml(
        'iq',
        { type: 'set', to: me, id: randomUUID() },
        xml(
          'query',
          { xmlns: NS.mam, queryid },
          xml(
            'x',
            { xmlns: NS.data, type: 'submit' },
            field('FORM_TYPE', NS.mam),
            peer ? field('with', peer) : undefined,
            start ? field('start', start) : undefined,
          ),
          rsm,
        ),
      ),
    );
    return { collected, fin: answer.getChild('fin', NS.mam) };
  } catch (err) {
    if (thrownCondition(err)) throw new OstalError('forbidden', t('directChat.errors.archiveRefused'), { cause: err });
    throw err;
  } finally {
    off();
  }
}

/** The last `max` messages exchanged with `peer`, oldest first. */
export async function directArchive(session: XmppSession, peer: string, max: number): Promise<DirectMessage[]> {
  const { collected } = await ownArchiveQuery(
    session,
    peer,
    xml('set', { xmlns: NS.rsm }, xml('max', {}, String(max)), xml('before', {}, '')),
  );
  return collected;
}

/** Every message exchanged with `peer` from `start` on (ISO 8601), oldest first. */
export async function directArchiveSince(
  session: XmppSession,
  peer: string | null,
  start: string,
  pageSize = 250,
  maxPages = 40,
): Promise<DirectMessage[]> {
  const all: DirectMessage[] = [];
  let after: string | null = null;
  for (let page = 0; page < maxPages; page++) {
    const { collected, fin } = await ownArchiveQuery(
      session,
      peer,
      xml('set', { xmlns: NS.rsm }, xml('max', {}, String(pageSize)), after ? xml('after', {}, after) : undefined),
      start,
    );
    all.push(...collected);
    after = fin?.getChild('set', NS.rsm)?.getChildText('last') ?? null;
    if (fin?.attrs.complete === 'true' || !after) break;
  }
  return all;
}
