/**
 * Fichiers when the server misbehaves: a folder whose listing fails with 500 and a server that stops answering
 * (through a small proxy in front of the real Apache) → nothing deleted on either side, French message, the sync
 * resumes when the server is back; hostile names from a fake WebDAV server (../, a/b, absolute hrefs, '..', 300
 * characters) and names Windows refuses stored on the real Apache (CON, aux.txt, trailing dot, case clash, too
 * long path) → nothing written outside the sync folder, each one reported in French. agent3 and agent4.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { caCert } from '../servers/testing.js';
import { dav, filesCore, freshArea, getServers, sha256, testUser, webdavUrl, type FilesCore } from './files-fixture.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

/** HTTP proxy to Apache: `failFolder` answers 500 to PROPFIND of that path; `down` cuts every connection. */
interface Proxy {
  port: number;
  failFolder: string | null;
  down: boolean;
  /** Cut the next GET answer after this many body bytes. */
  cutGetAfter: number | null;
  gets: { range: string | null; bytes: number }[];
  close(): Promise<void>;
}

async function startProxy(): Promise<Proxy> {
  const s = getServers();
  const state: Proxy = { port: 0, failFolder: null, down: false, cutGetAfter: null, gets: [], close: async () => {} };
  const server = http.createServer((req, res) => {
    if (state.down) {
      req.socket.destroy();
      return;
    }
    if (state.failFolder && req.method === 'PROPFIND' && decodeURIComponent(req.url ?? '') === state.failFolder) {
      req.resume();
      res.writeHead(500, { 'Content-Length': '0' }).end();
      return;
    }
    // A fresh upstream connection each time (no keep-alive race with Apache closing idle sockets).
    const up = https.request(
      { host: 'localhost', port: s.apache.port, method: req.method, path: req.url, headers: req.headers, ca: caCert(), agent: false },
      (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        if (req.method !== 'GET') {
          r.pipe(res);
          return;
        }
        const record = { range: (req.headers.range as string | undefined) ?? null, bytes: 0 };
        state.gets.push(record);
        const cut = state.cutGetAfter;
        state.cutGetAfter = null;
        r.on('data', (chunk: Buffer) => {
          if (cut !== null && record.bytes + chunk.length > cut) {
            res.write(chunk.subarray(0, cut - record.bytes));
            record.bytes = cut;
            setTimeout(() => res.socket?.destroy(), 50);
            r.destroy();
            return;
          }
          record.bytes += chunk.length;
          res.write(chunk);
        });
        r.on('end', () => res.end());
      },
    );
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  server.keepAliveTimeout = 100;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  state.port = (server.address() as AddressInfo).port;
  state.close = () =>
    new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    });
  return state;
}

async function open(user: ReturnType<typeof testUser>, url: string): Promise<FilesCore> {
  const f = await filesCore(user, url);
  cleanups.push(async () => {
    await f.core.close();
    fs.rmSync(f.dir, { recursive: true, force: true });
  });
  return f;
}

