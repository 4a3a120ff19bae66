/**
 * Offline search of the espaces' Discussions (migration 015, WorkspaceRepository.search): accents and case ignored,
 * every word as a word start, corrections searched by their new text, deleted messages never found, one space or all,
 * and FTS syntax in the query taken as plain words.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/store/database.js';
import { WorkspaceRepository, type StoredMessage } from '../../src/workspaces/repository.js';

let dir: string;
let db: Database.Database;
let repo: WorkspaceRepository;

const msg = (id: string, body: string, sender = 'agent2@ostal.test', extra: Partial<StoredMessage> = {}): StoredMessage => ({
  id,
  originId: `o-${id}`,
  sender,
  body,
  sentAt: `2026-12-0${id.length}T10:00:00Z`,
  senderVouched: true,
  ...extra,
});

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ostal-chat-search-'));
  db = openDatabase(path.join(dir, 'ostal.sqlite'));
  db.prepare(
    "INSERT INTO accounts (id, email, name, settings, created_at) VALUES ('a1', 'agent1@ostal.test', 'Agent', '{}', '2026-01-01T00:00:00Z')",
  ).run();
  repo = new WorkspaceRepository(db);
  repo.storeMessages('a1', 'projet@conference.ostal.test', [
    msg('1', 'La Réunion de chantier est à l’ÉCOLE Jules-Ferry'),
    msg('22', 'Budget participatif : dépôt des projets'),
    msg('333', 'Message effacé bientôt', 'agent1@ostal.test'),
    msg('4444', 'Texte d’origine', 'agent1@ostal.test'),
  ]);
  repo.storeMessages('a1', 'autre@conference.ostal.test', [msg('55555', 'Une autre réunion, ailleurs')]);
});

afterEach(() => {
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('chat search', () => {
  it('ignores accents and case, matches word starts, needs every word', () => {
    const ids = (q: string, room: string | null = 'projet@conference.ostal.test') => repo.search(q, room, 50).map((m) => m.id);
    expect(ids('reunion ecole')).toEqual(['1']);
    expect(ids('RÉUNION')).toEqual(['1']);
    expect(ids('jules ferr')).toEqual(['1']);
    expect(ids('depot projet')).toEqual(['22']);
    expect(ids('réunion budget')).toEqual([]);
    // Every space, newest first.
    expect(ids('reunion', null)).toEqual(['55555', '1']);
    // FTS syntax is only words.
    expect(ids('NEAR(reunion) OR "ecole" -budget*')).toEqual([]);
    expect(ids('" * ( ) :')).toEqual([]);
  });

  it('finds a corrected message by its new text and never a deleted one', () => {
    const room = 'projet@conference.ostal.test';
    repo.storeMessages('a1', room, [
      msg('x1', 'Texte corrigé', 'agent1@ostal.test', { replaces: 'o-4444', sentAt: '2026-12-09T10:00:00Z' }),
      msg('x2', '', 'agent1@ostal.test', { retracts: '333', sentAt: '2026-12-09T10:00:00Z' }),
    ]);
    expect(repo.search('corrige', room, 50).map((m) => m.text)).toEqual(['Texte corrigé']);
    expect(repo.search('origine', room, 50)).toEqual([]);
    expect(repo.search('efface', room, 50)).toEqual([]);
    // The archive read again (REPLACE of the same rows) leaves one entry per message.
    repo.storeMessages('a1', room, [msg('1', 'La Réunion de chantier est à l’ÉCOLE Jules-Ferry')]);
    expect(repo.search('reunion', room, 50).map((m) => m.id)).toEqual(['1']);
  });
});
