/**
 * « Nouveau dossier » and « Ajouter des fichiers » through the API (src/files/additions.ts) against the real Apache
 * mod_dav: the folder and the files are written in the sync folder, then reach the server with the next sync (checked
 * with direct requests); a file given in parts is put together in the profile; a name taken (on the disk, or on the
 * server only for an online-only file) keeps both, « nom (2).ext »; a folder name taken or refused by Windows is
 * refused in French; a failed write leaves nothing behind. agent2, in a fresh folder of its space.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { OstalError } from '../../src/errors.js';
import { dav, filesCore, freshArea, localTree, remoteTree, sha256, testUser, webdavUrl, type FilesCore } from './files-fixture.js';

const user = testUser(2);
let area: string;
let f: FilesCore;

async function sync(): Promise<void> {
  const report = await f.core.handle('files.sync', { accountId: f.accountId });
  expect(report.accounts[0], JSON.stringify(report)).toMatchObject({ ok: true, scopes: ['files'] });
}

const b64 = (s: string | Buffer) => Buffer.from(s).toString('base64');

beforeAll(async () => {
  area = await freshArea(user, 'ajout');
  expect((await dav(user, 'PUT', `${area}rapport.pdf`, 'rapport du serveur\n')).status).toBe(201);
  f = await filesCore(user, webdavUrl(area));
  await sync();
});

afterAll(async () => {
  await f?.core.close();
  if (f) fs.rmSync(f.dir, { recursive: true, force: true });
});

describe('Fichiers: ajouter un dossier et des fichiers depuis l’application', () => {
  it('creates a folder, adds two files into it (one in parts), and the sync puts them on the server', async () => {
    const folder = await f.core.handle('files.createFolder', { accountId: f.accountId, path: '/', name: '  Délibérations 2026 ' });
    expect(folder).toEqual({ path: '/Délibérations 2026', name: 'Délibérations 2026', renamed: false });
    expect(fs.statSync(path.join(f.root, 'Délibérations 2026')).isDirectory()).toBe(true);

    const small = await f.core.handle('files.add', {
      accountId: f.accountId,
      path: '/Délibérations 2026',
      name: 'Séance du 3 mars.txt',
      content: b64('ordre du jour\n'),
      modified: Date.parse('2026-03-03T09:00:00Z'),
    });
    expect(small).toEqual({ path: '/Délibérations 2026/Séance du 3 mars.txt', name: 'Séance du 3 mars.txt', renamed: false });
    expect(fs.statSync(path.join(f.root, 'Délibérations 2026', 'Séance du 3 mars.txt')).mtime.toISOString()).toBe(
      '2026-03-03T09:00:00.000Z',
    );

    // A larger file comes in parts, appended in the profile, never held whole by the core.
    const big = Buffer.alloc(3 * 1024 * 1024 + 17, 'plan du cadastre ');
    let uploadId: string | undefined;
    for (let at = 0; at < big.length; at += 1024 * 1024) {
      const r = await f.core.handle('files.upload.stage', {
        ...(uploadId ? { uploadId } : {}),
        content: b64(big.subarray(at, at + 1024 * 1024)),
      });
      uploadId = r.uploadId;
      expect(r.size).toBe(Math.min(at + 1024 * 1024, big.length));
    }
    const added = await f.core.handle('files.add', {
      accountId: f.accountId,
      path: '/Délibérations 2026',
      name: 'Plan.pdf',
      uploadId: uploadId!,
    });
    expect(added.path).toBe('/Délibérations 2026/Plan.pdf');
    expect(fs.readdirSync(path.join(f.profileDir, 'files-uploads'))).toEqual([]);
    // A staged file is used once.
    await expect(
      f.core.handle('files.add', { accountId: f.accountId, path: '/', name: 'encore.pdf', uploadId: uploadId! }),
    ).rejects.toMatchObject({ code: 'invalid_input', message: 'L’ajout de ce fichier a été interrompu. Ajoutez-le de nouveau.' });

    // Listed at once, « en attente » until the sync.
    const listed = await f.core.handle('files.list', { accountId: f.accountId, path: '/Délibérations 2026' });
    expect(listed.map((e) => e.name).sort()).toEqual(['Plan.pdf', 'Séance du 3 mars.txt']);

    await sync();
    const remote = await remoteTree(user, area);
    expect(remote.get('Délibérations 2026/Séance du 3 mars.txt')).toBe(sha256('ordre du jour\n'));
    expect(remote.get('Délibérations 2026/Plan.pdf')).toBe(sha256(big));
    const propfind = await dav(user, 'PROPFIND', `${area}Délibérations 2026/`, undefined, { Depth: '0' });
    expect(propfind.status).toBe(207);
  });

  it('a name taken keeps both (« rapport (2).pdf »), without case, and never replaces a file', async () => {
    const first = await f.core.handle('files.add', {
      accountId: f.accountId,
      path: '/',
      name: 'Rapport.pdf',
      content: b64('ma version\n'),
    });
    expect(first).toEqual({ path: '/Rapport (2).pdf', name: 'Rapport (2).pdf', renamed: true });
    const second = await f.core.handle('files.add', {
      accountId: f.accountId,
      path: '/',
      name: 'rapport.pdf',
      content: b64('une autre\n'),
    });
    expect(second.name).toBe('rapport (3).pdf');
    expect(fs.readFileSync(path.join(f.root, 'rapport.pdf'), 'utf8')).toBe('rapport du serveur\n');
    await sync();
    const remote = await remoteTree(user, area);
    expect(remote.get('rapport.pdf')).toBe(sha256('rapport du serveur\n'));
    expect(remote.get('Rapport (2).pdf')).toBe(sha256('ma version\n'));
    expect(remote.get('rapport (3).pdf')).toBe(sha256('une autre\n'));
  });

  it('a file only on the server (online only) takes its name too', async () => {
    await f.core.handle('files.setOffline', { accountId: f.accountId, path: '/Délibérations 2026', offline: false });
    expect(fs.existsSync(path.join(f.root, 'Délibérations 2026', 'Séance du 3 mars.txt'))).toBe(false);
    const r = await f.core.handle('files.add', {
      accountId: f.accountId,
      path: '/Délibérations 2026',
      name: 'séance du 3 mars.txt',
      content: b64('autre séance\n'),
    });
    expect(r.name).toBe('séance du 3 mars (2).txt');
    await sync();
    const remote = await remoteTree(user, area);
    expect(remote.get('Délibérations 2026/Séance du 3 mars.txt')).toBe(sha256('ordre du jour\n'));
    expect(remote.get('Délibérations 2026/séance du 3 mars (2).txt')).toBe(sha256('autre séance\n'));
  });

  it('refuses a folder name taken, empty or refused by Windows, in French, and creates nothing', async () => {
    const before = localTree(f.root);
    const dirs = () => fs.readdirSync(f.root).sort();
    const dirsBefore = dirs();
    await expect(
      f.core.handle('files.createFolder', { accountId: f.accountId, path: '/', name: 'délibérations 2026' }),
    ).rejects.toMatchObject({
      code: 'already_exists',
      message: 'Un dossier ou un fichier nommé «\u00a0délibérations 2026\u00a0» existe déjà ici. Choisissez un autre nom.',
    });
    await expect(f.core.handle('files.createFolder', { accountId: f.accountId, path: '/', name: '   ' })).rejects.toMatchObject({
      code: 'invalid_input',
      message: 'Donnez un nom au dossier.',
    });
    await expect(f.core.handle('files.createFolder', { accountId: f.accountId, path: '/', name: 'Budget : 2026?' })).rejects.toMatchObject({
      code: 'invalid_input',
      message: expect.stringMatching(/^Un nom ne peut pas contenir les caractères .*«\u00a0Budget _ 2026_\u00a0»\.$/),
    });
    await expect(
      f.core.handle('files.add', { accountId: f.accountId, path: '/', name: 'a|b.txt', content: b64('x') }),
    ).rejects.toBeInstanceOf(OstalError);
    await expect(f.core.handle('files.createFolder', { accountId: f.accountId, path: '/../x', name: 'y' })).rejects.toMatchObject({
      code: 'invalid_input',
    });
    expect(dirs()).toEqual(dirsBefore);
    expect(localTree(f.root)).toEqual(before);
  });

  it('a folder without write right or a full disk: French message, nothing replaced, no partial file left', async () => {
    const before = localTree(f.root);
    const denied = Object.assign(new Error('EACCES: permission denied, link'), { code: 'EACCES' });
    const spy = vi.spyOn(fs, 'linkSync').mockImplementation(() => {
      throw denied;
    });
    try {
      await expect(
        f.core.handle('files.add', { accountId: f.accountId, path: '/Délibérations 2026', name: 'Nouveau.txt', content: b64('x') }),
      ).rejects.toMatchObject({
        code: 'local_unavailable',
        message:
          'Le dossier «\u00a0Délibérations 2026\u00a0» de cet ordinateur n’accepte pas de nouveaux éléments (droits d’accès)\u00a0: «\u00a0Nouveau.txt\u00a0» n’a pas été ajouté. Vérifiez les droits de ce dossier ou contactez votre service informatique.',
      });
      spy.mockImplementation(() => {
        throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
      });
      await expect(
        f.core.handle('files.add', { accountId: f.accountId, path: '/', name: 'Gros.zip', content: b64('x') }),
      ).rejects.toMatchObject({
        code: 'local_unavailable',
        message: expect.stringMatching(/^Il n’y a plus assez de place sur cet ordinateur/),
      });
    } finally {
      spy.mockRestore();
    }
    expect(localTree(f.root)).toEqual(before);
  });
});
