/**
 * `ostal files sync|status|conflicts` as IT scripts use them (real processes, the real Apache): documented JSON
 * fields, a failing sync exits non-zero with a French message. Big deletions wait for confirmation; pause. agent3.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import type { FileConflict, FilesStatus } from '../../src/shared/contract.js';
import { dav, filesCore, freshArea, getServers, testUser, webdavUrl } from './files-fixture.js';

const run = promisify(execFile);
const REPO = path.resolve(import.meta.dirname, '../..');
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

async function ostal(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['bin/ostal.mjs', ...args], { cwd: REPO, env, timeout: 90_000 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

describe('CLI files', () => {
  it('files sync, files status --json and files conflicts --json', { timeout: 120_000 }, async () => {
    const user = testUser(3);
    const area = await freshArea(user, 'cli');
    expect((await dav(user, 'PUT', `${area}Arrêté municipal.pdf`, 'arrêté')).status).toBe(201);
    const f = await filesCore(user, webdavUrl(area));
    dirs.push(f.dir);
    await f.core.close();
    const env = { ...process.env, NODE_EXTRA_CA_CERTS: getServers().caCertPath, OSTAL_POLICIES: path.join(f.dir, 'no-policy.json') };
    const sync = await ostal(['files', 'sync', '--account', user.email, '--profile', f.profileDir], env);
    expect(sync.code, sync.stderr).toBe(0);
    expect(sync.stderr).toContain(`Synchronisation terminée pour ${user.email}.`);
    expect(fs.readFileSync(path.join(f.root, 'Arrêté municipal.pdf'), 'utf8')).toBe('arrêté');

    const status = await ostal(['files', 'status', '--json', '--profile', f.profileDir], env);
    expect(status.code, status.stderr).toBe(0);
    const parsed = JSON.parse(status.stdout) as FilesStatus;
    expect(parsed.accounts).toHaveLength(1);
    expect(Object.keys(parsed.accounts[0]).sort()).toEqual([
      'accountId',
      'counts',
      'email',
      'lastError',
      'lastSync',
      'localRoot',
      'paused',
      'pendingDeletion',
      'problems',
      'quota',
      'remoteRoot',
    ]);
    expect(parsed.accounts[0]).toMatchObject({
      email: user.email,
      localRoot: f.root,
      remoteRoot: webdavUrl(area),
      lastError: null,
      paused: false,
    });
    expect(parsed.accounts[0].counts).toEqual({ synced: 1, pending: 0, syncing: 0, conflict: 0, error: 0, 'online-only': 0 });

    const conflicts = await ostal(['files', 'conflicts', '--json', '--profile', f.profileDir], env);
    expect(conflicts.code, conflicts.stderr).toBe(0);
    expect(JSON.parse(conflicts.stdout) as FileConflict[]).toEqual([]);
    const human = await ostal(['files', 'conflicts', '--profile', f.profileDir], env);
    expect(human.stdout.trim()).toBe('Aucun conflit\u00a0: vos fichiers sont à jour des deux côtés.');
  });

  it('a sync that cannot reach the server exits non-zero with a French message and deletes nothing', { timeout: 120_000 }, async () => {
    const user = testUser(3);
    const area = await freshArea(user, 'injoignable');
    const f = await filesCore(user, webdavUrl(area));
    dirs.push(f.dir);
    // The server moves away after the account was set up (accounts.add checks the address).
    f.core.ctx.db
      .prepare("UPDATE accounts SET settings = json_set(settings, '$.webdav', ?) WHERE id = ?")
      .run('https://localhost:9/dav/agent3@ostal.test/', f.accountId);
    await f.core.close();
    fs.mkdirSync(f.root, { recursive: true });
    fs.writeFileSync(path.join(f.root, 'Brouillon.txt'), 'à garder');
    const env = { ...process.env, NODE_EXTRA_CA_CERTS: getServers().caCertPath, OSTAL_POLICIES: path.join(f.dir, 'no-policy.json') };
    const sync = await ostal(['files', 'sync', '--profile', f.profileDir], env);
    expect(sync.code).toBe(1);
    expect(sync.stderr).toContain(
      `Échec de la synchronisation pour ${user.email}\u00a0: Le serveur localhost (port 9) refuse la connexion.`,
    );
    expect(fs.readFileSync(path.join(f.root, 'Brouillon.txt'), 'utf8')).toBe('à garder');
  });

  it(
    'a big deletion on the server waits for confirmation, then goes to the Corbeille; pause stops the sync',
    { timeout: 120_000 },
    async () => {
      const user = testUser(3);
      const area = await freshArea(user, 'suppr');
      for (let i = 1; i <= 12; i++) expect((await dav(user, 'PUT', `${area}Pièce ${i}.txt`, `pièce ${i}`)).status).toBe(201);
      const f = await filesCore(user, webdavUrl(area));
      dirs.push(f.dir);
      const notices: string[] = [];
      f.core.onEvent((event, data) => {
        if (event === 'files.notice') notices.push((data as { message: string }).message);
      });
      try {
        expect((await f.core.handle('files.sync', { accountId: f.accountId })).accounts[0].ok).toBe(true);
        for (let i = 1; i <= 11; i++) expect((await dav(user, 'DELETE', `${area}Pièce ${i}.txt`)).status).toBe(204);
        expect((await f.core.handle('files.sync', { accountId: f.accountId })).accounts[0].ok).toBe(true);
        expect(fs.readdirSync(f.root)).toHaveLength(12);
        const status = (await f.core.handle('files.status', { accountId: f.accountId })).accounts[0];
        expect(status.pendingDeletion).toEqual({ local: 11, server: 0 });
        expect(notices).toContain(
          'La synchronisation supprimerait 11 fichier(s) sur cet ordinateur et 0 sur le serveur. Confirmation requise\u00a0: rien n’est supprimé tant que vous n’avez pas choisi.',
        );
        await f.core.handle('files.confirmDeletion', { accountId: f.accountId, confirm: true });
        expect((await f.core.handle('files.sync', { accountId: f.accountId })).accounts[0].ok).toBe(true);
        expect(fs.readdirSync(f.root)).toEqual(['Pièce 12.txt']);
        const trash = await f.core.handle('files.trash.list', { accountId: f.accountId });
        expect(trash).toHaveLength(11);
        // After 30 days the Corbeille lets go (checked at the next sync).
        const stored = f.core.ctx.db.prepare('SELECT stored_as AS s FROM files_trash WHERE id = ?').get(trash[0].id) as { s: string };
        expect(fs.existsSync(stored.s)).toBe(true);
        expect(stored.s.startsWith(path.join(f.profileDir, 'files-trash'))).toBe(true);
        f.core.ctx.db
          .prepare('UPDATE files_trash SET expires_at = ? WHERE id = ?')
          .run(new Date(Date.now() - 1000).toISOString(), trash[0].id);
        expect((await f.core.handle('files.status', { accountId: f.accountId })).accounts[0].pendingDeletion).toBeNull();
        expect((await f.core.handle('files.sync', { accountId: f.accountId })).accounts[0].ok).toBe(true);
        expect(await f.core.handle('files.trash.list', { accountId: f.accountId })).toHaveLength(10);
        expect(fs.existsSync(stored.s)).toBe(false);

        await f.core.handle('files.pause', { accountId: f.accountId });
        expect((await f.core.handle('files.status', { accountId: f.accountId })).accounts[0].paused).toBe(true);
        fs.writeFileSync(path.join(f.root, 'Pendant la pause.txt'), 'attend');
        await f.core.handle('files.sync', { accountId: f.accountId });
        expect((await dav(user, 'GET', `${area}Pendant la pause.txt`)).status).toBe(404);
        await f.core.handle('files.resume', { accountId: f.accountId });
        expect((await f.core.handle('files.sync', { accountId: f.accountId })).accounts[0].ok).toBe(true);
        expect((await dav(user, 'GET', `${area}Pendant la pause.txt`)).body.toString('utf8')).toBe('attend');
      } finally {
        await f.core.close();
      }
    },
  );

  // « Garder les fichiers » (files.confirmDeletion with confirm: false) joins a files sync already running instead of
  // starting one: that sync must take the answer, whenever it comes, and not leave the question up.
  it(
    '« garder les fichiers » answered while a sync runs: that sync brings the files back and the question goes away',
    { timeout: 120_000 },
    async () => {
      const user = testUser(3);
      const area = await freshArea(user, 'garder');
      for (let i = 1; i <= 12; i++) expect((await dav(user, 'PUT', `${area}Pièce ${i}.txt`, `pièce ${i}`)).status).toBe(201);
      const f = await filesCore(user, webdavUrl(area));
      dirs.push(f.dir);
      const answers: Promise<unknown>[] = [];
      let answerOn: 'confirmation' | 'listing' | null = null;
      f.core.onEvent((event, data) => {
        const kind =
          event === 'files.notice'
            ? (data as { kind: string }).kind
            : event === 'files.progress' && (data as { total: number }).total === 0
              ? 'listing'
              : null;
        if (kind && kind === answerOn) {
          answerOn = null;
          answers.push(f.core.handle('files.confirmDeletion', { accountId: f.accountId, confirm: false }));
        }
      });
      const status = async () => (await f.core.handle('files.status', { accountId: f.accountId })).accounts[0];
      try {
        expect((await f.core.handle('files.sync', { accountId: f.accountId })).accounts[0].ok).toBe(true);
        // A download slowed down by the speed limit keeps the sync running after it raised the question.
        await f.core.handle('settings.set', { key: 'files.speedLimitKbps', value: 50 });
        expect((await dav(user, 'PUT', `${area}Plan cadastral.pdf`, Buffer.alloc(100_000, 'p'))).status).toBe(201);
        for (let i = 1; i <= 11; i++) expect((await dav(user, 'DELETE', `${area}Pièce ${i}.txt`)).status).toBe(204);

        // 1. The answer comes after the sync raised the question, while its download still runs.
        answerOn = 'confirmation';
        expect((await f.core.handle('files.sync', { accountId: f.accountId })).accounts[0].ok).toBe(true);
        expect(answers).toHaveLength(1);
        await Promise.all(answers);
        expect((await status()).pendingDeletion).toBeNull();
        expect(fs.readdirSync(f.root).sort()).toHaveLength(13);
        for (let i = 1; i <= 11; i++) expect((await dav(user, 'GET', `${area}Pièce ${i}.txt`)).body.toString('utf8')).toBe(`pièce ${i}`);

        // 2. The question is up; the answer comes while the next sync is listing (before it checks the deletion).
        await f.core.handle('settings.set', { key: 'files.speedLimitKbps', value: 0 });
        for (let i = 1; i <= 11; i++) expect((await dav(user, 'DELETE', `${area}Pièce ${i}.txt`)).status).toBe(204);
        expect((await f.core.handle('files.sync', { accountId: f.accountId })).accounts[0].ok).toBe(true);
        expect((await status()).pendingDeletion).toEqual({ local: 11, server: 0 });
        answerOn = 'listing';
        expect((await f.core.handle('files.sync', { accountId: f.accountId })).accounts[0].ok).toBe(true);
        expect(answers).toHaveLength(2);
        await Promise.all(answers);
        expect((await status()).pendingDeletion).toBeNull();
        for (let i = 1; i <= 11; i++) expect((await dav(user, 'GET', `${area}Pièce ${i}.txt`)).status).toBe(200);
        expect(await f.core.handle('files.trash.list', { accountId: f.accountId })).toEqual([]);
      } finally {
        await f.core.close();
      }
    },
  );
});
