/**
 * What a file is, from its first bytes (never from its name alone): an Outlook data file (« !BDN »), an Outlook
 * item (.msg, an OLE compound file), an mbox (« From  » first line), a message (.eml: header lines), or a folder
 * of them. Anything else gets a French message naming the file.
 */
import fs from 'node:fs';
import path from 'node:path';
import { OstalError } from '../errors.js';
import { t } from '../i18n/index.js';
import type { Logger } from '../log.js';
import type { ImportSource } from './source.js';

const OLE_MAGIC = Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]);

export type DetectedKind = 'pst' | 'ost' | 'msg' | 'eml' | 'mbox' | 'folder';

export function detectKind(file: string): DetectedKind {
  const name = path.basename(file);
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch {
    throw new OstalError('not_found', t('migration.errors.notFound', { name }));
  }
  if (stat.isDirectory()) {
    // Apple Mail's export: « Boîte.mbox/ » holding a file « mbox ».
    if (fs.existsSync(path.join(file, 'mbox')) && fs.statSync(path.join(file, 'mbox')).isFile()) return 'mbox';
    return 'folder';
  }
  const head = Buffer.alloc(512);
  const fd = fs.openSync(file, 'r');
  let n: number;
  try {
    n = fs.readSync(fd, head, 0, head.length, 0);
  } finally {
    fs.closeSync(fd);
  }
  const bytes = head.subarray(0, n);
  const ext = path.extname(file).toLowerCase();
  if (bytes.subarray(0, 4).toString('latin1') === '!BDN') return ext === '.ost' ? 'ost' : 'pst';
  if (bytes.subarray(0, 8).equals(OLE_MAGIC)) return 'msg';
  const text = bytes.toString('latin1');
  if (text.startsWith('From ')) return 'mbox';
  if (
    /^(?:[\x21-\x39\x3b-\x7e]+:[^\r\n]*\r?\n(?:[ \t][^\r\n]*\r?\n)*)+/.test(text) &&
    /^(from|date|subject|message-id|received|return-path|mime-version|to|x-[\w-]+|delivered-to):/im.test(text)
  )
    return 'eml';
  if (ext === '.pst' || ext === '.ost') throw new OstalError('invalid_input', t('migration.errors.notOutlook', { name }));
  if (ext === '.msg') throw new OstalError('invalid_input', t('migration.errors.notMsg', { name }));
  throw new OstalError('invalid_input', t('migration.errors.unknownKind', { name }));
}

/**
 * The source of an import file. The readers (pst-extractor and its `long`, nodemailer's composer) are loaded here, on
 * first use: every start of the core, `ostal sync` included, would otherwise initialise them for nothing.
 */
export async function openSource(file: string, log: Logger): Promise<ImportSource> {
  const kind = detectKind(file);
  switch (kind) {
    case 'pst':
    case 'ost':
      return (await import('./pst-source.js')).openPst(file, kind, log);
    case 'mbox':
      return (await import('./message-sources.js')).openMboxSource(file, log);
    case 'folder':
      return (await import('./message-sources.js')).openFolderSource(file, log);
    case 'msg':
    case 'eml':
      return (await import('./message-sources.js')).openSingleMessage(file, kind, log);
  }
}
