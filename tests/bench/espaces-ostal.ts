/**
 * The measuring half of `npm run bench -- espaces` (tests/bench/espaces.ts), in a process that trusts the run's
 * authority. Prints one JSON line of results on stdout; progress on stderr.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { xml } from '@xmpp/client';
import { Core } from '../../src/core.js';
import { silentLogger } from '../../src/log.js';
import { XmppSession, NS } from '../../src/workspaces/xmpp/session.js';
import { joinRoom } from '../../src/workspaces/xmpp/muc.js';
import { WorkspaceRepository } from '../../src/workspaces/repository.js';
import { percentile } from './report.js';

const input = JSON.parse(process.argv[2]!) as {
  prosodyPort: number;
  imapPort: number;
  smtpPort: number;
  sharedWebdavRoot: string;
  domain: string;
  users: { email: string; password: string; name: string }[];
  rounds: number;
  messages: number;
  searches: number;
};
const say = (line: string): boolean => process.stderr.write(`${line}\n`);
const service = `xmpp://localhost:${input.prosodyPort}`;
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'ostal-bench-espaces-'));

async function openCore(user: { email: string; password: string; name: string }, label: string): Promise<Core> {
  const core = await Core.open({ profileDir: path.join(work, label), mode: 'browser', logger: silentLogger, policyPath: null });
  await core.handle('accounts.add', {
    email: user.email,
    password: user.password,
    name: user.name,
    settings: {
      imap: `imaps://localhost:${input.imapPort}`,
      smtp: `smtp://localhost:${input.smtpPort}`,
      caldav: null,
      carddav: null,
      webdav: null,
      xmpp: service,
      username: null,
    },
  });
  await core.handle('settings.set', { key: 'workspaces.webdavRoot', value: input.sharedWebdavRoot });
  await core.handle('settings.set', { key: 'files.localRoot', value: path.join(work, label, 'Documents') });
  return core;
}

const [u1, u2] = input.users as [(typeof input.users)[0], (typeof input.users)[0]];
const one = await openCore(u1, 'a1');
const two = await openCore(u2, 'a2');
const sessions: XmppSession[] = [];
try {
  const space = await one.handle('workspaces.create', { name: `Banc ${randomUUID().slice(0, 6)}`, members: [u2.email] });
  await two.handle('workspaces.refresh', {});

  // --- Ostal: chat.send in agent1's core until agent2's core has stored it (its workspaces.messages event).
  say(`Aller-retour Ostal : ${input.rounds} messages…`);
  const ostal: number[] = [];
  for (let i = 0; i < input.rounds; i++) {
    const text = `Aller-retour ${i} ${randomUUID()}`;
    const arrived = new Promise<void>((resolve) => {
      const off = two.onEvent((event) => {
        if (event !== 'workspaces.messages') return;
        const row = two.ctx.db.prepare('SELECT 1 FROM chat_messages WHERE workspace_id = ? AND body = ?').get(space.id, text);
        if (row) {
          off();
          resolve();
        }
      });
    });
    const t = performance.now();
    await one.handle('chat.send', { workspaceId: space.id, text });
    await arrived;
    ostal.push(performance.now() - t);
  }

  // --- Peer: the same exchange between two plain @xmpp/client sessions.
  say(`Aller-retour @xmpp/client seul : ${input.rounds} messages…`);
  const open = async (u: typeof u1): Promise<XmppSession> => {
    const s = await XmppSession.open({
      service,
      domain: input.domain,
      username: u.email.split('@')[0]!,
      password: u.password,
      log: silentLogger,
    });
    sessions.push(s);
    await joinRoom(s, space.id, `${u.email}/banc`);
    return s;
  };
  const s1 = await open(u1);
  const s2 = await open(u2);
  const peer: number[] = [];
  for (let i = 0; i < input.rounds; i++) {
    const id = randomUUID();
    const got = s2.waitFor((st) => st.is('message') && st.getChild('origin-id', NS.sid)?.attrs.id === id);
    const t = performance.now();
    await s1.send(
      xml('message', { to: space.id, type: 'groupchat', id }, xml('body', {}, `Pair ${i}`), xml('origin-id', { xmlns: NS.sid, id })),
    );
    await got.promise;
    peer.push(performance.now() - t);
  }

  // --- Offline search over `messages` archived messages (stored as the archive gives them).
  say(`Recherche hors ligne : ${input.messages} messages, ${input.searches} recherches…`);
  const words = ['réunion', 'école', 'budget', 'voirie', 'médiathèque', 'conseil', 'marché', 'crèche', 'piscine', 'élus'];
  const repo = new WorkspaceRepository(one.ctx.db);
  const batch = Array.from({ length: input.messages }, (_, i) => ({
    id: `bench-${i}`,
    originId: `bench-${i}`,
    sender: u2.email,
    body: `Message ${i} : ${words[i % words.length]} et ${words[(i * 3 + 1) % words.length]} pour la semaine ${i % 52}`,
    sentAt: new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString(),
    senderVouched: true,
  }));
  repo.storeMessages(one.ctx.db.prepare('SELECT id FROM accounts LIMIT 1').pluck().get() as string, space.id, batch);
  const queries = ['reunion ecole', 'MEDIATHEQUE', 'budget semaine 12', 'creche', 'piscine voirie', 'elus', 'conseil marche'];
  const search: number[] = [];
  const like: number[] = [];
  const likeQuery = one.ctx.db.prepare('SELECT * FROM chat_messages WHERE workspace_id = ? AND body LIKE ? ORDER BY sent_at DESC LIMIT 50');
  for (let i = 0; i < input.searches; i++) {
    const q = queries[i % queries.length]!;
    let t = performance.now();
    const found = await one.handle('chat.search', { query: q, workspaceId: space.id });
    search.push(performance.now() - t);
    if (i === 0 && found.length === 0) throw new Error(`aucun résultat pour « ${q} »`);
    t = performance.now();
    likeQuery.all(space.id, `%${q.split(' ')[0]}%`);
    like.push(performance.now() - t);
  }
  process.stdout.write(
    `${JSON.stringify({
      ostalP50: percentile(ostal, 50),
      ostalP95: percentile(ostal, 95),
      peerP50: percentile(peer, 50),
      peerP95: percentile(peer, 95),
      searchP50: percentile(search, 50),
      searchP95: percentile(search, 95),
      likeP50: percentile(like, 50),
      likeP95: percentile(like, 95),
    })}\n`,
  );
} finally {
  for (const s of sessions) await s.close();
  await one.close();
  await two.close();
  fs.rmSync(work, { recursive: true, force: true });
}
