/**
 * Files in the Discussions through the test run's Prosody (mod_http_file_share, XEP-0363): agent1 sends a file in a
 * space and agent3 gets a file card, its size, and downloads the same bytes (hash); in a direct discussion the stanza
 * carries the OOB element (XEP-0066); a message whose address points to another host stays a link (no card, no
 * download); a file over the server's limit is refused in French before anything is sent; the CLI's chat send --file.
 */
import { execFile } from 'node:child_process';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { xml, type Element } from '@xmpp/client';
import { discoverUpload, requestSlot } from '../../src/workspaces/xmpp/upload.js';
import { slotRefusal } from '../../src/workspaces/chat-files.js';
import { getServers, testUser } from '../servers/testing.js';
import type { User } from './files-fixture.js';
import { openWorkspaceCore, type OpenedCore, plainSession, refreshUntilListed, WorkspaceCores } from './workspaces-fixture.js';

const cores = new WorkspaceCores();
const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

const openCore = (user: User, label: string): Promise<OpenedCore> => cores.open(user, label);

describe('fichiers dans les discussions (Prosody, XEP-0363)', () => {
  afterAll(async () => {
    await cores.closeAll();
  });

  it('agent1 sends a file in the space; agent3 sees a card and downloads the same bytes; a link elsewhere stays a link', async () => {
    const s = getServers();
    const a1 = testUser(1);
    const a3 = testUser(3);
    const tag = randomUUID().slice(0, 8);
    const one = await openCore(a1, 'f1');
    const space = await one.core.handle('workspaces.create', { name: `Fichiers ${tag}`, members: [a3.email] });
    const three = await openCore(a3, 'f3');
    expect(await refreshUntilListed(three.core, space.id)).toContain(space.id);

    const content = randomBytes(300 * 1024);
    const name = `compte-rendu é ${tag}.pdf`;
    const sent = await one.core.handle('chat.file.send', {
      workspaceId: space.id,
      name,
      contentType: 'application/pdf',
      content: content.toString('base64'),
    });
    expect(sent.pending).toBe(false);
    expect(sent.file?.name).toBe(name);
    expect(sent.text).toBe(sent.file?.url);
    expect(new URL(sent.text).host).toBe(`localhost:${s.prosody.httpsPort}`);
    // The sender's own copy: « Ouvrir » works at once, same bytes.
    const mine = await one.core.handle('chat.file.info', { workspaceId: space.id, url: sent.text });
    expect(mine.size).toBe(content.length);
    expect(sha(fs.readFileSync(mine.localPath!))).toBe(sha(content));

    const history = await three.core.handle('chat.history', { workspaceId: space.id });
    const card = history.find((m) => m.text === sent.text);
    expect(card?.from).toBe(a1.email);
    expect(card?.file).toEqual({ url: sent.text, name });
    // The Discussion's view reads pages (chat.page): the same card there.
    const page = await three.core.handle('chat.page', { workspaceId: space.id });
    expect(page.messages.find((m) => m.text === sent.text)?.file).toEqual({ url: sent.text, name });
    const info = await three.core.handle('chat.file.info', { workspaceId: space.id, url: sent.text });
    expect(info).toMatchObject({ name, size: content.length, localPath: null });
    const downloaded = await three.core.handle('chat.file.download', { workspaceId: space.id, url: sent.text });
    expect(downloaded.localPath).not.toBeNull();
    expect(sha(fs.readFileSync(downloaded.localPath!))).toBe(sha(content));
    expect((await three.core.handle('chat.file.info', { workspaceId: space.id, url: sent.text })).localPath).toBe(downloaded.localPath);

    // A message whose address is on another host: text with a link, no card, never downloaded.
    const elsewhere = `https://autre-serveur.example/file_share/${tag}/facture.pdf`;
    await one.core.handle('chat.send', { workspaceId: space.id, text: elsewhere });
    const h3 = await three.core.handle('chat.history', { workspaceId: space.id });
    const link = h3.find((m) => m.text === elsewhere);
    expect(link).toBeDefined();
    expect(link?.file).toBeNull();
    expect((await three.core.handle('chat.page', { workspaceId: space.id })).messages.find((m) => m.text === elsewhere)?.file).toBeNull();
    await expect(three.core.handle('chat.file.download', { workspaceId: space.id, url: elsewhere })).rejects.toMatchObject({
      code: 'forbidden',
      message: expect.stringContaining('pas sur votre serveur') as unknown,
    });
    // An address of the server that no message of this Discussion carries is not fetched either.
    await expect(
      three.core.handle('chat.file.download', {
        workspaceId: space.id,
        url: `https://localhost:${s.prosody.httpsPort}/file_share/x/y.pdf`,
      }),
    ).rejects.toMatchObject({ code: 'not_found' });
  });

  it('a direct file carries OOB; a forged message pointing elsewhere is no file; too large is refused in French', async () => {
    const s = getServers();
    const a1 = testUser(1);
    const a3 = testUser(3);
    const a4 = testUser(4);
    const tag = randomUUID().slice(0, 8);
    const one = await openCore(a1, 'g1');
    const three = await openCore(a3, 'g3');
    // agent3's other client watches what arrives.
    const watcher = await plainSession(a3);
    const intruder = await plainSession(a4, -1);
    try {
      const content = Buffer.from(`Ordre du jour ${tag}\n`, 'utf8');
      const arrived = watcher.waitFor((st: Element) => st.is('message') && (st.getChildText('body') ?? '').includes(tag), 20_000);
      const sent = await one.core.handle('chat.file.send', {
        peer: a3.email,
        name: `ordre-du-jour-${tag}.txt`,
        contentType: 'text/plain',
        content: content.toString('base64'),
      });
      expect(sent.file?.name).toBe(`ordre-du-jour-${tag}.txt`);
      const stanza = await arrived.promise;
      expect(stanza.getChild('x', 'jabber:x:oob')?.getChildText('url')).toBe(sent.text);

      const history = await three.core.handle('direct.history', { peer: a1.email });
      expect(history.find((m) => m.text === sent.text)?.file?.name).toBe(`ordre-du-jour-${tag}.txt`);
      const got = await three.core.handle('chat.file.download', { peer: a1.email, url: sent.text });
      const listed = (await three.core.handle('direct.list', {})).find((c) => c.peer === a1.email);
      expect(listed?.lastText).toBe(`Fichier\u00a0: ordre-du-jour-${tag}.txt`);
      expect(fs.readFileSync(got.localPath!).toString('utf8')).toBe(`Ordre du jour ${tag}\n`);

      // A larger file given in parts (the local API carries a few megabytes a request), then sent whole.
      const large = randomBytes(5 * 1024 * 1024 + 123);
      const first = await one.core.handle('chat.file.stage', { content: large.subarray(0, 4 * 1024 * 1024).toString('base64') });
      const whole = await one.core.handle('chat.file.stage', {
        uploadId: first.uploadId,
        content: large.subarray(4 * 1024 * 1024).toString('base64'),
      });
      expect(whole).toEqual({ uploadId: first.uploadId, size: large.length });
      await expect(one.core.handle('chat.file.check', { peer: a3.email, name: 'grand.bin', size: large.length })).resolves.toEqual({
        maxSize: 10 * 1024 * 1024,
      });
      const bigSent = await one.core.handle('chat.file.send', { peer: a3.email, name: `grand-${tag}.bin`, uploadId: first.uploadId });
      const bigGot = await three.core.handle('chat.file.download', { peer: a1.email, url: bigSent.text });
      expect(sha(fs.readFileSync(bigGot.localPath!))).toBe(sha(large));
      // The parts are gone once sent: the same id cannot send again.
      await expect(
        one.core.handle('chat.file.send', { peer: a3.email, name: 'encore.bin', uploadId: first.uploadId }),
      ).rejects.toMatchObject({ code: 'invalid_input' });

      // Forged: agent4 sends agent3 a « file » (body and OOB) on another host, named like the server's own.
      const forged = `https://upload.ostal.test.autre.example/file_share/${tag}/virement.pdf`;
      await intruder.send(
        xml(
          'message',
          { to: a3.email, type: 'chat', id: `faux-${tag}` },
          xml('body', {}, forged),
          xml('x', { xmlns: 'jabber:x:oob' }, xml('url', {}, forged)),
        ),
      );
      await intruder.request(xml('iq', { type: 'get', to: 'ostal.test' }, xml('ping', { xmlns: 'urn:xmpp:ping' })));
      const fromFour = await three.core.handle('direct.history', { peer: a4.email });
      const shown = fromFour.find((m) => m.text === forged);
      expect(shown?.from).toBe(a4.email);
      expect(shown?.file).toBeNull();
      await expect(three.core.handle('chat.file.info', { peer: a4.email, url: forged })).rejects.toMatchObject({ code: 'forbidden' });

      // Too large: refused before any upload, in French, with the server's limit (10 Mo on the test server).
      await expect(one.core.handle('chat.file.check', { peer: a3.email, name: 'film.mp4', size: 11 * 1024 * 1024 })).rejects.toMatchObject({
        code: 'invalid_input',
        message: expect.stringContaining('accepte au plus 10\u00a0Mo') as unknown,
      });
      const big = Buffer.alloc(Math.round(10.5 * 1024 * 1024), 1);
      await expect(
        one.core.handle('chat.file.send', { peer: a3.email, name: 'film.mp4', content: big.toString('base64') }),
      ).rejects.toMatchObject({
        code: 'invalid_input',
        message:
          'Le fichier «\u00a0film.mp4\u00a0» fait 10,5\u00a0Mo\u00a0: le serveur de discussion accepte au plus 10\u00a0Mo par fichier. Il n’a pas été envoyé.',
      });
      // The server itself refuses such a slot (the limit Ostal read from it is its own).
      const service = await discoverUpload(watcher, 'ostal.test');
      expect(service).toEqual({ jid: s.prosody.uploadService, maxSize: 10 * 1024 * 1024 });
      const refusal = await requestSlot(watcher, service!.jid, { name: 'film.mp4', size: big.length, contentType: 'video/mp4' }).then(
        () => null,
        (err: unknown) => err,
      );
      expect(refusal).toMatchObject({ condition: 'not-acceptable' });
      // …and that refusal reads in French, with the limit.
      expect(slotRefusal(refusal, 'film.mp4', big.length, service!.maxSize).message).toBe(
        'Le fichier «\u00a0film.mp4\u00a0» fait 10,5\u00a0Mo\u00a0: le serveur de discussion accepte au plus 10\u00a0Mo par fichier. Il n’a pas été envoyé.',
      );
      // Bad names are refused in French.
      await expect(one.core.handle('chat.file.send', { peer: a3.email, name: '../etc/passwd', content: 'QQ==' })).rejects.toMatchObject({
        code: 'invalid_input',
      });
    } finally {
      await watcher.close();
      await intruder.close();
    }
  });

  it('CLI: chat send --file puts the file on the server and prints the message with its file', async () => {
    const s = getServers();
    const a1 = testUser(1);
    const a3 = testUser(3);
    const tag = randomUUID().slice(0, 8);
    const profile = cores.profile('c1');
    const one = await openWorkspaceCore(a1, profile, `xmpp://localhost:${s.prosody.port}`);
    const space = await one.core.handle('workspaces.create', { name: `Fichiers CLI ${tag}`, members: [a3.email] });
    await one.core.close();
    const file = path.join(path.dirname(profile), `budget ${tag}.csv`);
    fs.writeFileSync(file, 'poste;montant\nmédiathèque;120000\n');
    const env = {
      ...process.env,
      NODE_EXTRA_CA_CERTS: s.caCertPath,
      OSTAL_DNS_SERVERS: `127.0.0.1:${s.dns.port}`,
      OSTAL_POLICIES: path.join(os.tmpdir(), 'ostal-no-policy.json'),
    };
    const cli = async (args: string[]): Promise<{ code: number; stdout: string; stderr: string }> => {
      try {
        const { stdout, stderr } = await promisify(execFile)(process.execPath, ['bin/ostal.mjs', ...args, '--profile', profile], {
          cwd: path.resolve(import.meta.dirname, '../..'),
          env,
          timeout: 60_000,
        });
        return { code: 0, stdout, stderr };
      } catch (err) {
        const e = err as { code?: number; stdout?: string; stderr?: string };
        return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
      }
    };
    const sent = await cli(['chat', 'send', '--workspace', space.id, '--file', file, '--json']);
    expect(sent.stderr).toBe('');
    expect(sent.code).toBe(0);
    const message = JSON.parse(sent.stdout) as { text: string; file: { name: string; url: string } | null };
    expect(message.file?.name).toBe(`budget ${tag}.csv`);
    expect(message.text).toBe(message.file?.url);
    const missing = await cli(['chat', 'send', '--workspace', space.id, '--file', `${file}.absent`]);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('est introuvable ou illisible');
  });
});
