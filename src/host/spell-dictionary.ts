/**
 * The French dictionary shipped with Ostal for spell checking (issue 18), never downloaded at run time.
 *
 * Electron on Linux and Windows checks spelling with Hunspell dictionaries in Chromium's binary format (.bdic), which
 * it looks for in `<userData>/Dictionaries` and otherwise downloads from a Google server. Ostal ships
 * `fr-FR-3-0.bdic` (build/dictionaries, made from Debian's hunspell-fr by scripts/dictionary-fr.sh) in
 * `resources/dictionaries`; before the session's languages are set, main/electron.ts copies it into the folder
 * Chromium reads (installShippedDictionary), and points Chromium's downloader at the shipped folder (a file:// URL,
 * never the network), so nothing is ever fetched. Plain Node: tested without Electron.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

/** Chromium's file name for the language `fr` (spellcheck_common.cc). */
export const FRENCH_DICTIONARY = 'fr-FR-3-0.bdic';
export const SPELL_LANGUAGES = ['fr'];

const HEADER_BYTES = 32;

export type BdicCheck = { ok: true; version: number; digest: string } | { ok: false; reason: string };

/**
 * Checks a .bdic as Chromium does before using it (third_party/hunspell/google/bdict.h): « BDic » signature, version
 * 2, the aff and dic offsets inside the file, and the MD5 of everything after the header equal to the one it holds.
 */
export function checkBdic(data: Buffer): BdicCheck {
  if (data.length < HEADER_BYTES) return { ok: false, reason: 'too short' };
  if (data.subarray(0, 4).toString('latin1') !== 'BDic') return { ok: false, reason: 'no BDic signature' };
  const version = data.readUInt32LE(4);
  if (version !== 2) return { ok: false, reason: `version ${version}` };
  const affOffset = data.readUInt32LE(8);
  const dicOffset = data.readUInt32LE(12);
  if (affOffset < HEADER_BYTES || affOffset >= data.length || dicOffset <= affOffset || dicOffset >= data.length)
    return { ok: false, reason: 'offsets outside the file' };
  const digest = data.subarray(16, 32).toString('hex');
  const actual = createHash('md5').update(data.subarray(HEADER_BYTES)).digest('hex');
  if (digest !== actual) return { ok: false, reason: 'checksum mismatch' };
  return { ok: true, version, digest };
}

/** Where the shipped dictionaries are in the installed app (electron-builder extraResources). */
export function shippedDictionaryDir(resourcesPath: string): string {
  return path.join(resourcesPath, 'dictionaries');
}

/** The folder Chromium reads dictionaries from in Electron: `<userData>/Dictionaries`. */
export function chromiumDictionaryDir(userDataDir: string): string {
  return path.join(userDataDir, 'Dictionaries');
}

/**
 * The session's spell checker: French only; the download URL is the shipped folder as a file:// URL, so even if
 * Chromium decided to fetch, it would only read the app's own files, never a server.
 */
export function spellCheckerSession(resourcesPath: string): { languages: string[]; dictionaryUrl: string } {
  return { languages: [...SPELL_LANGUAGES], dictionaryUrl: `${pathToFileURL(shippedDictionaryDir(resourcesPath)).href}/` };
}

export type DictionaryInstall =
  | { action: 'copied' | 'present'; path: string }
  /** No usable dictionary shipped (a development run without resources): spell checking stays off, nothing downloaded. */
  | { action: 'missing'; path: string; reason: string };

/**
 * Puts the shipped French dictionary where Chromium looks before any download. A copy already there with the same
 * checksum is kept; a damaged or older one is replaced. Never throws: a failure is reported for the log.
 */
export function installShippedDictionary(resourcesPath: string, userDataDir: string): DictionaryInstall {
  const source = path.join(shippedDictionaryDir(resourcesPath), FRENCH_DICTIONARY);
  const target = path.join(chromiumDictionaryDir(userDataDir), FRENCH_DICTIONARY);
  let shipped: Buffer;
  try {
    shipped = fs.readFileSync(source);
  } catch (err) {
    return { action: 'missing', path: source, reason: (err as Error).message };
  }
  const check = checkBdic(shipped);
  if (!check.ok) return { action: 'missing', path: source, reason: check.reason };
  try {
    const present = checkBdic(fs.readFileSync(target));
    if (present.ok && present.digest === check.digest) return { action: 'present', path: target };
  } catch {
    /* not there yet */
  }
  try {
    fs.mkdirSync(path.dirname(target), { recursive: true });
    const partial = `${target}.${process.pid}.tmp`;
    fs.writeFileSync(partial, shipped);
    fs.renameSync(partial, target);
  } catch (err) {
    return { action: 'missing', path: target, reason: (err as Error).message };
  }
  return { action: 'copied', path: target };
}
