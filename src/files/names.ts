/**
 * Names that cross systems: hostile server names (never written anywhere), names Windows refuses, names
 * differing only by case, too long paths; NFC keys so that NFC and NFD spellings are one file; paths kept
 * inside the sync folder; the French name of a conflict copy.
 */
import fs from 'node:fs';
import path from 'node:path';
import { t } from '../i18n/index.js';
import { conflictStamp, userTimeZone } from '../shared/time.js';
import { displayFileName } from './open-safety.js';

/** Longest sync path accepted (Windows MAX_PATH leaves room for the sync folder itself). */
export const MAX_PATH_LENGTH = 250;

export const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[1-9]|lpt[1-9])(\..*)?$/i;
/** Characters Windows refuses in names: < > : " | ? * and the control characters. */
const isForbiddenChar = (c: string) => '<>:"|?*'.includes(c) || c.charCodeAt(0) < 32;

/** A name no sync may ever use: it would escape the folder or mean something else on the disk. */
export function isHostileName(name: string): boolean {
  return (
    name === '' ||
    name === '.' ||
    name === '..' ||
    name.includes('/') ||
    name.includes('\\') ||
    name.includes('\0') ||
    path.isAbsolute(name) ||
    /^[a-zA-Z]:/.test(name)
  );
}

/** Why a name cannot be synced as is (French, with the fix), or null when it is fine. */
export function nameProblem(relPath: string): string | null {
  const raw = relPath.split('/').pop() ?? '';
  if (isHostileName(raw)) return t('files.names.hostile', { name: JSON.stringify(displayFileName(raw)) });
  // Shown to people: bidirectional controls never reorder what they read (src/files/open-safety.ts).
  const name = displayFileName(raw);
  if (WINDOWS_RESERVED.test(name)) return t('files.names.reserved', { name, suggestion: `${name}_` === name ? name : suggest(name) });
  if (/[. ]$/.test(name)) return t('files.names.trailing', { name, suggestion: name.replace(/[. ]+$/, '') || 'sans nom' });
  if ([...name].some(isForbiddenChar))
    return t('files.names.forbiddenChars', { name, suggestion: [...name].map((c) => (isForbiddenChar(c) ? '_' : c)).join('') });
  if (relPath.length > MAX_PATH_LENGTH)
    return t('files.names.tooLong', { name: shorten(name), length: relPath.length, max: MAX_PATH_LENGTH });
  return null;
}

function suggest(name: string): string {
  const dot = name.indexOf('.');
  return dot < 0 ? `${name}_` : `${name.slice(0, dot)}_${name.slice(dot)}`;
}

function shorten(name: string): string {
  return name.length > 60 ? `${name.slice(0, 40)}…${name.slice(-12)}` : name;
}

/** French message for a name clashing by case with another one of the same folder. */
export function caseClashProblem(name: string, other: string): string {
  return t('files.names.caseClash', { name: displayFileName(name), other: displayFileName(other) });
}

/** Comparison key of a sync path: NFC (macOS writes NFD, others NFC). */
export function keyOf(relPath: string): string {
  return relPath.normalize('NFC');
}

export function parentOf(relPath: string): string {
  const i = relPath.lastIndexOf('/');
  return i <= 0 ? '/' : relPath.slice(0, i);
}

export function join(parent: string, name: string): string {
  return parent === '/' ? `/${name}` : `${parent}/${name}`;
}

export function baseName(relPath: string): string {
  return relPath.slice(relPath.lastIndexOf('/') + 1);
}

/** True when `p` is `ancestor` or inside it. */
export function isWithin(p: string, ancestor: string): boolean {
  return ancestor === '/' || p === ancestor || p.startsWith(`${ancestor}/`);
}

/**
 * Absolute local path of a sync path, refusing anything that would land outside the sync folder (.., absolute
 * segments, or a symbolic link in a parent pointing elsewhere). Throws a plain Error: a programming or hostile-server
 * problem the caller reports.
 */
export function safeLocalPath(root: string, relPath: string): string {
  const segments = relPath.split('/').filter(Boolean);
  for (const s of segments) if (isHostileName(s)) throw new Error(`refused path segment ${JSON.stringify(s)}`);
  const abs = path.resolve(root, ...segments);
  const rootAbs = path.resolve(root);
  if (abs !== rootAbs && !abs.startsWith(rootAbs + path.sep)) throw new Error(`path outside the sync folder: ${relPath}`);
  // A symbolic link in an existing parent could still point elsewhere.
  let dir = path.dirname(abs);
  while (dir.length > rootAbs.length && !fs.existsSync(dir)) dir = path.dirname(dir);
  if (dir.length >= rootAbs.length && fs.existsSync(dir)) {
    const real = fs.realpathSync(dir);
    const realRoot = fs.realpathSync(rootAbs);
    if (real !== realRoot && !real.startsWith(realRoot + path.sep))
      throw new Error(`path escapes the sync folder through a link: ${relPath}`);
  }
  return abs;
}

/** « rapport (conflit du 23-11-2026 14 h 30).odt » beside the original, in the user's zone (as the interface shows times). */
export function conflictName(
  relPath: string,
  when: Date,
  taken: (candidate: string) => boolean,
  timeZone: string = userTimeZone(),
): string {
  const name = baseName(relPath);
  const dot = name.lastIndexOf('.');
  const stem = dot > 0 ? name.slice(0, dot) : name;
  const ext = dot > 0 ? name.slice(dot) : '';
  const vars = conflictStamp(when, timeZone);
  for (let i = 1; ; i++) {
    const label = i === 1 ? t('files.conflictSuffix', vars) : t('files.conflictSuffixN', { ...vars, n: i });
    const candidate = join(parentOf(relPath), `${stem} (${label})${ext}`);
    if (!taken(candidate)) return candidate;
  }
}
