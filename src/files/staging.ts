/**
 * Files put together in the profile from parts, for the two places where the page hands the core a file larger than
 * one request: « Ajouter des fichiers » of Fichiers (files.upload.stage, then files.add) and « Joindre un fichier » of
 * the Discussions (chat.file.stage, then chat.file.send). One set of rules for both:
 *
 * - Parts: the local API carries at most 4 Mio of data a request (src/shared/api-schema.ts); each part is appended to
 *   the staged file, so the core never holds the whole file in memory while it arrives.
 * - Ids: the first part (no id) starts a new staged file named by a random UUID; a later part, or the use of the
 *   file, gives that id back. Anything else than a UUID is refused (it names a file of the profile), and so is an id
 *   with no staged file (interrupted, used already, or swept): French message, « add it again ».
 * - Size: a staging folder may have a ceiling (`maxSize`); the part that would pass it is refused and the staged file
 *   removed. The Discussions have one (the file is read whole when it is sent); Fichiers none (the file is moved).
 * - Clean-up: a staged file is removed once used (moved or read), when a part fails, and, at the start of every new
 *   staged file, any staged file of the folder left untouched for more than a day (an addition interrupted).
 * - Disk full, no write right: French message, the technical cause in the log, the staged file removed.
 * - The folder is the agent's only (0700), its files too (0600).
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { CoreContext } from '../context.js';
import { OstalError } from '../errors.js';

/** The id of a staged file: a UUID as randomUUID writes it. */
const STAGE_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** Staged files untouched for this long belong to an interrupted addition: removed when a new one starts. */
export const STAGE_MAX_AGE_MS = 24 * 3600_000;

/** The French messages of one use of the staging (its own words: « ajouter » a file, « joindre » one). */
export interface StagingMessages {
  /** The id names no staged file (interrupted, used already, swept) or is not an id. */
  unknown(): string;
  /** No room left on this computer (ENOSPC, EDQUOT). */
  diskFull(): string;
  /** Any other failure to write the staged file. */
  writeFailed(): string;
  /** The file would pass `maxSize` (only asked when there is one). */
  tooLarge?(size: number, max: number): OstalError;
}

export interface StagingOptions {
  /** The staging folder, relative to the profile folder. */
  folder: string;
  /** Largest staged file in bytes; none when absent. */
  maxSize?: number;
  messages: StagingMessages;
}

/** A staging folder of the profile: see the rules above. */
export class StagedUploads {
  private readonly dir: string;

  constructor(
    private readonly ctx: Pick<CoreContext, 'profileDir' | 'log'>,
    private readonly options: StagingOptions,
  ) {
    this.dir = path.join(ctx.profileDir, options.folder);
  }

  /** The path of the staged file `uploadId` (not checked to exist); a value that is not an id is refused. */
  private fileOf(uploadId: string): string {
    if (!STAGE_ID.test(uploadId)) throw new OstalError('invalid_input', this.options.messages.unknown());
    return path.join(this.dir, uploadId);
  }

  /**
   * One part of a file: appended to the staged file `uploadId`; the first part (no `uploadId`) starts a new one (and
   * sweeps the folder). Returns the id and the size staged so far.
   */
  stage(uploadId: string | undefined, part: Buffer): { uploadId: string; size: number } {
    const id = uploadId ?? randomUUID();
    const file = this.fileOf(id);
    const before = uploadId === undefined ? 0 : fs.statSync(file, { throwIfNoEntry: false })?.size;
    if (before === undefined) throw new OstalError('invalid_input', this.options.messages.unknown());
    const size = before + part.length;
    const { maxSize, messages } = this.options;
    if (maxSize !== undefined && size > maxSize) {
      fs.rmSync(file, { force: true });
      throw messages.tooLarge ? messages.tooLarge(size, maxSize) : new OstalError('invalid_input', messages.writeFailed());
    }
    try {
      if (uploadId === undefined) {
        fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 });
        this.sweep();
      }
      fs.appendFileSync(file, part, { mode: 0o600 });
      return { uploadId: id, size: fs.statSync(file).size };
    } catch (err) {
      fs.rmSync(file, { force: true });
      throw this.writeError(err);
    }
  }

  /** The staged file's path, for a use that moves it away (it must then call {@link remove} in any case). */
  pathOf(uploadId: string): string {
    const file = this.fileOf(uploadId);
    if (!fs.existsSync(file)) throw new OstalError('invalid_input', this.options.messages.unknown());
    return file;
  }

  /** The staged file's bytes, the file removed (used once). */
  take(uploadId: string): Buffer {
    const file = this.pathOf(uploadId);
    try {
      return fs.readFileSync(file);
    } finally {
      fs.rmSync(file, { force: true });
    }
  }

  /** Removes the staged file (used, or its use failed): nothing when it is gone already. */
  remove(uploadId: string): void {
    fs.rmSync(this.fileOf(uploadId), { force: true });
  }

  /** Removes the staged files left untouched for more than a day. */
  private sweep(): void {
    const now = Date.now();
    for (const name of fs.readdirSync(this.dir)) {
      const file = path.join(this.dir, name);
      const st = fs.statSync(file, { throwIfNoEntry: false });
      if (st?.isFile() && now - st.mtimeMs > STAGE_MAX_AGE_MS) fs.rmSync(file, { force: true });
    }
  }

  private writeError(err: unknown): OstalError {
    if (err instanceof OstalError) return err;
    const code = (err as NodeJS.ErrnoException).code;
    this.ctx.log.warn('staging: a part could not be written', { folder: this.options.folder, code, err: err as Error });
    const full = code === 'ENOSPC' || code === 'EDQUOT';
    return new OstalError('local_unavailable', full ? this.options.messages.diskFull() : this.options.messages.writeFailed(), {
      cause: err,
    });
  }
}
