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

type SealerRequest = { id: number; op: 'seal' | 'unseal'; value: string };
type SealerResponse = { id: number; value: string } | { id: number; error: string };

/** Core side: a Sealer that forwards each request over the port and waits for its answer. */
export function createSealerClient(port: PortEndpoint, options: { timeoutMs?: number } = {}): Sealer {
  const timeoutMs = options.timeoutMs ?? 15_000;
  let nextId = 1;
  const pending = new Map<number, { resolve: (v: string) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();
  port.onMessage((message) => {
    const m = message as SealerResponse;
    if (!m || typeof m !== 'object' || typeof m.id !== 'number') return;
    const p = pending.get(m.id);
    if (!p) return;
    pending.delete(m.id);
    clearTimeout(p.timer);
    if ('error' in m) p.reject(new Error(`sealer: ${m.error}`));
    else p.resolve(m.value);
  });
  const call = (op: SealerRequest['op'], value: string) =>
    new Promise<string>((resolve, reject) => {
      const id = nextId++;
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new Error(`sealer: no answer to ${op} within ${timeoutMs} ms`));
      }, timeoutMs);
      timer.unref?.();
      pending.set(id, { resolve, reject, timer });
      port.postMessage({ id, op, value } satisfies SealerRequest);
    });
  return { seal: (plain) => call('seal', plain), unseal: (sealed) => call('unseal', sealed) };
}

/** Main side: answer seal/unseal requests with the given synchronous primitives (safeStorage). */
export function serveSealer(port: PortEndpoint, primitives: { encrypt(plain: string): Buffer; decrypt(sealed: Buffer): string }): void {
  port.onMessage((message) => {
    const m = message as SealerRequest;
    if (!m || typeof m !== 'object' || typeof m.id !== 'number' || typeof m.value !== 'string') return;
    let response: SealerResponse;
    try {
      if (m.op === 'seal') response = { id: m.id, value: primitives.encrypt(m.value).toString('base64') };
      else if (m.op === 'unseal') response = { id: m.id, value: primitives.decrypt(Buffer.from(m.value, 'base64')) };
      else response = { id: m.id, error: 'unknown operation' };
    } catch (err) {
      response = { id: m.id, error: (err as Error)?.message ?? 'failed' };
    }
    port.postMessage(response);
  });
}
