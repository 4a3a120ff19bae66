/**
 * Files in the Discussions (a space's or a direct one), through XMPP HTTP File Upload (XEP-0363) on the account's own
 * server: the file is put on the server's upload service, then the message carries its address (body and OOB,
 * XEP-0066), as every XMPP client does.
 *
 * Nothing goes anywhere but the account's own server: a slot whose PUT or GET address is on another host is refused,
 * and only a message whose address is on the account's server shows as a file (« Télécharger », « Ouvrir »); any other
 * address stays a plain link. A file received is downloaded only when the agent asks, into the profile, and never
 * opened by itself (« Ouvrir » goes through the same safety as Fichiers).
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { CoreContext } from '../context.js';
import type { ChatFile, ChatFileInfo } from '../shared/contract.js';
import { OstalError } from '../errors.js';
import { t } from '../i18n/index.js';
import { formatSize } from '../shared/format.js';
import { sendRequest } from '../net/http.js';
import { isHostileName, nameProblem } from '../files/names.js';
import { openLocalItem, type OpenOutcome } from '../files/opener.js';
import { StagedUploads } from '../files/staging.js';
import type { Account } from '../store/account-repository.js';

/** Largest file downloaded from a Discussion when the server names no limit (bytes). */
const DOWNLOAD_CEILING = 2 * 1024 * 1024 * 1024;
/**
 * Largest file put together from parts before it is sent (bytes; the server's own limit is checked before): it is
 * read whole when it is sent.
 */
const STAGE_CEILING = 1024 * 1024 * 1024;
const TRANSFER_TIMEOUT_MS = 60_000;

/** The hosts of the account's own server: its mail domain and the names below it, and the host its XMPP runs on. */
export interface OwnServer {
  domain: string;
  xmppHost: string | null;
}

/** Whether `url` is an https address on the account's own server (see {@link OwnServer}). */
export function isOwnServerUrl(url: string, own: OwnServer): boolean {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  if (u.protocol !== 'https:' || u.username || u.password) return false;
  const host = u.hostname.toLowerCase();
  const domain = own.domain.toLowerCase();
  return host === domain || host.endsWith(`.${domain}`) || (own.xmppHost !== null && host === own.xmppHost.toLowerCase());
}

/** The file's name from its address (the last part of the path, as upload services put it), or « fichier ». */
export function fileNameOf(url: string): string {
  let name = '';
  try {
    name = decodeURIComponent(new URL(url).pathname.split('/').pop() ?? '');
  } catch {
    name = '';
  }
  name = name.normalize('NFC').trim();
  return !name || isHostileName(name) || nameProblem(`/${name}`) ? t('chatFiles.defaultName') : name;
}

/**
 * The file a message carries: its whole text is one address on the account's own server (the XEP-0363 usage: the
 * body is the GET address, the OOB element repeats it). Anything else is text, its links plain links.
 */
export function chatFileOf(body: string, own: OwnServer): ChatFile | null {
  const text = body.trim();
  if (!/^https:\/\/\S+$/.test(text) || !isOwnServerUrl(text, own)) return null;
  return { url: text, name: fileNameOf(text) };
}

/** A name the upload may carry: a plain file name (a path, control characters or a name no system takes are refused). */
export function checkUploadName(name: string): string {
  const clean = name.normalize('NFC').trim();
  const problem = isHostileName(clean) ? t('chatFiles.errors.badName', { name: clean }) : nameProblem(`/${clean}`);
  if (problem) throw new OstalError('invalid_input', problem);
  return clean;
}

export function tooLarge(name: string, size: number, max: number): OstalError {
  return new OstalError('invalid_input', t('chatFiles.errors.tooLarge', { name, size: formatSize(size), max: formatSize(max) }), {
    details: { size, max },
  });
}

/**
 * The French error for the server's refusal of a slot (Prosody's mod_http_file_share: too large, file type, daily or
 * global quota, not allowed). `err` is the request's error, with its condition (session.ts stanzaError).
 */
