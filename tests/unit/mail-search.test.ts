import type Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/store/database.js';
import { MailRepository, type MessageHeaders } from '../../src/mail/repository.js';
import { MailSearch, parseFrenchDate, parseMailQuery, toFtsMatch, toImapSearch } from '../../src/mail/search.js';
import { OstalError } from '../../src/errors.js';

describe('French query language', () => {
  it('splits words, phrases and operators, accents and case kept for the index to fold', () => {
    const q = parseMailQuery('Réunion "compte rendu" de:dupont à:marie a:paul objet:"budget 2026" pj:devis.pdf');
    expect(q.words).toEqual(['Réunion']);
    expect(q.phrases).toEqual(['compte rendu']);
    expect(q.from).toEqual(['dupont']);
    expect(q.to).toEqual(['marie', 'paul']);
    expect(q.subject).toEqual(['budget 2026']);
    expect(q.attachmentNames).toEqual(['devis.pdf']);
    expect(q.hasAttachment).toBe(true);
    expect(toFtsMatch(q)).toBe(
      '"Réunion"* AND "compte rendu" AND sender : "dupont"* AND recipients : "marie"* AND recipients : "paul"* AND subject : "budget 2026"* AND attachments : "devis.pdf"*',
    );
  });

  it('reads dates as AAAA-MM-JJ or JJ/MM/AAAA and refuses impossible ones in French', () => {
    expect(parseFrenchDate('2026-03-01')).toEqual(new Date(2026, 2, 1));
    expect(parseFrenchDate('01/03/2026')).toEqual(new Date(2026, 2, 1));
    expect(parseFrenchDate('31/02/2026')).toBeNull();
    expect(parseFrenchDate('hier')).toBeNull();
    const q = parseMailQuery('avant:15/03/2026 après:2026-03-01');
    expect(q.before).toBe(new Date(2026, 2, 15).toISOString());
    expect(q.after).toBe(new Date(2026, 2, 1).toISOString());
    expect(parseMailQuery('apres:01/03/2026').after).toBe(new Date(2026, 2, 1).toISOString());
    expect(() => parseMailQuery('avant:32/13/2026')).toThrow(OstalError);
    expect(() => parseMailQuery('avant:32/13/2026')).toThrow(/La date «\u00a032\/13\/2026\u00a0» n’est pas reconnue/);
  });

  it('pj:oui / pj:non filter on attachments; unknown prefixes stay text; quotes inside values are escaped', () => {
    expect(parseMailQuery('pj:oui').hasAttachment).toBe(true);
    expect(parseMailQuery('pj:non').hasAttachment).toBe(false);
    expect(toFtsMatch(parseMailQuery('pj:oui'))).toBeNull();
    expect(parseMailQuery('rdv 10:30').words).toEqual(['rdv', '10:30']);
    expect(toFtsMatch(parseMailQuery('l"apostrophe'))).toBe('"l""apostrophe"*');
    expect(toFtsMatch(parseMailQuery('« ! »'))).toBeNull();
  });

  it('builds an IMAP SEARCH from the longest text and the first value of each operator', () => {
    // IMAP SEARCH is usually accent-sensitive: the accented and the plain form are both asked.
    expect(toImapSearch(parseMailQuery('de:dupont réunion budget'))).toEqual({
      or: [
        { text: 'réunion', from: 'dupont' },
        { text: 'reunion', from: 'dupont' },
      ],
    });
    expect(toImapSearch(parseMailQuery('budget de:Hélène'))).toEqual({
      or: [
        { text: 'budget', from: 'Hélène' },
        { text: 'budget', from: 'Helene' },
      ],
    });
    expect(toImapSearch(parseMailQuery('dupont'))).toEqual({ text: 'dupont' });
    expect(toImapSearch(parseMailQuery('pj:oui avant:2026-03-01'))).toBeNull();
  });
});

