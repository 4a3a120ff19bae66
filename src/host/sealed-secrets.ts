import fs from 'node:fs';
import { t } from '../i18n/index.js';
import { FileSecretStore, type SecretStore } from '../secrets/index.js';

/**
 * Secrets sealed by the operating system's keychain (Electron `safeStorage` in the main process),
 * stored as ciphertext in the profile. The core runs in a utility process without access to
 * `safeStorage`, so it asks the main process over a message port: see {@link createSealerClient}
 * (core side) and {@link serveSealer} (main side).
 */
export interface Sealer {
  /** Plain text → base64 ciphertext. */
  seal(plain: string): Promise<string>;
  /** Base64 ciphertext → plain text. */
  unseal(sealed: string): Promise<string>;
}

/** A SecretStore whose values are sealed before they reach the disk (a 0600 JSON file of ciphertexts). */
export class SealedSecretStore implements SecretStore {
  private readonly inner: FileSecretStore;

  constructor(
    private readonly sealer: Sealer,
    file: string,
  ) {
    this.inner = new FileSecretStore(file);
  }

  async get(key: string): Promise<string | null> {
    const sealed = await this.inner.get(key);
    return sealed === null ? null : this.sealer.unseal(sealed);
  }

  async set(key: string, value: string): Promise<void> {
    await this.inner.set(key, await this.sealer.seal(value));
  }

  delete(key: string): Promise<void> {
    return this.inner.delete(key);
  }
}

/** The smallest port both Electron's MessagePortMain and Node's worker_threads MessagePort can be adapted to. */
export interface PortEndpoint {
  postMessage(message: unknown): void;
  onMessage(listener: (message: unknown) => void): void;
}

type PortRequest = { id: number; op: string; value: string };
type PortResponse = { id: number; value: string } | { id: number; error: string };

/**
 * Calling side of a tiny request/answer protocol over a port (string in, string out): each call waits for the
 * answer with its id, or fails after `timeoutMs`. Errors read « <label>: … ».
 */
export function createPortCaller(port: PortEndpoint, label: string, timeoutMs: number): (op: string, value: string) => Promise<string> {
  let nextId = 1;
  const pending = new Map<number, { resolve: (v: string) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();
  port.onMessage((message) => {
    const m = message as PortResponse;
    if (!m || typeof m !== 'object' || typeof m.id !== 'number') return;
    const p = pending.get(m.id);
    if (!p) return;
    pending.delete(m.id);
    clearTimeout(p.timer);
    if ('error' in m) p.reject(new Error(`${label}: ${m.error}`));
    else p.resolve(m.value);
  });
  return (op, value) =>
    new Promise<string>((resolve, reject) => {
      const id = nextId++;
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new Error(`${label}: no answer to ${op} within ${timeoutMs} ms`));
      }, timeoutMs);
      timer.unref?.();
      pending.set(id, { resolve, reject, timer });
      port.postMessage({ id, op, value } satisfies PortRequest);
    });
}

/** Answering side: each known op gets its handler's result (or its error message); unknown ops are refused. */
export function servePort(port: PortEndpoint, handlers: Record<string, (value: string) => string | Promise<string>>): void {
  port.onMessage((message) => {
    const m = message as PortRequest;
    if (!m || typeof m !== 'object' || typeof m.id !== 'number' || typeof m.value !== 'string') return;
    const handler = Object.hasOwn(handlers, m.op) ? handlers[m.op] : undefined;
    if (!handler) {
      port.postMessage({ id: m.id, error: 'unknown operation' } satisfies PortResponse);
      return;
    }
    void (async () => {
      let response: PortResponse;
      try {
        response = { id: m.id, value: await handler(m.value) };
      } catch (err) {
        response = { id: m.id, error: (err as Error)?.message ?? 'failed' };
      }
      port.postMessage(response);
    })();
  });
}

/** Core side: a Sealer that forwards each request over the port and waits for its answer. */
export function createSealerClient(port: PortEndpoint, options: { timeoutMs?: number } = {}): Sealer {
  const call = createPortCaller(port, 'sealer', options.timeoutMs ?? 15_000);
  return { seal: (plain) => call('seal', plain), unseal: (sealed) => call('unseal', sealed) };
}

/** Main side: answer seal/unseal requests with the given synchronous primitives (safeStorage). */
export function serveSealer(port: PortEndpoint, primitives: { encrypt(plain: string): Buffer; decrypt(sealed: Buffer): string }): void {
  servePort(port, {
    seal: (plain) => primitives.encrypt(plain).toString('base64'),
    unseal: (sealed) => primitives.decrypt(Buffer.from(sealed, 'base64')),
  });
}

/** What the main process knows about Electron's safeStorage. */
export interface KeychainFacts {
  /** safeStorage.isEncryptionAvailable(). */
  available: boolean;
  platform: NodeJS.Platform;
  /** Linux only: safeStorage.getSelectedStorageBackend() ('basic_text', 'gnome_libsecret', 'kwallet5'…); null elsewhere. */
  linuxBackend: string | null;
}

export type KeychainDecision = { store: 'sealed' } | { store: 'file'; reason: 'unavailable' | 'basicText' };

/**
 * Where the core keeps the passwords. On Linux without a secret service, Chromium's « basic_text » backend still
 * reports encryption as available, but its key is a constant written in Chromium's source: sealing with it protects
 * nothing, and would only make IT believe a keychain is in use. It is treated as no keychain: the 0600 profile file,
 * as in browser mode, with a French notice in the log ({@link keychainNotice}).
 */
export function keychainDecision(facts: KeychainFacts): KeychainDecision {
  if (!facts.available) return { store: 'file', reason: 'unavailable' };
  if (
    facts.platform === 'linux' &&
    (facts.linuxBackend === 'basic_text' || facts.linuxBackend === 'unknown' || facts.linuxBackend === null)
  )
    return { store: 'file', reason: 'basicText' };
  return { store: 'sealed' };
}

/** The French line for IT in the log when the passwords are not in a keychain; null when they are. */
export function keychainNotice(decision: KeychainDecision, facts: KeychainFacts): string | null {
  if (decision.store === 'sealed') return null;
  return decision.reason === 'basicText'
    ? t('host.electron.keychainBasicText', { backend: facts.linuxBackend ?? 'inconnu' })
    : t('host.electron.keychainUnavailableLog');
}

/**
 * Move the passwords an earlier version sealed with a store that is no longer trusted (basic_text: its key is public,
 * so the file is as good as plain text) into `target` (the 0600 file), then delete the sealed file. Returns how many
 * were moved; nothing happens when there is no sealed file. A password that cannot be unsealed is left out (the
 * account then asks for it again).
 */
export async function migrateSealedSecrets(sealer: Sealer, sealedFile: string, target: SecretStore): Promise<number> {
  let text: string;
  try {
    text = fs.readFileSync(sealedFile, 'utf8');
  } catch {
    return 0;
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    data = {};
  }
  let moved = 0;
  if (typeof data === 'object' && data !== null && !Array.isArray(data)) {
    for (const [key, sealed] of Object.entries(data)) {
      if (typeof sealed !== 'string') continue;
      try {
        await target.set(key, await sealer.unseal(sealed));
        moved++;
      } catch {
        /* left out: asked again */
      }
    }
  }
  fs.rmSync(sealedFile, { force: true });
  return moved;
}
