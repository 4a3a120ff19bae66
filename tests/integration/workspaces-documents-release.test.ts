/**
 * A space that leaves an agent's list lets its Documents go, as a sync client does when a share goes away (Prosody and
 * Apache of the run): agent3, with one document synced and one changed here and not sent, is removed by agent1 → the
 * synced one is gone from agent3's computer, the changed one (and a new one) are kept in « Conservés – <nom> » with a
 * French notice, the engine's rows of the root are gone, and the root no longer syncs (a later document of agent2
 * never lands on agent3's computer).
 */
import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { testUser } from '../servers/testing.js';
import type { User } from './files-fixture.js';
import { type OpenedCore, refreshUntilListed, WorkspaceCores } from './workspaces-fixture.js';

const cores = new WorkspaceCores();
const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');

const openCore = (user: User, label: string): Promise<OpenedCore> => cores.open(user, label);

describe('espaces de travail : documents d’un espace quitté', () => {
  afterAll(async () => {
    await cores.closeAll();
  });

  it('agent3 removed: synced files go, the local edit is kept aside, the root stops syncing', async () => {
    const [a1, a2, a3] = [testUser(1), testUser(2), testUser(3)];
    const name = `Espace quitté ${randomUUID().slice(0, 8)}`;
    const one = await openCore(a1, 'rel1');
    const space = await one.core.handle('workspaces.create', { name, members: [a2.email, a3.email] });
    const two = await openCore(a2, 'rel2');
    const three = await openCore(a3, 'rel3');
    for (const o of [two, three]) expect(await refreshUntilListed(o.core, space.id)).toContain(space.id);

    await two.core.handle('workspaces.documents.add', { workspaceId: space.id, name: 'Budget.txt', content: b64('budget 2027') });
    await two.core.handle('workspaces.documents.add', { workspaceId: space.id, name: 'Compte rendu.txt', content: b64('version 1') });
    const docs3 = await three.core.handle('workspaces.documents', { workspaceId: space.id });
    expect(docs3.files.map((f) => f.name).sort()).toEqual(['Budget.txt', 'Compte rendu.txt']);
    const folder = docs3.folder;
    // agent3 edits one document and writes a new one, offline from the space's point of view (no sync).
    fs.writeFileSync(path.join(folder, 'Compte rendu.txt'), 'version 2 de l’agent 3, non envoyée');
    fs.mkdirSync(path.join(folder, 'Notes'));
    fs.writeFileSync(path.join(folder, 'Notes', 'brouillon.txt'), 'idées');

    const notices: unknown[] = [];
    three.core.onEvent((event, data) => {
      if (event === 'workspaces.documentsKept') notices.push(data);
    });
    await one.core.handle('workspaces.members', { workspaceId: space.id, remove: [a3.email] });
    // The room tells agent3 at once (presence 321), or its next refresh finds the room refuses it.
    await expect
      .poll(async () => (await three.core.handle('workspaces.refresh', {})).map((w) => w.id), { timeout: 20_000 })
      .not.toContain(space.id);
    const kept = path.join(path.dirname(folder), `Conservés – ${path.basename(folder)}`);
    await expect.poll(() => fs.existsSync(folder), { timeout: 10_000 }).toBe(false);
    expect(fs.readFileSync(path.join(kept, 'Compte rendu.txt'), 'utf8')).toBe('version 2 de l’agent 3, non envoyée');
    expect(fs.readFileSync(path.join(kept, 'Notes', 'brouillon.txt'), 'utf8')).toBe('idées');
    expect(fs.existsSync(path.join(kept, 'Budget.txt'))).toBe(false);
    expect(notices).toEqual([
      {
        workspaceId: space.id,
        folder: kept,
        count: 2,
        message: `L’espace «\u00a0${name}\u00a0» n’est plus dans votre liste. 2 documents modifiés sur cet ordinateur et non envoyés ont été conservés dans «\u00a0${kept}\u00a0».`,
      },
    ]);
    const key = `${three.accountId} ${space.id}`;
    for (const table of ['files_state', 'files_accounts'])
      expect((three.core.ctx.db.prepare(`SELECT COUNT(*) AS n FROM ${table} WHERE account_id = ?`).get(key) as { n: number }).n).toBe(0);

    // The root no longer syncs: agent2's next document never lands on agent3's computer, the folder stays gone.
    await two.core.handle('workspaces.documents.add', { workspaceId: space.id, name: 'Après.txt', content: b64('après le départ') });
    await three.core.handle('sync.run', { only: 'files' });
    expect(fs.existsSync(folder)).toBe(false);
    await expect(three.core.handle('workspaces.documents', { workspaceId: space.id })).rejects.toMatchObject({ code: 'not_found' });
    // The server copy is untouched for the members still in the space (agent3's edit was never sent).
    const docs2 = await two.core.handle('workspaces.documents', { workspaceId: space.id });
    expect(fs.readFileSync(path.join(docs2.folder, 'Compte rendu.txt'), 'utf8')).toBe('version 1');
  });
});