describe('MailSearch over the store', () => {
  let db: Database.Database;
  let repo: MailRepository;
  let search: MailSearch;

  function message(uid: number, over: Partial<MessageHeaders> = {}): MessageHeaders {
    return {
      uid,
      modseq: null,
      messageId: `<s${uid}@ostal.test>`,
      subject: `Message ${uid}`,
      from: { name: 'Élodie Durand', address: 'elodie@ostal.test' },
      to: [{ name: 'Zoé Martin', address: 'zoe@ostal.test' }],
      cc: [],
      date: new Date(Date.UTC(2026, 2, uid, 12)).toISOString(),
      internalDate: new Date(Date.UTC(2026, 2, uid, 12)).toISOString(),
      flags: [],
      size: 100,
      hasAttachments: false,
      inReplyTo: null,
      references: [],
      ...over,
    };
  }

  beforeEach(() => {
    db = openDatabase(':memory:');
    db.prepare(
      "INSERT INTO accounts (id, email, name, settings, created_at) VALUES ('a1', 'agent1@ostal.test', 'Agent', '{}', '2026-01-01T00:00:00Z')",
    ).run();
    repo = new MailRepository(db);
    const [inbox, archive] = repo.replaceFolders('a1', [
      { path: 'INBOX', name: 'Boîte de réception', specialUse: '\\Inbox', delimiter: '/', subscribed: true },
      { path: 'Archive', name: 'Archives', specialUse: '\\Archive', delimiter: '/', subscribed: true },
    ]);
    repo.upsertMessages('a1', inbox.id, [
      message(1, { subject: 'RÉUNION du conseil' }),
      message(2, { subject: 'Budget', from: { name: 'Jean Dupont', address: 'jean.dupont@mairie.test' } }),
      message(3, { subject: 'Pièces', hasAttachments: true, attachmentNames: ['ordre-du-jour-réunion.pdf'] }),
      message(4, { subject: 'Sans rapport', to: [{ name: 'Hélène Roux', address: 'helene@ostal.test' }] }),
    ]);
    repo.indexBody(inbox.id, 2, 'La réunion est déplacée à jeudi.');
    repo.upsertMessages('a1', archive.id, [
      message(10, { subject: 'Ancienne réunion', date: new Date(Date.UTC(2025, 5, 1)).toISOString() }),
    ]);
    search = new MailSearch(repo);
  });
  afterEach(() => db.close());

  const subjects = (q: string, options = {}) => search.searchLocal(q, options).map((m) => m.subject);

  it('« reunion » finds « Réunion » in subject, body and attachment name, case- and accent-insensitively, subject first', () => {
    const hits = subjects('reunion');
    expect(hits.sort()).toEqual(['Ancienne réunion', 'Budget', 'Pièces', 'RÉUNION du conseil'].sort());
    const ranked = subjects('reunion');
    expect(ranked.indexOf('RÉUNION du conseil')).toBeLessThan(ranked.indexOf('Budget'));
    expect(subjects('RéUnIoN conseil')).toEqual(['RÉUNION du conseil']);
    expect(subjects('reun')).toHaveLength(4); // as you type: prefixes
  });

  it('applies the French operators and returns the folder of each message', () => {
    expect(subjects('de:dupont')).toEqual(['Budget']);
    expect(subjects('de:jean.dupont@mairie.test')).toEqual(['Budget']);
    expect(subjects('à:helene')).toEqual(['Sans rapport']);
    expect(subjects('a:hélène')).toEqual(['Sans rapport']);
    expect(subjects('objet:reunion').sort()).toEqual(['Ancienne réunion', 'RÉUNION du conseil']);
    expect(subjects('pj:oui')).toEqual(['Pièces']);
    expect(subjects('pj:ordre')).toEqual(['Pièces']);
    expect(subjects('reunion pj:non').sort()).toEqual(['Ancienne réunion', 'Budget', 'RÉUNION du conseil']);
    expect(subjects('reunion avant:01/01/2026')).toEqual(['Ancienne réunion']);
    expect(subjects('reunion après:2026-01-01').sort()).toEqual(['Budget', 'Pièces', 'RÉUNION du conseil']);
    expect(subjects('"est déplacée"')).toEqual(['Budget']);
    expect(subjects('"deplacee est"')).toEqual([]);
    const archived = search.searchLocal('ancienne')[0];
    expect(archived).toMatchObject({ accountId: 'a1', folder: 'Archive', uid: 10, hasBody: false });
    expect(subjects('reunion', { folder: 'Archive' })).toEqual(['Ancienne réunion']);
    expect(subjects('reunion', { accountId: 'autre' })).toEqual([]);
    expect(subjects('')).toEqual([]);
  });

  it('keeps a moved message searchable (same row, same index entry) and forgets a deleted one', () => {
    const inbox = repo.getFolder('a1', 'INBOX')!;
    const archive = repo.getFolder('a1', 'Archive')!;
    const [row] = repo.messagesByUids(inbox.id, [2]);
    repo.moveRow(row.id, archive.id, repo.nextProvisionalUid(archive.id));
    expect(search.searchLocal('deplacee')).toMatchObject([{ folder: 'Archive', subject: 'Budget' }]);
    repo.deleteRow(row.id);
    expect(search.searchLocal('deplacee')).toEqual([]);
  });
});
