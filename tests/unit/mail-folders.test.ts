import type { ListResponse } from 'imapflow';
import { describe, expect, it } from 'vitest';
import { folderDisplayName, folderSpecialUse } from '../../src/mail/folder-names.js';
import { foldersFromListing, hasAttachment, parseReferences, uidSet } from '../../src/mail/sync-engine.js';

function listed(path: string, specialUse?: string, source?: ListResponse['specialUseSource'], flags: string[] = []): ListResponse {
  const parts = path.split('/');
  return {
    path,
    pathAsListed: path,
    name: parts[parts.length - 1],
    delimiter: '/',
    parent: parts.slice(0, -1),
    parentPath: parts.slice(0, -1).join('/'),
    flags: new Set(flags),
    specialUse,
    specialUseSource: source,
    listed: true,
    subscribed: true,
  };
}

describe('French folder names', () => {
  it('names INBOX and special-use folders as the glossary says', () => {
    expect(folderDisplayName('INBOX', '/', folderSpecialUse('INBOX', '/', null))).toBe('Boîte de réception');
    expect(folderDisplayName('Whatever', '/', folderSpecialUse('Whatever', '/', '\\Sent'))).toBe('Envoyés');
    expect(folderDisplayName('X', '/', '\\Junk')).toBe('Indésirables');
    expect(folderDisplayName('X', '/', '\\Archive')).toBe('Archives');
  });

  it('guesses the usual English names of servers without SPECIAL-USE', () => {
    const cases: [string, string][] = [
      ['Sent Items', 'Envoyés'],
      ['Drafts', 'Brouillons'],
      ['Deleted Items', 'Corbeille'],
      ['Trash', 'Corbeille'],
      ['Spam', 'Indésirables'],
      ['Junk', 'Indésirables'],
      ['Archive', 'Archives'],
      ['INBOX.Sent', 'Envoyés'],
    ];
    for (const [path, name] of cases) {
      const delimiter = path.includes('.') ? '.' : '/';
      expect(folderDisplayName(path, delimiter, folderSpecialUse(path, delimiter, null)), path).toBe(name);
    }
    expect(folderSpecialUse('Projets/Sent', '/', null)).toBeNull();
    expect(folderDisplayName('Projets/Élus', '/', null)).toBe('Élus');
  });

  it('lets announced special uses win over name guesses and skips \\Noselect folders', () => {
    const folders = foldersFromListing([
      listed('INBOX', '\\Inbox', 'name'),
      listed('Envoyés du service', '\\Sent', 'extension'),
      listed('Sent', '\\Sent', 'name'),
      listed('Spam', '\\Junk', 'name'),
      listed('Dossiers', undefined, undefined, ['\\Noselect']),
    ]);
    expect(folders.map((f) => [f.path, f.name, f.specialUse])).toEqual([
      ['INBOX', 'Boîte de réception', '\\Inbox'],
      ['Envoyés du service', 'Envoyés', '\\Sent'],
      ['Sent', 'Sent', null],
      ['Spam', 'Indésirables', '\\Junk'],
    ]);
  });
});

describe('sync helpers', () => {
  it('compacts UID sets', () => {
    expect(uidSet([5, 1, 2, 3, 9, 10])).toBe('1:3,5,9:10');
    expect(uidSet([7])).toBe('7');
  });

  it('reads References message ids', () => {
    expect(parseReferences(Buffer.from('References: <a@x.fr>\r\n <b@y.fr>\r\n\r\n'))).toEqual(['<a@x.fr>', '<b@y.fr>']);
    expect(parseReferences(undefined)).toEqual([]);
  });

  it('detects attachments in a body structure', () => {
    const text = { type: 'text/plain', part: '1' };
    expect(hasAttachment({ type: 'multipart/alternative', childNodes: [text, { type: 'text/html', part: '2' }] })).toBe(false);
    expect(
      hasAttachment({
        type: 'multipart/mixed',
        childNodes: [
          text,
          { type: 'application/pdf', part: '2', disposition: 'attachment', dispositionParameters: { filename: 'compte-rendu.pdf' } },
        ],
      }),
    ).toBe(true);
    expect(
      hasAttachment({ type: 'multipart/mixed', childNodes: [text, { type: 'image/png', part: '2', parameters: { name: 'plan.png' } }] }),
    ).toBe(true);
  });
});