describe('Fichiers: serveur en panne, noms hostiles', () => {
  it('a folder listing failing with 500 propagates no deletion, says so in French, and the sync resumes', async () => {
    const user = testUser(3);
    const area = await freshArea(user, 'panne');
    expect((await dav(user, 'MKCOL', `${area}Marchés publics`)).status).toBe(201);
    for (const n of ['Lot 1.txt', 'Lot 2.txt', 'Lot 3.txt'])
      expect((await dav(user, 'PUT', `${area}Marchés publics/${n}`, `contenu ${n}`)).status).toBe(201);
    expect((await dav(user, 'PUT', `${area}Accueil.txt`, 'bienvenue')).status).toBe(201);
    const proxy = await startProxy();
    cleanups.push(() => proxy.close());
    const f = await open(user, `http://127.0.0.1:${proxy.port}${area}`);
    expect((await f.core.handle('files.sync', { accountId: f.accountId })).accounts[0].ok).toBe(true);
    const lots = path.join(f.root, 'Marchés publics');
    expect(fs.readdirSync(lots).sort()).toEqual(['Lot 1.txt', 'Lot 2.txt', 'Lot 3.txt']);

    // The folder cannot be listed: its files must not look deleted on the server.
    // A new file on the server changes the folder's ETag: it has to be listed again, and that fails.
    expect((await dav(user, 'PUT', `${area}Marchés publics/Lot 4.txt`, 'contenu Lot 4.txt')).status).toBe(201);
    proxy.failFolder = `${area}Marchés publics/`;
    fs.rmSync(path.join(lots, 'Lot 3.txt')); // a local deletion under it waits too
    const failed = await f.core.handle('files.sync', { accountId: f.accountId });
    expect(failed.accounts[0].ok).toBe(false);
    expect(failed.accounts[0].error?.message).toMatch(
      /^Le dossier «\u00a0\/Marchés publics\u00a0» du serveur n’a pas pu être lu\u00a0: .*Rien n’a été supprimé dans ce dossier\u00a0; Ostal réessaiera\.$/,
    );
    expect(fs.readdirSync(lots).sort()).toEqual(['Lot 1.txt', 'Lot 2.txt']);
    expect((await dav(user, 'GET', `${area}Marchés publics/Lot 3.txt`)).status).toBe(200);
    const status = await f.core.handle('files.status', { accountId: f.accountId });
    expect(status.accounts[0].lastError).toBe(failed.accounts[0].error?.message);

    // The whole server stops answering: nothing deleted, French message.
    proxy.failFolder = null;
    proxy.down = true;
    const down = await f.core.handle('files.sync', { accountId: f.accountId });
    expect(down.accounts[0].ok).toBe(false);
    expect(down.accounts[0].error?.message).toMatch(
      /^La connexion au serveur 127\.0\.0\.1 a été interrompue\. Vos données restent disponibles sur cet ordinateur/,
    );
    expect(fs.readdirSync(lots).sort()).toEqual(['Lot 1.txt', 'Lot 2.txt']);
    expect(fs.readFileSync(path.join(f.root, 'Accueil.txt'), 'utf8')).toBe('bienvenue');

    // Back: the local deletion goes through, nothing else changes.
    proxy.down = false;
    const back = await f.core.handle('files.sync', { accountId: f.accountId });
    expect(back.accounts[0].ok, JSON.stringify(back)).toBe(true);
    expect((await dav(user, 'GET', `${area}Marchés publics/Lot 3.txt`)).status).toBe(404);
    expect((await dav(user, 'GET', `${area}Marchés publics/Lot 1.txt`)).status).toBe(200);
    expect(fs.readdirSync(lots).sort()).toEqual(['Lot 1.txt', 'Lot 2.txt', 'Lot 4.txt']);
    expect((await f.core.handle('files.status', { accountId: f.accountId })).accounts[0].lastError).toBeNull();
  });

  it('« garder les fichiers » answered during a sync that fails (a folder listing fails) is still taken by that sync', async () => {
    const user = testUser(3);
    const area = await freshArea(user, 'panne-garder');
    expect((await dav(user, 'MKCOL', `${area}Bloqué`)).status).toBe(201);
    expect((await dav(user, 'PUT', `${area}Bloqué/a.txt`, 'a')).status).toBe(201);
    for (let i = 1; i <= 12; i++) expect((await dav(user, 'PUT', `${area}Pièce ${i}.txt`, `pièce ${i}`)).status).toBe(201);
    const proxy = await startProxy();
    cleanups.push(() => proxy.close());
    const f = await open(user, `http://127.0.0.1:${proxy.port}${area}`);
    expect((await f.core.handle('files.sync', { accountId: f.accountId })).accounts[0].ok).toBe(true);

    // A folder that cannot be listed, a big deletion on the server, and a slow download that keeps the sync running.
    expect((await dav(user, 'PUT', `${area}Bloqué/b.txt`, 'b')).status).toBe(201);
    proxy.failFolder = `${area}Bloqué/`;
    for (let i = 1; i <= 11; i++) expect((await dav(user, 'DELETE', `${area}Pièce ${i}.txt`)).status).toBe(204);
    expect((await dav(user, 'PUT', `${area}Plan cadastral.pdf`, Buffer.alloc(100_000, 'p'))).status).toBe(201);
    await f.core.handle('settings.set', { key: 'files.speedLimitKbps', value: 50 });
    const answers: Promise<unknown>[] = [];
    f.core.onEvent((event, data) => {
      if (event === 'files.notice' && (data as { kind: string }).kind === 'confirmation')
        answers.push(f.core.handle('files.confirmDeletion', { accountId: f.accountId, confirm: false }));
    });
    const failed = await f.core.handle('files.sync', { accountId: f.accountId });
    expect(failed.accounts[0].ok).toBe(false);
    expect(failed.accounts[0].error?.message).toMatch(/^Le dossier «\u00a0\/Bloqué\u00a0» du serveur n’a pas pu être lu/);
    expect(answers).toHaveLength(1);
    await Promise.all(answers);
    expect((await f.core.handle('files.status', { accountId: f.accountId })).accounts[0].pendingDeletion).toBeNull();
    for (let i = 1; i <= 11; i++) expect((await dav(user, 'GET', `${area}Pièce ${i}.txt`)).body.toString('utf8')).toBe(`pièce ${i}`);
    expect(fs.readFileSync(path.join(f.root, 'Plan cadastral.pdf')).length).toBe(100_000);
  });

  it('a download cut in the middle resumes where it stopped (nothing received twice), no partial file left', async () => {
    const user = testUser(4);
    const area = await freshArea(user, 'reprise');
    const content = crypto.randomBytes(600_000);
    expect((await dav(user, 'PUT', `${area}Plan local d’urbanisme.pdf`, content)).status).toBe(201);
    await new Promise((r) => setTimeout(r, 1_200)); // past Apache's weak-ETag second
    const proxy = await startProxy();
    cleanups.push(() => proxy.close());
    const f = await open(user, `http://127.0.0.1:${proxy.port}${area}`);
    proxy.cutGetAfter = 250_000;
    const cut = await f.core.handle('files.sync', { accountId: f.accountId });
    expect(cut.accounts[0].ok).toBe(false);
    expect(cut.accounts[0].error?.message).toMatch(/^La connexion au serveur 127\.0\.0\.1 a été interrompue\./);
    expect(fs.existsSync(path.join(f.root, 'Plan local d’urbanisme.pdf'))).toBe(false);
    const partials = fs.readdirSync(f.root).filter((n) => n.startsWith('.ostal-partial-'));
    expect(partials).toHaveLength(1);
    const kept = fs.statSync(path.join(f.root, partials[0])).size;
    expect(kept).toBeGreaterThan(0);
    const resumed = await f.core.handle('files.sync', { accountId: f.accountId });
    expect(resumed.accounts[0].ok, JSON.stringify(resumed)).toBe(true);
    expect(proxy.gets).toHaveLength(2);
    expect(proxy.gets[1].range).toBe(`bytes=${kept}-`);
    expect(proxy.gets[1].bytes).toBe(600_000 - kept);
    expect(sha256(fs.readFileSync(path.join(f.root, 'Plan local d’urbanisme.pdf')))).toBe(sha256(content));
    expect(fs.readdirSync(f.root).filter((n) => n.startsWith('.ostal-partial-'))).toEqual([]);
  });

  it('hostile names from the server: nothing written outside the sync folder, each one reported', async () => {
    const long = `${'x'.repeat(296)}.txt`;
    const base = '/dav/agent4@ostal.test/piege/';
    const hrefs = [
      `${base}Normal.txt`,
      `${base}..%2Fevasion.txt`,
      `${base}a%2Fb.txt`,
      `${base}..`,
      '/etc/passwd',
      `${base}..%5Cwindows.txt`,
      `${base}${long}`,
    ];
    const xml = `<?xml version="1.0" encoding="utf-8"?><D:multistatus xmlns:D="DAV:"><D:response><D:href>${base}</D:href><D:propstat><D:prop><D:resourcetype><D:collection/></D:resourcetype><D:getetag>"racine"</D:getetag></D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response>${hrefs
      .map(
        (h, i) =>
          `<D:response><D:href>${h}</D:href><D:propstat><D:prop><D:resourcetype/><D:getetag>"e${i}"</D:getetag><D:getcontentlength>7</D:getcontentlength><D:getlastmodified>Mon, 30 Nov 2026 10:00:00 GMT</D:getlastmodified></D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response>`,
      )
      .join('')}</D:multistatus>`;
    const requested: string[] = [];
    const server = http.createServer((req, res) => {
      requested.push(`${req.method} ${req.url}`);
      req.resume();
      if (req.method === 'PROPFIND') res.writeHead(207, { 'Content-Type': 'application/xml; charset=utf-8' }).end(xml);
      else if (req.method === 'GET') res.writeHead(200, { 'Content-Length': '7', ETag: '"e0"' }).end('piège!!');
      else res.writeHead(405).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise<void>((r) => server.close(() => r())));
    const user = testUser(4);
    const f = await open(user, `http://127.0.0.1:${(server.address() as AddressInfo).port}${base}`);
    const report = await f.core.handle('files.sync', { accountId: f.accountId });
    expect(report.accounts[0].ok, JSON.stringify(report)).toBe(true);
    // Only the normal file was written, inside the folder; nothing anywhere else under the test directory.
    expect(fs.readdirSync(f.root)).toEqual(['Normal.txt']);
    const everything: string[] = [];
    const walk = (d: string) => {
      for (const e of fs.readdirSync(d, { withFileTypes: true })) {
        if (e.isDirectory()) walk(path.join(d, e.name));
        else everything.push(path.relative(f.dir, path.join(d, e.name)));
      }
    };
    walk(f.dir);
    expect(everything.filter((p) => !p.startsWith('profil')).sort()).toEqual([path.join('Documents', user.email, 'Normal.txt')]);
    expect(fs.existsSync(path.join(os.tmpdir(), 'evasion.txt'))).toBe(false);
    expect(requested.filter((r) => r.startsWith('GET')).map((r) => decodeURIComponent(r))).toEqual([`GET ${base}Normal.txt`]);
    const problems = (await f.core.handle('files.status', { accountId: f.accountId })).accounts[0].problems;
    const messages = problems.map((p) => p.message).join('\n');
    expect(messages).toContain('Le serveur propose un nom dangereux ("..")');
    expect(messages).toContain('Le serveur a annoncé un élément hors du dossier demandé (/etc/passwd)');
    expect(messages).toContain('(/dav/agent4@ostal.test/piege/../evasion.txt)');
    expect(messages).toContain('(/dav/agent4@ostal.test/piege/a/b.txt)');
    expect(messages).toContain('Le serveur propose un nom dangereux ("..\\\\windows.txt")');
    expect(messages).toMatch(
      /Le chemin de «\u00a0x+…x+\.txt\u00a0» fait 301 caractères \(au plus 250\)\u00a0: il n’est pas synchronisé\. Raccourcissez/,
    );
    expect(problems).toHaveLength(6);
  });

  it('names Windows refuses, names differing by case and too long paths stored on Apache are reported, not synced', async () => {
    const user = testUser(4);
    const area = await freshArea(user, 'noms');
    const deep = `${'Dossier de la commission des finances '.repeat(3).trim()}`;
    for (const n of ['CON', 'aux.txt', 'fin.', 'Rapport.txt', 'rapport.txt', 'Bon nom.txt', deep]) {
      const res = n === deep ? await dav(user, 'MKCOL', `${area}${n}`) : await dav(user, 'PUT', `${area}${n}`, `contenu ${n}`);
      expect(res.status, n).toBe(201);
    }
    const deeper = `${area}${deep}/${'Sous-dossier très détaillé des annexes budgétaires '.repeat(2).trim()}`;
    expect((await dav(user, 'MKCOL', deeper)).status).toBe(201);
    expect((await dav(user, 'PUT', `${deeper}/${'Annexe récapitulative '.repeat(4).trim()}.pdf`, 'annexe')).status).toBe(201);
    const f = await open(user, webdavUrl(area));
    const report = await f.core.handle('files.sync', { accountId: f.accountId });
    expect(report.accounts[0].ok, JSON.stringify(report)).toBe(true);
    const names = fs.readdirSync(f.root).sort();
    expect(names).toContain('Bon nom.txt');
    expect(names).not.toContain('CON');
    expect(names).not.toContain('aux.txt');
    expect(names).not.toContain('fin.');
    expect(names.filter((n) => n.toLowerCase() === 'rapport.txt')).toHaveLength(1);
    const problems = (await f.core.handle('files.status', { accountId: f.accountId })).accounts[0].problems;
    const text = problems.map((p) => p.message).join('\n');
    expect(text).toContain(
      '«\u00a0CON\u00a0» est un nom réservé par Windows\u00a0: il n’est pas synchronisé. Renommez-le, par exemple en «\u00a0CON_\u00a0».',
    );
    expect(text).toContain(
      '«\u00a0aux.txt\u00a0» est un nom réservé par Windows\u00a0: il n’est pas synchronisé. Renommez-le, par exemple en «\u00a0aux_.txt\u00a0».',
    );
    expect(text).toContain('«\u00a0fin.\u00a0» se termine par un point ou une espace');
    expect(text).toMatch(/ne diffèrent que par les majuscules/);
    expect(text).toMatch(/fait \d{3} caractères \(au plus 250\)/);
    expect(problems.every((p) => p.side === 'server')).toBe(true);
    // A local file Windows refuses is not uploaded either.
    fs.writeFileSync(path.join(f.root, 'question?.txt'), 'local');
    await f.core.handle('files.sync', { accountId: f.accountId });
    expect((await dav(user, 'GET', `${area}question?.txt`)).status).toBe(404);
    const local = (await f.core.handle('files.status', { accountId: f.accountId })).accounts[0].problems.find((p) => p.side === 'local');
    expect(local?.message).toBe(
      '«\u00a0question?.txt\u00a0» contient un caractère que Windows refuse (chevron, guillemet droit, barre verticale, astérisque, point d’interrogation ou deux-points)\u00a0: il n’est pas synchronisé. Renommez-le, par exemple en «\u00a0question_.txt\u00a0».',
    );
  });
});
