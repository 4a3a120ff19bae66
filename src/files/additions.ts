/**
 * « Nouveau dossier » and « Ajouter des fichiers » of Fichiers: items the agent adds from the app into the current
 * folder of an account's sync folder. They are written on this computer first (local first), then the sync engine
 * sends them to the WebDAV server like any local change (a sync is asked at once).
 *
 * - Names are checked before anything is written: empty, characters Windows refuses (/ \ : * ? " < > |), reserved
 *   names, trailing dot or space, too long a path (French messages, the same rules as the engine's, src/files/names.ts).
 * - A file never replaces another one: when the name is taken (on the disk, in the store, or on the server as last
 *   listed, compared without case as Windows and macOS do), both are kept and the new one is « rapport (2).pdf », as
 *   Nextcloud's and OneDrive's clients do. A folder name already taken is refused (« existe déjà »).
 * - Bytes come over the local API in parts, put together in the profile (`files-uploads/`) by the staging shared
 *   with « Joindre un fichier » of the Discussions (src/files/staging.ts: its ids, clean-up and disk-full rules), so
 *   the core never holds a whole file in memory. The staged file is then moved (or, across disks, copied by the
 *   system) into the folder and given its name with a hard link, which fails rather than replace a file that
 *   appeared meanwhile.
 * - Disk full, a folder without write right: French message, technical cause in the log, nothing replaced and the
 *   staged part removed.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { CoreContext } from '../context.js';
import { OstalError } from '../errors.js';
import { t } from '../i18n/index.js';
import { PARTIAL_PREFIX } from './engine.js';
import { MAX_PATH_LENGTH, WINDOWS_RESERVED, join, keyOf, nameProblem, safeLocalPath } from './names.js';
import { FilesRepository } from './repository.js';
import { filesAccount, localRootOf } from './service.js';
import { StagedUploads } from './staging.js';

/** Characters a name may not hold: the path separators and what Windows refuses. */
const FORBIDDEN = '/\\<>:"|?*';

/** Comparison key of a name in a folder: NFC and without case (Windows and macOS confuse « A » and « a »). */
export function nameKey(name: string): string {
  return name.normalize('NFC').toLocaleLowerCase('fr');
}

/** Why `name` cannot be given to a new item of `parent` (French, with a suggestion), or null when it can. */
export function newItemNameProblem(parent: string, name: string, kind: 'folder' | 'file'): string | null {
  if (name === '') return kind === 'folder' ? t('files.add.emptyFolderName') : t('files.add.emptyName');
  if (name === '.' || name === '..') return t('files.add.dots');
  if ([...name].some((c) => FORBIDDEN.includes(c) || c.charCodeAt(0) < 32))
    return t('files.add.forbiddenChars', {
      suggestion: [...name].map((c) => (FORBIDDEN.includes(c) || c.charCodeAt(0) < 32 ? '_' : c)).join(''),
    });
  if (WINDOWS_RESERVED.test(name)) {
    const dot = name.indexOf('.');
    return t('files.add.reserved', { name, suggestion: dot < 0 ? `${name}_` : `${name.slice(0, dot)}_${name.slice(dot)}` });
  }
  if (/[. ]$/.test(name)) return t('files.add.trailing', { suggestion: name.replace(/[. ]+$/, '') || 'sans nom' });
  const full = join(parent, name);
  if (full.length > MAX_PATH_LENGTH) return t('files.add.tooLong', { length: full.length, max: MAX_PATH_LENGTH });
  // Anything else the engine would refuse (its own wording).
  return nameProblem(full);
}

/** `name`, or « name (2).ext », « name (3).ext »… : the first whose key is not in `taken`. */
export function keepBothName(name: string, taken: ReadonlySet<string>): string {
  if (!taken.has(nameKey(name))) return name;
  const dot = name.lastIndexOf('.');
  const [stem, ext] = dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, ''];
  for (let n = 2; ; n++) {
    const candidate = `${stem} (${n})${ext}`;
    if (!taken.has(nameKey(candidate))) return candidate;
  }
}

/** French message for a failed write on this computer (the cause goes to the log). */
function writeError(ctx: Pick<CoreContext, 'log'>, err: unknown, what: { name: string; folder: string }): OstalError {
  if (err instanceof OstalError) return err;
  const code = (err as NodeJS.ErrnoException).code;
  ctx.log.warn('files: adding an item failed', { code, err: err as Error });
  const folder = what.folder === '/' ? t('files.add.rootFolder') : what.folder.slice(1);
  if (code === 'ENOSPC' || code === 'EDQUOT')
    return new OstalError('local_unavailable', t('files.add.diskFull', { name: what.name }), { cause: err });
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS')
    return new OstalError('local_unavailable', t('files.add.readOnly', { name: what.name, folder }), { cause: err });
  return new OstalError('local_unavailable', t('files.add.writeFailed', { name: what.name }), { cause: err });
}

/** Gives `tmp` (a file of `folderAbs`) a free name close to `name`, never over another file; returns the name given. */
function placeExclusive(tmp: string, folderAbs: string, name: string, taken: Set<string>): string {
  for (;;) {
    const candidate = keepBothName(name, taken);
    const abs = path.join(folderAbs, candidate);
    try {
      fs.linkSync(tmp, abs);
      fs.rmSync(tmp, { force: true });
      return candidate;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') {
        taken.add(nameKey(candidate));
        continue;
      }
      // Some disks (FAT, some network shares) have no hard links: check, then rename.
      if (code === 'EPERM' || code === 'ENOTSUP' || code === 'EOPNOTSUPP' || code === 'ENOSYS' || code === 'EMLINK') {
        if (fs.existsSync(abs)) {
          taken.add(nameKey(candidate));
          continue;
        }
        fs.renameSync(tmp, abs);
        return candidate;
      }
      throw err;
    }
  }
}

