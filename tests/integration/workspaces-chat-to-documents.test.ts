/**
 * « Ajouter aux documents de l'espace » against the run's Prosody and Apache: agent1 sends a file in a space, agent3
 * adds it to the space's Documents (downloaded first), and the same bytes arrive in agent2's Documents folder after its
 * sync; a second add of the same file gets « nom (2).ext », the first is kept; an address on another host, even in a
 * message of the Discussion, is refused in French and nothing is written.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { getServers, testUser } from '../servers/testing.js';
import type { User } from './files-fixture.js';
import { type OpenedCore, refreshUntilListed, WorkspaceCores } from './workspaces-fixture.js';

const cores = new WorkspaceCores();
const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

const openCore = (user: User, label: string): Promise<OpenedCore> => cores.open(user, label);

describe('espaces de travail : un fichier de la discussion ajouté aux documents', () => {
  afterAll(async () => {
    await cores.closeAll();
  });

  it('agent3 adds agent1’s file to the Documents; it reaches agent2 with the same bytes; another host is refused', async () => {
    const [a1, a2, a3] = [testUser(1), testUser(2), testUser(3)];
    const tag = randomUUID().slice(0, 8);
    const one = await openCore(a1, 'cd1');
    const space = await one.core.handle('workspaces.create', { name: `Discussion vers documents ${tag}`, members: [a2.email, a3.email] });
    const two = await openCore(a2, 'cd2');
    const three = await openCore(a3, 'cd3');
    for (const o of [two, three]) expect(await refreshUntilListed(o.core, space.id)).toContain(space.id);

    const content = randomBytes(200 * 1024);
    const name = `note de synthèse ${tag}.pdf`;
    const sent = await one.core.handle('chat.file.send', {
      workspaceId: space.id,
      name,
      contentType: 'application/pdf',
      content: content.toString('base64'),
    });
    expect((await three.core.handle('chat.history', { workspaceId: space.id })).some((m) => m.text === sent.text)).toBe(true);
    // Not downloaded yet on agent3's computer: the add downloads it first.
    expect((await three.core.handle('chat.file.info', { workspaceId: space.id, url: sent.text })).localPath).toBeNull();

    const added = await three.core.handle('workspaces.documents.addFromChat', { workspaceId: space.id, url: sent.text });
    expect(added).toEqual({ path: `/${name}`, name, lastError: null });
    const docs3 = await three.core.handle('workspaces.documents', { workspaceId: space.id, sync: false });
    expect(sha(fs.readFileSync(path.join(docs3.folder, name)))).toBe(sha(content));

    // agent2's sync brings the same bytes into its own Documents folder.
    const docs2 = await two.core.handle('workspaces.documents', { workspaceId: space.id });
    expect(docs2.files.map((f) => f.name)).toContain(name);
    expect(sha(fs.readFileSync(path.join(docs2.folder, name)))).toBe(sha(content));

    // Added again: never over the first one, « nom (2).pdf ».
    const again = await three.core.handle('workspaces.documents.addFromChat', { workspaceId: space.id, url: sent.text });
    expect(again.name).toBe(`note de synthèse ${tag} (2).pdf`);
    expect(sha(fs.readFileSync(path.join(docs3.folder, name)))).toBe(sha(content));
    expect((await two.core.handle('workspaces.documents', { workspaceId: space.id })).files.map((f) => f.name).sort()).toEqual(
      [name, again.name].sort(),
    );

    // A message of the Discussion whose address is on another host: refused in French, nothing written.
    const elsewhere = `https://upload.ostal.test.autre.example/file_share/${tag}/virement.pdf`;
    await one.core.handle('chat.send', { workspaceId: space.id, text: elsewhere });
    expect((await three.core.handle('chat.history', { workspaceId: space.id })).some((m) => m.text === elsewhere)).toBe(true);
    await expect(three.core.handle('workspaces.documents.addFromChat', { workspaceId: space.id, url: elsewhere })).rejects.toMatchObject({
      code: 'forbidden',
      message: 'Cette adresse n’est pas sur votre serveur\u00a0: Ostal ne la télécharge pas.',
    });
    // An address of the server that no message of this Discussion carries is not fetched either.
    await expect(
      three.core.handle('workspaces.documents.addFromChat', {
        workspaceId: space.id,
        url: `https://localhost:${getServers().prosody.httpsPort}/file_share/${tag}/autre.pdf`,
      }),
    ).rejects.toMatchObject({ code: 'not_found', message: 'Ce fichier ne fait pas partie de cette discussion.' });
    expect(
      fs
        .readdirSync(docs3.folder)
        .filter((f) => !f.startsWith('.'))
        .sort(),
    ).toEqual([name, again.name].sort());
  });
});
