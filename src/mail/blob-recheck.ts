/**
 * After a run that did not end cleanly (killed, crashed, or the computer lost power): the message sources it wrote are
 * checked against their names, in the background.
 *
 * Ostal writes a source without waiting for the disk to confirm it (no fsync per message, as mbsync does by default:
 * the server keeps the mail, a local copy lost is fetched again). A kill loses nothing written; a power cut can leave
 * the last seconds' files empty or short while their rows, committed, point at them. Reading a message checks its
 * source (blob-store.ts), but the damage would then be found by an agent opening it, perhaps offline. So the first
 * start after such a run checks every source written since that run began (modification time), removes the damaged
 * ones and forgets them in their rows: the next sync downloads them again, while the server can still be reached.
 *
 * The check is remembered in the settings table until it is over, so a check stopped by the close of the core (an
 * `ostal sync` that ends first) goes on at the next start.
 */
import fs from 'node:fs';
import path from 'node:path';
import type Database from 'better-sqlite3';
import type { Logger } from '../log.js';
import { clearState, readState, writeState } from '../store/settings-repository.js';
import { readMessageSource } from './blob-store.js';
import { MailRepository } from './repository.js';

const STATE_KEY = 'state.mail.recheckBlobsSince';

export interface BlobRecheck {
  /** Settles when the check is over, stopped, or had nothing to do. */
  readonly done: Promise<{ checked: number; damaged: number } | null>;
  /** Stop between two files (the core closes); what was not checked is checked at the next start. */
  stop(): Promise<void>;
}

/**
 * Start the check when the last run ended uncleanly (`since`: when it began) or when a check is still due from an
 * earlier start. Returns null when there is nothing to check.
 */
export function startBlobRecheck(
  db: Database.Database,
  blobsDir: string,
  unclean: { since: string } | null,
  log: Logger,
): BlobRecheck | null {
  // From the earliest of the check still due and the start of the run that just ended uncleanly.
  const starts = [readState(db, STATE_KEY), unclean?.since].filter(
    (v): v is string => typeof v === 'string' && !Number.isNaN(Date.parse(v)),
  );
  if (starts.length === 0) return null;
  const sinceIso = starts.reduce((a, b) => (Date.parse(a) <= Date.parse(b) ? a : b));
  writeState(db, STATE_KEY, sinceIso);
  if (unclean) log.warn('mail: the last run did not end cleanly, checking the sources it wrote', { since: sinceIso });
  let stopped = false;
  const done = recheck(db, blobsDir, Date.parse(sinceIso), () => stopped, log).then(
    (result) => {
      if (result) {
        clearState(db, STATE_KEY);
        log.info('mail: sources written by the last run checked', result);
      }
      return result;
    },
    (err: unknown) => {
      log.warn('mail: check of the sources written by the last run failed, tried again at the next start', { err: err as Error });
      return null;
    },
  );
  return {
    done,
    async stop() {
      stopped = true;
      await done;
    },
  };
}

async function recheck(
  db: Database.Database,
  blobsDir: string,
  sinceMs: number,
  shouldStop: () => boolean,
  log: Logger,
): Promise<{ checked: number; damaged: number } | null> {
  const mailDir = path.join(blobsDir, 'mail');
  const accounts = await fs.promises.readdir(mailDir, { withFileTypes: true }).catch(() => []);
  const repo = new MailRepository(db);
  let checked = 0;
  let damaged = 0;
  for (const account of accounts) {
    if (!account.isDirectory()) continue;
    const dir = path.join(mailDir, account.name);
    const names = await fs.promises.readdir(dir).catch(() => [] as string[]);
    for (const name of names) {
      if (shouldStop()) return null;
      if (!name.endsWith('.eml') || name.startsWith('.')) continue;
      const st = await fs.promises.stat(path.join(dir, name)).catch(() => null);
      // A clock set back since could hide a file: a source more than a minute older than the run is taken as whole.
      if (!st || st.mtimeMs < sinceMs - 60_000) continue;
      checked++;
      const bodyPath = path.join('mail', account.name, name);
      const read = await readMessageSource(blobsDir, bodyPath);
      if (!('damaged' in read)) continue;
      damaged++;
      const rows = repo.forgetBodyPath(account.name, bodyPath);
      log.warn('mail: source damaged by the end of the last run, to be downloaded again', { bodyPath, rows });
    }
  }
  return { checked, damaged };
}