export interface AddedItem {
  /** Sync path of the new item ('/Dossier/rapport (2).pdf'). */
  path: string;
  name: string;
  /** The name asked for was taken: the item got another one (both kept). */
  renamed: boolean;
}

/** « Nouveau dossier » and « Ajouter des fichiers » for one Core. */
export class FolderAdditions {
  /** Files of « Ajouter des fichiers » arriving in parts: no ceiling (moved into the folder, never read whole). */
  private readonly staging: StagedUploads;

  constructor(private readonly ctx: CoreContext) {
    this.staging = new StagedUploads(ctx, {
      folder: 'files-uploads',
      messages: {
        unknown: () => t('files.add.stageUnknown'),
        diskFull: () => t('files.add.diskFullStage'),
        writeFailed: () => t('files.add.writeFailedStage'),
      },
    });
  }

  /** Names taken in `parent`: on the disk, in the store (online-only items too) and on the server as last listed. */
  private takenNames(accountId: string, root: string, parent: string): Set<string> {
    const repo = new FilesRepository(this.ctx.db);
    const taken = new Set<string>();
    for (const r of repo.children(accountId, parent)) taken.add(nameKey(r.path.slice(r.path.lastIndexOf('/') + 1)));
    for (const r of repo.remoteChildren(accountId, parent)) taken.add(nameKey(r.path.slice(r.path.lastIndexOf('/') + 1)));
    try {
      for (const n of fs.readdirSync(safeLocalPath(root, parent))) taken.add(nameKey(n));
    } catch {
      // Not on the disk yet (an online-only folder): created below.
    }
    return taken;
  }

  private target(accountId: string, parentPath: string): { accountId: string; root: string; parent: string; folderAbs: string } {
    const a = filesAccount(this.ctx, accountId);
    const root = localRootOf(this.ctx, a.email);
    const parent = keyOf(parentPath);
    let folderAbs: string;
    try {
      folderAbs = safeLocalPath(root, parent);
    } catch {
      throw new OstalError('invalid_input', t('files.errors.badPath'));
    }
    const st = fs.statSync(folderAbs, { throwIfNoEntry: false });
    if (st && !st.isDirectory()) throw new OstalError('invalid_input', t('files.add.notAFolder', { path: parent }));
    return { accountId: a.id, root, parent, folderAbs };
  }

  /** « Nouveau dossier » named `rawName` (spaces around it dropped) in `parentPath`. */
  createFolder(accountId: string, parentPath: string, rawName: string): AddedItem {
    const { accountId: id, root, parent, folderAbs } = this.target(accountId, parentPath);
    const name = rawName.normalize('NFC').trim();
    const problem = newItemNameProblem(parent, name, 'folder');
    if (problem) throw new OstalError('invalid_input', problem);
    if (this.takenNames(id, root, parent).has(nameKey(name))) throw new OstalError('already_exists', t('files.add.exists', { name }));
    try {
      fs.mkdirSync(folderAbs, { recursive: true });
      fs.mkdirSync(path.join(folderAbs, name));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new OstalError('already_exists', t('files.add.exists', { name }));
      throw writeError(this.ctx, err, { name, folder: parent });
    }
    this.ctx.log.info('files: folder created', { account: id });
    return { path: join(parent, name), name, renamed: false };
  }

  /**
   * One part of a file to add (at most a few megabytes): appended to the file being put together in the profile; the
   * first part (no `uploadId`) starts a new one.
   */
  stage(uploadId: string | undefined, part: Buffer): { uploadId: string; size: number } {
    return this.staging.stage(uploadId, part);
  }

  /**
   * « Ajouter des fichiers »: the file (`content`, or the parts staged under `uploadId`) written into `parentPath` as
   * `rawName`, or « rawName (2) » when that name is taken. `modified` (ms): the original's date, kept.
   */
  addFile(
    accountId: string,
    parentPath: string,
    rawName: string,
    source: { content: Buffer } | { uploadId: string },
    modified?: number,
  ): AddedItem {
    const uploadId = 'uploadId' in source ? source.uploadId : null;
    const staged = uploadId !== null ? this.staging.pathOf(uploadId) : null;
    const name = rawName.normalize('NFC');
    try {
      const { accountId: id, root, parent, folderAbs } = this.target(accountId, parentPath);
      const problem = newItemNameProblem(parent, name, 'file');
      if (problem) throw new OstalError('invalid_input', problem);
      const taken = this.takenNames(id, root, parent);
      const tmp = path.join(folderAbs, `${PARTIAL_PREFIX}ajout-${randomUUID()}`);
      let given: string;
      try {
        fs.mkdirSync(folderAbs, { recursive: true });
        if (staged) {
          try {
            fs.renameSync(staged, tmp);
          } catch (err) {
            // Profile and sync folder on two disks: the system copies (no whole file in memory).
            if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err;
            fs.copyFileSync(staged, tmp, fs.constants.COPYFILE_EXCL);
          }
        } else fs.writeFileSync(tmp, (source as { content: Buffer }).content, { flag: 'wx' });
        if (modified !== undefined && modified > 0) fs.utimesSync(tmp, new Date(), new Date(modified));
        given = placeExclusive(tmp, folderAbs, name, taken);
      } catch (err) {
        fs.rmSync(tmp, { force: true });
        throw writeError(this.ctx, err, { name, folder: parent });
      }
      const size = fs.statSync(path.join(folderAbs, given)).size;
      this.ctx.log.info('files: file added', { account: id, size, renamed: given !== name });
      return { path: join(parent, given), name: given, renamed: given !== name };
    } finally {
      if (uploadId !== null) this.staging.remove(uploadId);
    }
  }
}
