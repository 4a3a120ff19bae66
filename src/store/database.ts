import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { OstalError } from '../errors.js';
import { t } from '../i18n/index.js';

/** One numbered schema step, from `src/store/migrations/NNN_what_it_does.sql`. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export interface OpenDatabaseOptions {
  /** Folder of NNN_name.sql files; default: `migrations/` next to this module (copy it next to a bundle). */
  migrationsDir?: string;
  /** How long a statement waits for a lock held by another connection, in ms. */
  busyTimeoutMs?: number;
}

const MIGRATION_FILE = /^(\d{3})_([a-z0-9_]+)\.sql$/;

export function defaultMigrationsDir(): string {
  return fileURLToPath(new URL('./migrations/', import.meta.url));
}

/** Read the migrations of a folder, sorted; duplicate or missing numbers are a programming error. */
export function readMigrations(dir: string = defaultMigrationsDir()): Migration[] {
  const migrations: Migration[] = [];
  for (const entry of fs.readdirSync(dir)) {
    const m = MIGRATION_FILE.exec(entry);
    if (!m) continue;
    migrations.push({ version: Number(m[1]), name: m[2], sql: fs.readFileSync(path.join(dir, entry), 'utf8') });
  }
  migrations.sort((a, b) => a.version - b.version);
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) {
      throw new Error(
        `Schema migrations must be numbered 001, 002… without gap or duplicate: found ${String(m.version).padStart(3, '0')}_${m.name}.sql at position ${i + 1} in ${dir}`,
      );
    }
  });
  return migrations;
}

/** Apply every migration newer than `PRAGMA user_version`, each in its own transaction. Returns the versions applied. */
export function migrate(db: Database.Database, migrations: Migration[]): number[] {
  const current = db.pragma('user_version', { simple: true }) as number;
  const latest = migrations.length ? migrations[migrations.length - 1].version : 0;
  if (current > latest) {
    throw new OstalError('profile_too_new', t('errors.profileTooNew', { found: current, supported: latest }));
  }
  const applied: number[] = [];
  for (const m of migrations) {
    if (m.version <= current) continue;
    const step = db.transaction(() => {
      db.exec(m.sql);
      // user_version lives in the database header: it commits or rolls back with the step.
      db.pragma(`user_version = ${m.version}`);
    });
    try {
      step.immediate();
    } catch (err) {
      throw new Error(`Schema migration ${String(m.version).padStart(3, '0')}_${m.name} failed: ${(err as Error).message}`, { cause: err });
    }
    applied.push(m.version);
  }
  return applied;
}

/**
 * Open the profile database: WAL journal, foreign keys enforced, a busy timeout, and the
 * schema brought up to date. A database written by a newer Ostal is refused in French
 * (`profile_too_new`) rather than damaged.
 */
export function openDatabase(file: string, options: OpenDatabaseOptions = {}): Database.Database {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const db = new Database(file, { timeout: options.busyTimeoutMs ?? 5000 });
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 5000}`);
    migrate(db, readMigrations(options.migrationsDir));
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}
