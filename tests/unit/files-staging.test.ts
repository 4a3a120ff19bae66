/**
 * The one staging of files arriving in parts (src/files/staging.ts), used by « Ajouter des fichiers » (Fichiers) and
 * « Joindre un fichier » (Discussions): parts appended under a UUID, unknown ids and non-ids refused in French, the
 * ceiling of the Discussions, files of interrupted additions swept after a day, a full disk told in French with the
 * cause in the log and nothing left behind. Both users are checked to stage in their own folder with their own words.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { STAGE_MAX_AGE_MS, StagedUploads } from '../../src/files/staging.js';
import { FolderAdditions } from '../../src/files/additions.js';
import { ChatFileStore } from '../../src/workspaces/chat-files.js';
import type { CoreContext } from '../../src/context.js';
import { OstalError } from '../../src/errors.js';

let profileDir: string;
const warnings: { msg: string; extra?: Record<string, unknown> }[] = [];
const log = { info() {}, warn: (msg: string, extra?: Record<string, unknown>) => void warnings.push({ msg, extra }), error() {} };
const ctx = () => ({ profileDir, log }) as unknown as CoreContext;
const messages = {
  unknown: () => 'inconnu',
  diskFull: () => 'disque plein',
  writeFailed: () => 'écriture impossible',
};

beforeEach(() => {
  profileDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ostal-staging-'));
  warnings.length = 0;
});
afterEach(() => {
  vi.restoreAllMocks();
  fs.rmSync(profileDir, { recursive: true, force: true });
});

const caught = (fn: () => unknown): OstalError => {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(OstalError);
    return err as OstalError;
  }
  throw new Error('nothing thrown');
};

describe('StagedUploads', () => {
  it('appends the parts under a new UUID, in a folder of the agent only; used once (taken or moved)', () => {
    const staging = new StagedUploads(ctx(), { folder: 'envois', messages });
    const first = staging.stage(undefined, Buffer.from('abc'));
    expect(first.uploadId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(staging.stage(first.uploadId, Buffer.from('defg'))).toEqual({ uploadId: first.uploadId, size: 7 });
    const file = path.join(profileDir, 'envois', first.uploadId);
    expect(staging.pathOf(first.uploadId)).toBe(file);
    expect(fs.statSync(path.join(profileDir, 'envois')).mode & 0o777).toBe(0o700);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(staging.take(first.uploadId).toString()).toBe('abcdefg');
    expect(fs.existsSync(file)).toBe(false);
    expect(caught(() => staging.take(first.uploadId)).message).toBe('inconnu');
    expect(caught(() => staging.stage(first.uploadId, Buffer.from('x'))).message).toBe('inconnu');
  });

  it('refuses what is not an id (a path of the profile) without touching anything', () => {
    const staging = new StagedUploads(ctx(), { folder: 'envois', messages });
    fs.writeFileSync(path.join(profileDir, 'profile.db'), 'base');
    for (const id of ['../profile.db', 'ABCDEF00-0000-4000-8000-000000000000', 'gbcdef00-0000-4000-8000-000000000000', '']) {
      expect(caught(() => staging.stage(id, Buffer.from('x'))).message).toBe('inconnu');
      expect(caught(() => staging.pathOf(id)).message).toBe('inconnu');
    }
    expect(fs.readFileSync(path.join(profileDir, 'profile.db'), 'utf8')).toBe('base');
  });

  it('a ceiling: the part that passes it is refused with the message given, the staged file removed', () => {
    const staging = new StagedUploads(ctx(), {
      folder: 'envois',
      maxSize: 10,
      messages: { ...messages, tooLarge: (size, max) => new OstalError('invalid_input', `trop gros ${size}/${max}`) },
    });
    const { uploadId } = staging.stage(undefined, Buffer.alloc(6));
    expect(staging.stage(uploadId, Buffer.alloc(4)).size).toBe(10);
    expect(caught(() => staging.stage(uploadId, Buffer.alloc(1))).message).toBe('trop gros 11/10');
    expect(fs.existsSync(path.join(profileDir, 'envois', uploadId))).toBe(false);
    expect(caught(() => staging.stage(undefined, Buffer.alloc(11))).message).toBe('trop gros 11/10');
  });

  it('a new file sweeps the files of additions interrupted more than a day ago, not the recent ones', () => {
    const staging = new StagedUploads(ctx(), { folder: 'envois', messages });
    const old = staging.stage(undefined, Buffer.from('ancien')).uploadId;
    const recent = staging.stage(undefined, Buffer.from('récent')).uploadId;
    const past = new Date(Date.now() - STAGE_MAX_AGE_MS - 60_000);
    fs.utimesSync(path.join(profileDir, 'envois', old), past, past);
    staging.stage(recent, Buffer.from(' encore'));
    expect(fs.existsSync(path.join(profileDir, 'envois', old))).toBe(true);
    staging.stage(undefined, Buffer.from('nouveau'));
    expect(fs.existsSync(path.join(profileDir, 'envois', old))).toBe(false);
    expect(staging.take(recent).toString()).toBe('récent encore');
  });

  it('disk full: the French message, the cause in the log, the staged file removed; any other failure: its own message', () => {
    const staging = new StagedUploads(ctx(), { folder: 'envois', messages });
    const { uploadId } = staging.stage(undefined, Buffer.from('début'));
    const full = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    vi.spyOn(fs, 'appendFileSync').mockImplementationOnce(() => {
      throw full;
    });
    const err = caught(() => staging.stage(uploadId, Buffer.from('suite')));
    expect(err).toMatchObject({ code: 'local_unavailable', message: 'disque plein' });
    expect(err.cause).toBe(full);
    expect(warnings).toEqual([{ msg: 'staging: a part could not be written', extra: expect.objectContaining({ code: 'ENOSPC' }) }]);
    expect(fs.existsSync(path.join(profileDir, 'envois', uploadId))).toBe(false);
    vi.spyOn(fs, 'appendFileSync').mockImplementationOnce(() => {
      throw Object.assign(new Error('EIO'), { code: 'EIO' });
    });
    expect(caught(() => staging.stage(undefined, Buffer.from('x'))).message).toBe('écriture impossible');
    expect(fs.readdirSync(path.join(profileDir, 'envois'))).toEqual([]);
  });
});

describe('its two users', () => {
  it('Fichiers stages in files-uploads with its words, without ceiling; the Discussions in Discussions/.envoi, 1 Gio at most', () => {
    const additions = new FolderAdditions(ctx());
    const a = additions.stage(undefined, Buffer.from('plan'));
    expect(fs.readFileSync(path.join(profileDir, 'files-uploads', a.uploadId), 'utf8')).toBe('plan');
    expect(caught(() => additions.stage('00000000-0000-4000-8000-000000000000', Buffer.from('x'))).message).toBe(
      'L’ajout de ce fichier a été interrompu. Ajoutez-le de nouveau.',
    );

    const chat = new ChatFileStore(ctx());
    const c = chat.stage(undefined, Buffer.from('compte rendu'));
    expect(fs.readFileSync(path.join(profileDir, 'Discussions', '.envoi', c.uploadId), 'utf8')).toBe('compte rendu');
    expect(chat.takeStaged(c.uploadId).toString()).toBe('compte rendu');
    expect(caught(() => chat.takeStaged(c.uploadId)).message).toBe(
      'Le fichier en cours d’envoi est introuvable\u00a0: joignez-le de nouveau.',
    );
    // The ceiling of the Discussions, told in their words (the stat lies: no gigabyte written).
    const d = chat.stage(undefined, Buffer.from('x'));
    const realStat = fs.statSync;
    vi.spyOn(fs, 'statSync').mockImplementation(((p: fs.PathLike, o?: fs.StatSyncOptions) =>
      String(p).endsWith(d.uploadId) ? { ...realStat(p), size: 1024 * 1024 * 1024 } : realStat(p, o)) as typeof fs.statSync);
    const err = caught(() => chat.stage(d.uploadId, Buffer.from('y')));
    expect(err.message).toBe(
      'Le fichier «\u00a0fichier\u00a0» fait 1\u00a0Go\u00a0: le serveur de discussion accepte au plus 1\u00a0Go par fichier. Il n’a pas été envoyé.',
    );
    expect(err.details).toEqual({ size: 1024 * 1024 * 1024 + 1, max: 1024 * 1024 * 1024 });
  });
});
