/**
 * « Importer » with a path that does not exist (or a folder without messages, or an empty file): the import ends at
 * once, and the page must end on that report. The page applies what comes over the API in order (events and the
 * answer to migration.start alike), so the answer must never come after the run's last 'migration.progress' — seen
 * in the demo as « 0 éléments sur 0 … Calcul du temps restant… » for ever, the French message only in the log.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Core } from '../../src/core.js';
import { silentLogger } from '../../src/log.js';
import { createDispatcher, type Dispatcher } from '../../src/api/dispatch.js';
import type { MigrationProgress } from '../../src/shared/contract.js';

let dir: string;
let core: Core;
let dispatcher: Dispatcher;
let accountId: string;
let nextId = 1;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ostal-import-answer-'));
  core = await Core.open({ profileDir: path.join(dir, 'profil'), mode: 'cli', logger: silentLogger, policyPath: null });
  // One account row: no server is reached, no source being readable.
  accountId = crypto.randomUUID();
  core.ctx.db
    .prepare('INSERT INTO accounts (id, email, name, settings, created_at) VALUES (?, ?, ?, ?, ?)')
    .run(
      accountId,
      'agent@mairie.test',
      'Agent',
      JSON.stringify({ imap: 'imap://localhost:1', smtp: 'smtp://localhost:1', username: 'agent' }),
      new Date().toISOString(),
    );
  dispatcher = createDispatcher(core);
});

afterAll(async () => {
  await core?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Starts an import as the page does, and returns the state the page ends on (the last message it applied). */
async function startAsThePage(file: string): Promise<MigrationProgress> {
  const id = nextId++;
  let shown: MigrationProgress | null = null;
  let finished = false;
  const off = dispatcher.subscribe((raw) => {
    const message = JSON.parse(raw) as { event: string; data: MigrationProgress };
    if (message.event !== 'migration.progress') return;
    shown = message.data;
    if (message.data.state === 'done' || message.data.state === 'failed') finished = true;
  });
  try {
    const answer = JSON.parse(
      await dispatcher.dispatch(JSON.stringify({ id, method: 'migration.start', params: { paths: [file], accountId } })),
    ) as { id: number; result: MigrationProgress };
    expect(answer.id).toBe(id);
    shown = answer.result;
    await expect.poll(() => finished, { timeout: 5000 }).toBe(true);
    return shown!;
  } finally {
    off();
  }
}

describe('Importer : un fichier introuvable ou illisible arrête l’importation aussitôt, et la page le dit', () => {
  it('chemin inexistant : la page finit sur le rapport avec « Le fichier « … » est introuvable. »', async () => {
    const shown = await startAsThePage(path.join(dir, 'absent', 'archive.pst'));
    expect(shown.state).toBe('done');
    expect(shown.report?.sources).toEqual([
      { path: path.join(dir, 'absent', 'archive.pst'), kind: 'unknown', error: 'Le fichier «\u00a0archive.pst\u00a0» est introuvable.' },
    ]);
    // The agent can correct the path and import again.
    expect(core.ctx.services.migration.status().state).toBe('done');
  });

  it('dossier sans message, fichier vide : même chose, avec leur message', async () => {
    const empty = path.join(dir, 'Vide');
    fs.mkdirSync(empty);
    const folder = await startAsThePage(empty);
    expect(folder.state).toBe('done');
    expect(folder.report?.sources[0].error).toMatch(/^Le dossier «\u00a0Vide\u00a0» ne contient aucun message/);

    const blank = path.join(dir, 'vide.pst');
    fs.writeFileSync(blank, '');
    const file = await startAsThePage(blank);
    expect(file.state).toBe('done');
    expect(file.report?.sources[0].error).toMatch(/^Le fichier «\u00a0vide\.pst\u00a0» porte le nom d’un fichier Outlook/);
  });
});
