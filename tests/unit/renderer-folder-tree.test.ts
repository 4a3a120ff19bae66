import { describe, expect, it } from 'vitest';
import type { FolderInfo } from '../../src/shared/contract.js';
import { buildFolderTree, defaultFolder } from '../../renderer/src/lib/folder-tree';

function folder(path: string, name: string, specialUse: FolderInfo['specialUse'] = null): FolderInfo {
  return { accountId: 'a', path, name, specialUse, delimiter: '/', total: 0, unread: 0, bodiesCached: 0 };
}

describe('folder tree', () => {
  const folders = [
    folder('Trash', 'Corbeille', '\\Trash'),
    folder('Projets/2026', '2026'),
    folder('Archives', 'Archives', '\\Archive'),
    folder('Écoles', 'Écoles'),
    folder('INBOX', 'Boîte de réception', '\\Inbox'),
    folder('Sent', 'Envoyés', '\\Sent'),
    folder('Drafts', 'Brouillons', '\\Drafts'),
    folder('Projets', 'Projets'),
    folder('Junk', 'Indésirables', '\\Junk'),
    folder('Budget', 'Budget'),
    folder('Dossiers/Sans parent/Enfant', 'Enfant'),
  ];

  it('puts the special folders first, in the glossary order, then the others in French order', () => {
    expect(buildFolderTree(folders).map((n) => n.name)).toEqual([
      'Boîte de réception',
      'Brouillons',
      'Envoyés',
      'Archives',
      'Indésirables',
      'Corbeille',
      'Budget',
      'Dossiers',
      'Écoles',
      'Projets',
    ]);
  });

  it('nests children under their parent and keeps missing parents as plain nodes', () => {
    const tree = buildFolderTree(folders);
    const projets = tree.find((n) => n.path === 'Projets')!;
    expect(projets.folder?.name).toBe('Projets');
    expect(projets.children.map((c) => c.path)).toEqual(['Projets/2026']);
    const dossiers = tree.find((n) => n.path === 'Dossiers')!;
    expect(dossiers.folder).toBeNull();
    expect(dossiers.children[0].folder).toBeNull();
    expect(dossiers.children[0].children[0].folder?.path).toBe('Dossiers/Sans parent/Enfant');
  });

  it('opens the inbox first', () => {
    expect(defaultFolder(folders)?.path).toBe('INBOX');
    expect(defaultFolder([folder('INBOX', 'Boîte de réception')])?.path).toBe('INBOX');
    expect(defaultFolder([])).toBeNull();
  });
});