export function slotRefusal(err: unknown, name: string, size: number, maxSize: number | null): OstalError {
  const condition = (err as { condition?: string }).condition ?? 'undefined-condition';
  const why = (err as Error).message ?? '';
  if (condition === 'not-acceptable' && /large|size/i.test(why)) return tooLarge(name, size, maxSize ?? size - 1);
  const message =
    condition === 'resource-constraint'
      ? t('chatFiles.errors.quota')
      : condition === 'not-acceptable'
        ? t('chatFiles.errors.fileType')
        : condition === 'forbidden' || condition === 'not-allowed'
          ? t('chatFiles.errors.notAllowed')
          : t('chatFiles.errors.slotRefused');
  return new OstalError('forbidden', message, { details: { condition } });
}

/** Refuses an upload slot whose address is not on the account's own server. */
export function checkSlotHost(url: string, own: OwnServer): void {
  if (isOwnServerUrl(url, own)) return;
  let host = url;
  try {
    host = new URL(url).host;
  } catch {
    /* shown as it is */
  }
  throw new OstalError('forbidden', t('chatFiles.errors.foreignSlot', { host, domain: own.domain }), { details: { url } });
}

/** PUTs the file to the slot (TLS checked, the account's pinned certificates only). */
export async function putFile(
  ctx: Pick<CoreContext, 'log'>,
  account: Account,
  slot: { put: string; headers: Record<string, string> },
  content: Buffer,
  contentType: string,
): Promise<void> {
  let res;
  try {
    res = await sendRequest(new URL(slot.put), {
      method: 'PUT',
      headers: { ...slot.headers, 'Content-Type': contentType, 'Content-Length': String(content.length) },
      body: content,
      pinnedCertificates: account.pinnedCertificates,
      timeoutMs: TRANSFER_TIMEOUT_MS,
    });
  } catch (err) {
    ctx.log.warn('chat files: upload failed', { host: new URL(slot.put).host, err: err as Error });
    throw new OstalError('unreachable', t('chatFiles.errors.uploadFailed'), { cause: err });
  }
  res.resume();
  if (res.statusCode === 200 || res.statusCode === 201) return;
  ctx.log.warn('chat files: upload refused', { host: new URL(slot.put).host, status: res.statusCode });
  if (res.statusCode === 413) throw new OstalError('invalid_input', t('chatFiles.errors.uploadRefused'));
  throw new OstalError('unreachable', t('chatFiles.errors.uploadFailed'));
}

/** Where the files of the Discussions are downloaded: the profile's « Fichiers des discussions », one folder a file. */
export class ChatFileStore {
  private readonly sizes = new Map<string, number | null>();
  /** Files to send arriving in parts (src/files/staging.ts, the same rules as « Ajouter des fichiers » of Fichiers). */
  private readonly staging: StagedUploads;

  constructor(private readonly ctx: CoreContext) {
    this.staging = new StagedUploads(ctx, {
      folder: path.join('Discussions', '.envoi'),
      maxSize: STAGE_CEILING,
      messages: {
        unknown: () => t('chatFiles.errors.stageUnknown'),
        diskFull: () => t('chatFiles.errors.stageDiskFull'),
        writeFailed: () => t('chatFiles.errors.stageFailed'),
        tooLarge: (size, max) => tooLarge(t('chatFiles.defaultName'), size, max),
      },
    });
  }

  private folderOf(url: string): string {
    return path.join(this.ctx.profileDir, 'Discussions', createHash('sha256').update(url).digest('hex').slice(0, 24));
  }

  /**
   * A part of a file to send (the local API carries a few megabytes a request): appended to the file being put together
   * in the profile; the first part (no `uploadId`) starts a new one.
   */
  stage(uploadId: string | undefined, part: Buffer): { uploadId: string; size: number } {
    return this.staging.stage(uploadId, part);
  }

  /** The file put together by {@link stage}, taken out of the profile. */
  takeStaged(uploadId: string): Buffer {
    return this.staging.take(uploadId);
  }

  /** The copy on this computer, or null. */
  localPath(file: ChatFile): string | null {
    const p = path.join(this.folderOf(file.url), file.name);
    return fs.existsSync(p) ? p : null;
  }

