/**
 * « Documents » of an espace de travail against the real Prosody and Apache: agent1 creates a space with agent2 and
 * agent3; a document agent2 adds arrives in agent3's folder (another profile, as on another computer) after a sync;
 * a change on both sides leaves a conflict copy (the Fichiers engine, nothing lost); a document deleted by agent3 goes
 * to agent2's Corbeille, not to nothing; an unusable name is refused in French; the space's folder is kept when a
 * later space has the same name; removing an account removes the rows of its spaces' Documents.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { testUser } from '../servers/testing.js';
import type { User } from './files-fixture.js';
import { type OpenedCore, refreshUntilListed, WorkspaceCores } from './workspaces-fixture.js';

const cores = new WorkspaceCores();

const openCore = (user: User, label: string): Promise<OpenedCore> => cores.open(user, label);

const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');

describe('espaces de travail : documents (Apache, Prosody)', () => {
  afterAll(async () => {
    await cores.closeAll();
  });

  it('a document agent2 adds arrives in agent3’s folder; conflicts and deletions lose nothing', async () => {
    const [a1, a2, a3] = [testUser(1), testUser(2), testUser(3)];
    const name = `Projet médiathèque documents ${Date.now().toString(36)}`;
    const one = await openCore(a1, 'doc-a1');
    const space = await one.core.handle('workspaces.create', { name, members: [a2.email, a3.email] });
    const mine = await one.core.handle('workspaces.documents', { workspaceId: space.id });
    expect(mine.visibleToOrganisation).toBe(true);
    expect(mine.files).toEqual([]);
    expect(mine.lastError).toBeNull();
    expect(path.basename(mine.folder)).toBe(name);
    // In the agent's Documents folder (files.localRoot) › Espaces, beside the Fichiers: not hidden in the profile.
    const root = (await one.core.handle('settings.list', {})).find((e) => e.key === 'files.localRoot')!.value as string;
    expect(path.dirname(mine.folder)).toBe(path.join(root, 'Espaces'));
    expect(mine.folder.startsWith(one.core.ctx.profileDir)).toBe(false);

    const two = await openCore(a2, 'doc-a2');
    const three = await openCore(a3, 'doc-a3');
    for (const o of [two, three]) expect(await refreshUntilListed(o.core, space.id)).toContain(space.id);

    // agent2 adds « Plan d'étage.txt »: on the server, then in agent3's folder after its sync.
    const added = await two.core.handle('workspaces.documents.add', {
      workspaceId: space.id,
      name: 'Plan d’étage.txt',
      content: b64('version 1'),
    });
    expect(added.files.map((f) => f.name)).toEqual(['Plan d’étage.txt']);
    const seen = await three.core.handle('workspaces.documents', { workspaceId: space.id });
    expect(seen.files.map((f) => f.path)).toEqual(['/Plan d’étage.txt']);
    expect(fs.readFileSync(path.join(seen.folder, 'Plan d’étage.txt'), 'utf8')).toBe('version 1');
    // agent1 too, through the scheduler's 'files' scope (no Fichiers account here: the spaces alone count).
    const report = await one.core.handle('sync.run', { only: 'files' });
    expect(report.accounts[0]?.ok).toBe(true);
    expect(fs.readFileSync(path.join(mine.folder, 'Plan d’étage.txt'), 'utf8')).toBe('version 1');

    // Both change it before syncing: agent3's version is sent first; agent2 keeps its own as a conflict copy. (Not the
    // same size: the engine takes two versions of one size written in the same second as one and the same.)
    const folder2 = added.folder;
    fs.writeFileSync(path.join(seen.folder, 'Plan d’étage.txt'), 'version de l’agent 3, relue');
    await three.core.handle('workspaces.documents', { workspaceId: space.id });
    fs.writeFileSync(path.join(folder2, 'Plan d’étage.txt'), 'version agent2');
    const after = await two.core.handle('workspaces.documents', { workspaceId: space.id });
    const names = after.files.map((f) => f.name).sort();
    expect(names).toHaveLength(2);
    expect(fs.readFileSync(path.join(folder2, 'Plan d’étage.txt'), 'utf8')).toBe('version de l’agent 3, relue');
    const copy = names.find((n) => n.includes('conflit'));
    expect(copy).toBeDefined();
    expect(fs.readFileSync(path.join(folder2, copy!), 'utf8')).toBe('version agent2');

    // agent3 deletes the document: gone from agent2's folder, kept in its Corbeille.
    fs.rmSync(path.join(seen.folder, 'Plan d’étage.txt'));
    await three.core.handle('workspaces.documents', { workspaceId: space.id });
    const gone = await two.core.handle('workspaces.documents', { workspaceId: space.id });
    expect(gone.files.map((f) => f.name)).toEqual([copy]);
    const trash = two.core.ctx.db.prepare('SELECT path FROM files_trash WHERE account_id = ?').all(`${two.accountId} ${space.id}`) as {
      path: string;
    }[];
    expect(trash.map((r) => r.path)).toContain('/Plan d’étage.txt');

    // Names no system accepts: refused in French, nothing written.
    await expect(
      two.core.handle('workspaces.documents.add', { workspaceId: space.id, name: '../évasion.txt', content: b64('x') }),
    ).rejects.toMatchObject({ code: 'invalid_input', message: expect.stringContaining('ne peut pas') });
    await expect(
      two.core.handle('workspaces.documents.add', { workspaceId: space.id, name: 'rapport?.txt', content: b64('x') }),
    ).rejects.toMatchObject({ code: 'invalid_input' });
    expect(fs.existsSync(path.join(path.dirname(folder2), 'évasion.txt'))).toBe(false);
    // A path out of the folder cannot be opened.
    await expect(
      two.core.handle('workspaces.documents.open', { workspaceId: space.id, path: '/../../profil.sqlite' }),
    ).rejects.toMatchObject({ code: 'invalid_input' });

    // A second space of the same name gets its own folder; the first keeps its own.
    const twin = await one.core.handle('workspaces.create', { name, members: [] });
    const twinDocs = await one.core.handle('workspaces.documents', { workspaceId: twin.id });
    expect(twinDocs.folder).not.toBe(mine.folder);
    expect((await one.core.handle('workspaces.documents', { workspaceId: space.id, sync: false })).folder).toBe(mine.folder);

    // Removing agent1's account removes its spaces' Documents rows (no reference to accounts any more: a trigger).
    const key = `${one.accountId} ${space.id}`;
    const count = (): number =>
      (one.core.ctx.db.prepare('SELECT COUNT(*) AS n FROM files_state WHERE account_id = ?').get(key) as { n: number }).n;
    expect(count()).toBeGreaterThan(0);
    await one.core.handle('accounts.remove', { id: one.accountId });
    expect(count()).toBe(0);
  });
});
