import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { ServerSettings } from '../shared/contract.js';

/** An account as stored (the password is not here: see SecretStore, key `account:<id>:password`). */
export interface Account {
  id: string;
  email: string;
  name: string;
  settings: ServerSettings;
  /** PEM certificates the user explicitly chose to trust for this account's servers. */
  pinnedCertificates: string[];
  createdAt: string;
  lastSync: string | null;
  /** French, shown to the user. */
  lastError: string | null;
}

interface AccountRow {
  id: string;
  email: string;
  name: string;
  settings: string;
  pinned_certs: string;
  created_at: string;
  last_sync: string | null;
  last_error: string | null;
}

function fromRow(r: AccountRow): Account {
  return {
    id: r.id,
    email: r.email,
    name: r.name,
    settings: JSON.parse(r.settings) as ServerSettings,
    pinnedCertificates: JSON.parse(r.pinned_certs) as string[],
    createdAt: r.created_at,
    lastSync: r.last_sync,
    lastError: r.last_error,
  };
}

/** SQL for the `accounts` table. */
export class AccountRepository {
  constructor(private readonly db: Database.Database) {}

  list(): Account[] {
    return (this.db.prepare('SELECT * FROM accounts ORDER BY created_at, email').all() as AccountRow[]).map(fromRow);
  }

  get(id: string): Account | null {
    const row = this.db.prepare('SELECT * FROM accounts WHERE id = ?').get(id) as AccountRow | undefined;
    return row ? fromRow(row) : null;
  }

  findByEmail(email: string): Account | null {
    const row = this.db.prepare('SELECT * FROM accounts WHERE email = ? COLLATE NOCASE').get(email) as AccountRow | undefined;
    return row ? fromRow(row) : null;
  }

  insert(input: { email: string; name: string; settings: ServerSettings; pinnedCertificates?: string[]; id?: string }): Account {
    const id = input.id ?? randomUUID();
    this.db
      .prepare('INSERT INTO accounts (id, email, name, settings, pinned_certs, created_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(
        id,
        input.email,
        input.name,
        JSON.stringify(input.settings),
        JSON.stringify(input.pinnedCertificates ?? []),
        new Date().toISOString(),
      );
    return this.get(id)!;
  }

  update(id: string, patch: { name?: string; settings?: ServerSettings; pinnedCertificates?: string[] }): Account | null {
    const current = this.get(id);
    if (!current) return null;
    this.db
      .prepare('UPDATE accounts SET name = ?, settings = ?, pinned_certs = ? WHERE id = ?')
      .run(
        patch.name ?? current.name,
        JSON.stringify(patch.settings ?? current.settings),
        JSON.stringify(patch.pinnedCertificates ?? current.pinnedCertificates),
        id,
      );
    return this.get(id);
  }

  /** Record the outcome of a sync: lastSync on success; lastError (French) or null. */
  recordSync(id: string, outcome: { lastSync?: string; lastError: string | null }): void {
    if (outcome.lastSync) {
      this.db.prepare('UPDATE accounts SET last_sync = ?, last_error = ? WHERE id = ?').run(outcome.lastSync, outcome.lastError, id);
    } else {
      this.db.prepare('UPDATE accounts SET last_error = ? WHERE id = ?').run(outcome.lastError, id);
    }
  }

  /** Delete the account; its journal entries (and every table referencing it with ON DELETE CASCADE) go with it. */
  remove(id: string): boolean {
    return this.db.prepare('DELETE FROM accounts WHERE id = ?').run(id).changes > 0;
  }
}