  /** Keeps the sender's own copy (« Ouvrir » works at once). */
  keep(file: ChatFile, content: Buffer): void {
    const folder = this.folderOf(file.url);
    fs.mkdirSync(folder, { recursive: true });
    const tmp = path.join(folder, `.partiel-${process.pid}-${Date.now()}`);
    fs.writeFileSync(tmp, content);
    fs.renameSync(tmp, path.join(folder, file.name));
    this.sizes.set(file.url, content.length);
  }

  /** Name, size (asked of the server once, HEAD) and the copy on this computer. */
  async info(account: Account, file: ChatFile): Promise<ChatFileInfo> {
    const local = this.localPath(file);
    if (local) return { ...file, size: fs.statSync(local).size, localPath: local };
    if (!this.sizes.has(file.url)) {
      let size: number | null = null;
      try {
        const res = await sendRequest(new URL(file.url), {
          method: 'HEAD',
          pinnedCertificates: account.pinnedCertificates,
          timeoutMs: 15_000,
        });
        res.resume();
        const n = Number(res.headers['content-length']);
        if (res.statusCode === 200 && Number.isFinite(n)) size = n;
        else if (res.statusCode === 404 || res.statusCode === 410) throw new OstalError('not_found', t('chatFiles.errors.gone'));
      } catch (err) {
        if (err instanceof OstalError) throw err;
        this.ctx.log.info('chat files: size not known (server unreachable)', { err: err as Error });
        return { ...file, size: null, localPath: null };
      }
      this.sizes.set(file.url, size);
    }
    return { ...file, size: this.sizes.get(file.url) ?? null, localPath: null };
  }

  /** « Télécharger »: the file into the profile (never opened here); the copy already there is kept. */
  async download(account: Account, file: ChatFile, maxSize: number | null): Promise<ChatFileInfo> {
    const existing = this.localPath(file);
    if (existing) return { ...file, size: fs.statSync(existing).size, localPath: existing };
    const folder = this.folderOf(file.url);
    fs.mkdirSync(folder, { recursive: true });
    const tmp = path.join(folder, `.partiel-${process.pid}-${Date.now()}`);
    const ceiling = maxSize ?? DOWNLOAD_CEILING;
    try {
      const res = await sendRequest(new URL(file.url), { pinnedCertificates: account.pinnedCertificates, timeoutMs: TRANSFER_TIMEOUT_MS });
      if (res.statusCode !== 200) {
        res.resume();
        this.ctx.log.warn('chat files: download refused', { host: new URL(file.url).host, status: res.statusCode });
        throw new OstalError(
          res.statusCode === 404 || res.statusCode === 410 ? 'not_found' : 'unreachable',
          t(res.statusCode === 404 || res.statusCode === 410 ? 'chatFiles.errors.gone' : 'chatFiles.errors.downloadFailed'),
        );
      }
      let received = 0;
      res.on('data', (chunk: Buffer) => {
        received += chunk.length;
        if (received > ceiling) res.destroy(new Error(`file over ${ceiling} bytes`));
      });
      await pipeline(res, fs.createWriteStream(tmp, { flags: 'wx' }));
      fs.renameSync(tmp, path.join(folder, file.name));
    } catch (err) {
      fs.rmSync(tmp, { force: true });
      if (err instanceof OstalError) throw err;
      this.ctx.log.warn('chat files: download failed', { host: new URL(file.url).host, err: err as Error });
      throw new OstalError('unreachable', t('chatFiles.errors.downloadFailed'), { cause: err });
    }
    const local = path.join(folder, file.name);
    this.ctx.log.info('chat files: downloaded', { host: new URL(file.url).host, size: fs.statSync(local).size });
    return { ...file, size: fs.statSync(local).size, localPath: local };
  }

  /** « Ouvrir » a file downloaded: the same safety as Fichiers (a file that could run code is only shown). */
  async open(file: ChatFile): Promise<OpenOutcome> {
    const local = this.localPath(file);
    if (!local) throw new OstalError('not_found', t('chatFiles.errors.notDownloaded'));
    return openLocalItem(this.ctx, local, 'file');
  }
}
