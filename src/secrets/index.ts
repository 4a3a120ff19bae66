import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';

/**
 * Where passwords live — never in the database. Keys used by the core:
 * - `account:<id>:password` — the account's password (see {@link accountPasswordKey}).
 *
 * Implementations: {@link FileSecretStore} (browser mode and CLI: a file only the user can
 * read) and, in the Electron app, a store backed by the OS keychain through `safeStorage`
 * (main/), which implements this same interface.
 */
export interface SecretStore {
  get(key: string): Promise<string | null>;
  set(key: string, value: string): Promise<void>;
  delete(key: string): Promise<void>;
}

export function accountPasswordKey(accountId: string): string {
  return `account:${accountId}:password`;
}

/**
 * Secrets in a JSON file readable only by the user (mode 0600, re-applied if it was widened).
 * Writes are atomic (temporary file in the same folder, then rename) and serialized inside
 * the process; the profile lock keeps other processes away.
 */
export class FileSecretStore implements SecretStore {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(readonly file: string) {}

  async get(key: string): Promise<string | null> {
    await this.queue;
    const all = this.read();
    return Object.hasOwn(all, key) ? all[key] : null;
  }

  set(key: string, value: string): Promise<void> {
    return this.serialize(() => {
      const all = this.read();
      all[key] = value;
      this.write(all);
    });
  }

  delete(key: string): Promise<void> {
    return this.serialize(() => {
      const all = this.read();
      if (!Object.hasOwn(all, key)) return;
      delete all[key];
      this.write(all);
    });
  }

  private serialize(fn: () => void): Promise<void> {
    const next = this.queue.then(fn);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private read(): Record<string, string> {
    let text: string;
    try {
      text = fs.readFileSync(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
      throw err;
    }
    this.tighten();
    const data: unknown = JSON.parse(text);
    if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new Error(`Secrets file ${this.file} is not a JSON object`);
    const out: Record<string, string> = Object.create(null) as Record<string, string>;
    for (const [k, v] of Object.entries(data)) if (typeof v === 'string') out[k] = v;
    return out;
  }

  private write(all: Record<string, string>): void {
    fs.mkdirSync(path.dirname(this.file), { recursive: true, mode: 0o700 });
    const tmp = `${this.file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    const fd = fs.openSync(tmp, 'wx', 0o600);
    try {
      fs.writeFileSync(fd, JSON.stringify(all, null, 2) + '\n');
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    try {
      fs.renameSync(tmp, this.file);
    } catch (err) {
      fs.rmSync(tmp, { force: true });
      throw err;
    }
    this.tighten();
  }

  /** Make the file 0600 again if someone widened it (POSIX only; Windows ACLs follow the profile folder). */
  private tighten(): void {
    if (process.platform === 'win32') return;
    try {
      const st = fs.statSync(this.file);
      if ((st.mode & 0o777) !== 0o600) fs.chmodSync(this.file, 0o600);
    } catch {
      /* the file may not exist yet */
    }
  }
}
