/**
 * Replies (XEP-0461), corrections (XEP-0308) and deletions (XEP-0424) in a space's Discussion, against the run's
 * Prosody. agent1 uses Ostal; agent5 (« agent2 » below) is a plain XMPP client (raw stanzas), which lets it play the forger: a correction
 * or deletion of agent1's message sent by agent2, and a message claiming agent1's address in an <x/> of its own
 * making, must change nothing and be attributed to agent2 — live in agent1's Ostal, and again when a fresh profile
 * reads the room's archive.
 */
import fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { xml, type Element } from '@xmpp/client';
import type { Core } from '../../src/core.js';
import type { ChatMessage } from '../../src/shared/contract.js';
import { type XmppSession, NS } from '../../src/workspaces/xmpp/session.js';
import { joinRoom } from '../../src/workspaces/xmpp/muc.js';
import { getServers, testUser } from '../servers/testing.js';
import { openWorkspaceCore, plainSession, tempProfile } from './workspaces-fixture.js';

const cores: Core[] = [];
const sessions: XmppSession[] = [];
const dirs: string[] = [];

afterAll(async () => {
  for (const s of sessions) await s.close();
  for (const c of cores) await c.close().catch(() => undefined);
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

async function until<T>(what: string, read: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (ok(v)) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('espaces de travail: replies, corrections, deletions (Prosody)', () => {
  it('applies replies, corrections and deletions from their sender only, live and from the archive', async () => {
    const s = getServers();
    const a1 = testUser(1);
    // The plain client connects with a negative priority: the invitations the server keeps for agent5's Ostal in
    // another test (workspaces-crash) stay kept.
    const a2 = testUser(5);
    const service = `xmpp://localhost:${s.prosody.port}`;
    const one = await openWorkspaceCore(a1, tempProfile(dirs, 'edits-a1'), service);
    cores.push(one.core);
    const space = await one.core.handle('workspaces.create', { name: 'Réponses et corrections', members: [a2.email] });
    const room = space.id;

    // agent2: a plain client in the room, which records what it receives (ids it could forge against).
    const two = await plainSession(a2, -1);
    sessions.push(two);
    const seen: Element[] = [];
    two.onStanza((st) => {
      if (st.is('message') && st.attrs.type === 'groupchat') seen.push(st);
    });
    await joinRoom(two, room, a2.email);
    const groupchat = (id: string, ...children: (Element | undefined)[]): Element =>
      xml('message', { to: room, type: 'groupchat', id }, ...children, xml('origin-id', { xmlns: NS.sid, id }));
    const history = (core: Core): Promise<ChatMessage[]> => core.handle('chat.history', { workspaceId: room, limit: 100 });
    const byText = (list: ChatMessage[], text: string): ChatMessage | undefined => list.find((m) => m.text === text);

    // agent1 writes; agent2 sees its origin-id and the archive id.
    const first = await one.core.handle('chat.send', { workspaceId: room, text: 'Texte d’origine' });
    const echoed = await until(
      'agent1 message at agent2',
      async () => seen.find((m) => m.getChildText('body') === 'Texte d’origine'),
      (m) => m !== undefined,
    );
    const firstOrigin = echoed!.getChild('origin-id', NS.sid)!.attrs.id as string;
    expect(first.id).toBe(echoed!.getChildren('stanza-id', NS.sid).find((x) => x.attrs.by === room)?.attrs.id);

    // agent2 asks; agent1 answers it (XEP-0461 with the archive id).
    await two.send(groupchat('q-1', xml('body', {}, 'Question de l’agent 2')));
    const question = await until(
      'question at agent1',
      async () => byText(await history(one.core), 'Question de l’agent 2'),
      (m) => m !== undefined,
    );
    expect(question!.from).toBe(a2.email);
    const answer = await one.core.handle('chat.send', { workspaceId: room, text: 'Voici la réponse', replyTo: question!.id });
    expect(answer.replyTo).toEqual({ id: question!.id, from: a2.email, text: 'Question de l’agent 2', retracted: false });
    const answerAtTwo = await until(
      'answer at agent2',
      async () => seen.find((m) => m.getChildText('body') === 'Voici la réponse'),
      (m) => m !== undefined,
    );
    expect(answerAtTwo!.getChild('reply', NS.reply)?.attrs.id).toBe(question!.id);

    // agent1 corrects its own message.
    const corrected = await one.core.handle('chat.edit', { workspaceId: room, messageId: first.id, text: 'Texte corrigé' });
    expect(corrected).toMatchObject({ id: first.id, text: 'Texte corrigé', retracted: false });
    expect(corrected.editedAt).not.toBeNull();

    // agent1 cannot correct or delete agent2's message (French refusal, nothing sent).
    await expect(one.core.handle('chat.edit', { workspaceId: room, messageId: question!.id, text: 'Non' })).rejects.toMatchObject({
      code: 'forbidden',
      message: 'Vous ne pouvez modifier ou supprimer que vos propres messages.',
    });
    await expect(one.core.handle('chat.retract', { workspaceId: room, messageId: question!.id })).rejects.toMatchObject({
      code: 'forbidden',
    });

    // Forged: agent2 corrects and deletes agent1's message, by origin id and archive id, and claims agent1's address.
    const claim = xml('x', { xmlns: NS.mucUser }, xml('item', { jid: `${a1.email}/ostal`, affiliation: 'owner', role: 'moderator' }));
    await two.send(groupchat('f-1', claim, xml('body', {}, 'Falsifié'), xml('replace', { xmlns: NS.correct, id: firstOrigin })));
    await two.send(groupchat('f-2', claim, xml('body', {}, 'Falsifié bis'), xml('replace', { xmlns: NS.correct, id: first.id })));
    await two.send(
      groupchat(
        'f-3',
        claim,
        xml('retract', { xmlns: NS.retract, id: first.id }),
        xml('body', {}, 'supprimé'),
        xml('store', { xmlns: NS.hints }),
      ),
    );
    await two.send(groupchat('f-4', claim, xml('retract', { xmlns: NS.retract, id: answer.id }), xml('store', { xmlns: NS.hints })));
    // …a message in agent1's name…
    await two.send(groupchat('f-5', claim, xml('body', {}, 'Message au nom de l’agent 1')));
    // …and a correction of its own question, which applies.
    await two.send(groupchat('q-2', xml('body', {}, 'Question précisée'), xml('replace', { xmlns: NS.correct, id: 'q-1' })));

    const check = (list: ChatMessage[]): void => {
      const mine = list.find((m) => m.id === first.id);
      expect(mine).toMatchObject({ text: 'Texte corrigé', retracted: false, from: a1.email });
      expect(list.find((m) => m.id === answer.id)).toMatchObject({ text: 'Voici la réponse', retracted: false });
      expect(list.find((m) => m.id === question!.id)).toMatchObject({ text: 'Question précisée', from: a2.email });
      expect(list.find((m) => m.id === question!.id)?.editedAt).not.toBeNull();
      const claimed = byText(list, 'Message au nom de l’agent 1');
      expect(claimed?.from).toBe(a2.email);
      // The corrections and deletions are never shown as messages of their own.
      expect(list.filter((m) => /Falsifié|supprimé/.test(m.text))).toEqual([]);
    };
    // Live, in agent1's Ostal (the last stanza is agent2's own correction: once it is applied, all before it were read).
    check(
      await until(
        'agent2 correction at agent1',
        () => history(one.core),
        (l) => l.some((m) => m.text === 'Question précisée'),
      ),
    );

    // agent1 deletes its answer: gone for agent2 too.
    const retracted = await one.core.handle('chat.retract', { workspaceId: room, messageId: answer.id });
    expect(retracted).toMatchObject({ id: answer.id, text: '', retracted: true });
    const retractAtTwo = await until(
      'retraction at agent2',
      async () => seen.find((m) => m.getChild('retract', NS.retract)?.attrs.id === answer.id),
      (m) => m !== undefined,
    );
    expect(retractAtTwo).toBeDefined();
    await expect(one.core.handle('chat.edit', { workspaceId: room, messageId: answer.id, text: 'Trop tard' })).rejects.toMatchObject({
      code: 'invalid_input',
    });

    // From the archive: a fresh profile of agent1 reads the same outcome.
    const fresh = await openWorkspaceCore(a1, tempProfile(dirs, 'edits-a1-fresh'), service);
    cores.push(fresh.core);
    await fresh.core.handle('workspaces.refresh', {});
    const archived = await history(fresh.core);
    expect(archived.find((m) => m.id === answer.id)).toMatchObject({ retracted: true, text: '' });
    expect(archived.find((m) => m.id === first.id)).toMatchObject({ text: 'Texte corrigé', retracted: false, from: a1.email });
    expect(byText(archived, 'Message au nom de l’agent 1')?.from).toBe(a2.email);
    expect(byText(archived, 'Question précisée')?.from).toBe(a2.email);
    expect(archived.filter((m) => /Falsifié|supprimé par son auteur/.test(m.text))).toEqual([]);
    // Read again (the page holds the corrections again): same outcome.
    const again = await history(fresh.core);
    expect(again.find((m) => m.id === first.id)?.text).toBe('Texte corrigé');
    expect(again.find((m) => m.id === answer.id)?.retracted).toBe(true);
  });
});
