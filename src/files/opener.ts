/**
 * « Ouvrir » in Fichiers, once the item is on the disk: open it with the system application, or — for a file that
 * could run code (src/files/open-safety.ts) — show it selected in its folder with a French warning. The files.open
 * handler only finds the path; every decision is here.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { CoreContext } from '../context.js';
import { t } from '../i18n/index.js';
import { displayFileName, openDecision } from './open-safety.js';

export interface OpenOutcome {
  localPath: string;
  /** The system opened the item (or, with `warning`, showed it in its folder). */
  launched: boolean;
  /** French warning when the file is only shown in its folder, never opened; null otherwise. */
  warning: string | null;
}

function desktopOf(ctx: Pick<CoreContext, 'desktop'>) {
  return ctx.desktop && ctx.desktop.available?.() !== false ? ctx.desktop : null;
}

async function ask(
  ctx: Pick<CoreContext, 'desktop' | 'log'>,
  what: 'openPath' | 'showItemInFolder',
  absolutePath: string,
): Promise<boolean> {
  const desktop = desktopOf(ctx);
  if (!desktop) return false;
  try {
    const error = await desktop[what](absolutePath);
    if (error) ctx.log.warn('files: the system could not open the item', { path: absolutePath, error, what });
    return !error;
  } catch (err) {
    ctx.log.warn('files: the system could not open the item', { path: absolutePath, err: err as Error, what });
    return false;
  }
}

/** Whether a file carries an execute permission (never on Windows, where the extension decides). */
function executableBit(absolutePath: string, platform: NodeJS.Platform): boolean {
  if (platform === 'win32') return false;
  try {
    const st = fs.statSync(absolutePath);
    return st.isFile() && (st.mode & 0o111) !== 0;
  } catch {
    return false;
  }
}

/**
 * Open `absolutePath` (always inside the account's folder: the caller checks it). Folders open; a file opens only when
 * {@link openDecision} allows it, else it is shown in its folder and the outcome carries the French warning.
 */
export async function openLocalItem(
  ctx: Pick<CoreContext, 'desktop' | 'log'>,
  absolutePath: string,
  kind: 'file' | 'folder',
  platform: NodeJS.Platform = process.platform,
): Promise<OpenOutcome> {
  if (kind === 'folder') return { localPath: absolutePath, launched: await ask(ctx, 'openPath', absolutePath), warning: null };
  const name = path.basename(absolutePath);
  const decision = openDecision(name, { executableBit: executableBit(absolutePath, platform) });
  if (decision.action === 'open') return { localPath: absolutePath, launched: await ask(ctx, 'openPath', absolutePath), warning: null };
  const shown = displayFileName(name);
  ctx.log.warn('files: not opened, shown in its folder', { name: shown, reason: decision.reason });
  return {
    localPath: absolutePath,
    launched: await ask(ctx, 'showItemInFolder', absolutePath),
    warning: t(`files.open.blocked.${decision.reason}`, { name: shown }),
  };
}
