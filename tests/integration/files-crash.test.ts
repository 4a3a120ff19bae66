/**
 * kill -9 of `ostal files sync` during uploads and downloads, 20 rounds: each round changes a local file and a
 * server file (1 Mo each, transfers slowed to 1 Mo/s so the kill lands mid-transfer), runs the CLI and kills it
 * at a random moment after the sync started. After each round: the server only ever holds complete versions
 * (Apache's PUT is atomic), local files under their real names are complete versions. At the end a normal sync
 * completes: both sides equal by hash, no partial file anywhere, every last change present, no conflict. agent5.
 */
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dav, filesCore, freshArea, getServers, localTree, remoteTree, sha256, testUser, webdavUrl } from './files-fixture.js';

const REPO = path.resolve(import.meta.dirname, '../..');
const ROUNDS = 20;
const SIZE = 1024 * 1024;
const dirs: string[] = [];
afterAll(() => {
  if (!process.env.OSTAL_KEEP_TEST_DIRS) for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

describe('arrêt brutal (kill -9) pendant les envois et les réceptions de fichiers', () => {
  it(`${ROUNDS} arrêts : aucun fichier partiel, aucune modification perdue, la synchronisation finit`, { timeout: 240_000 }, async () => {
    const user = testUser(5);
    const area = await freshArea(user, 'crash');
    const setup = await filesCore(user, webdavUrl(area));
    dirs.push(setup.dir);
    const { profileDir, root, dir } = setup;
    await setup.core.close();
    fs.mkdirSync(root, { recursive: true });
    const env = {
      ...process.env,
      NODE_EXTRA_CA_CERTS: getServers().caCertPath,
      OSTAL_POLICIES: path.join(dir, 'no-policy.json'),
      OSTAL_FILES_SPEED_LIMIT_KBPS: '1024',
    };
    const versions = new Map<string, Set<string>>(); // name → every content hash ever written
    const last = new Map<string, string>();
    const note = (name: string, content: Buffer) => {
      const h = sha256(content);
      versions.set(name, (versions.get(name) ?? new Set()).add(h));
      last.set(name, h);
    };
    let seed = 11;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    let killedDuringTransfer = 0;

    for (let round = 0; round < ROUNDS; round++) {
      const localName = `local-${round % 3}.bin`;
      const serverName = `serveur-${round % 3}.bin`;
      const localContent = crypto.randomBytes(SIZE);
      fs.writeFileSync(path.join(root, localName), localContent);
      note(localName, localContent);
      const serverContent = crypto.randomBytes(SIZE);
      const put = await dav(user, 'PUT', `${area}${serverName}`, serverContent);
      expect([201, 204]).toContain(put.status);
      note(serverName, serverContent);

      const child = spawn(process.execPath, ['bin/ostal.mjs', 'files', 'sync', '--profile', profileDir], {
        cwd: REPO,
        env,
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
      await new Promise<void>((resolve) => {
        child.stderr.on('data', (d: Buffer) => {
          stderr += d.toString();
          if (stderr.includes('transfert')) resolve();
        });
        void exited.then(() => resolve());
      });
      await new Promise((r) => setTimeout(r, Math.floor(random() * 900)));
      if (child.exitCode === null) killedDuringTransfer++;
      child.kill('SIGKILL');
      await exited;

      // The server holds complete versions only, under their own names.
      const server = await remoteTree(user, area);
      for (const [name, h] of server) {
        expect(versions.get(name)?.has(h), `round ${round}: server ${name} is not a complete version`).toBe(true);
      }
      // Local files under their real names are complete versions (partial files are only `.ostal-partial-*`).
      for (const [name, h] of localTree(root)) {
        if (name.split('/').pop()!.startsWith('.ostal-partial-')) continue;
        expect(versions.get(name)?.has(h), `round ${round}: local ${name} is not a complete version`).toBe(true);
      }
    }
    expect(killedDuringTransfer).toBeGreaterThanOrEqual(ROUNDS / 2);

    // Back to normal: one sync to the end.
    const final = await filesCore(user, webdavUrl(area), dir);
    try {
      const report = await final.core.handle('files.sync', { accountId: final.accountId });
      expect(report.accounts[0].ok, JSON.stringify(report)).toBe(true);
      const again = await final.core.handle('files.sync', { accountId: final.accountId });
      expect(again.accounts[0].ok).toBe(true);
      const localFiles = localTree(root);
      const server = await remoteTree(user, area);
      expect([...localFiles.keys()].filter((n) => n.includes('.ostal-partial-'))).toEqual([]);
      expect([...server.keys()].filter((n) => n.includes('.ostal-partial-') || n.includes('.davfs'))).toEqual([]);
      expect(Object.fromEntries([...localFiles].sort())).toEqual(Object.fromEntries([...server].sort()));
      for (const [name, h] of last) expect(localFiles.get(name), `${name}: last change lost`).toBe(h);
      expect(await final.core.handle('files.conflicts', { accountId: final.accountId })).toEqual([]);
      const status = await final.core.handle('files.status', { accountId: final.accountId });
      expect(status.accounts[0].counts).toMatchObject({ synced: 6, pending: 0, syncing: 0, error: 0, conflict: 0 });
    } finally {
      await final.core.close();
    }
  });
});
