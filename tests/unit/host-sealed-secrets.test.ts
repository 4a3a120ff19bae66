import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { createSealerClient, SealedSecretStore, serveSealer, type PortEndpoint } from '../../src/host/sealed-secrets.js';

/**
 * The Electron secret store without Electron: the OS keychain (safeStorage) cannot run here, so an
 * AES-GCM key stands in for it; the ports are real Node MessagePorts like Electron's.
 */

const key = crypto.randomBytes(32);
const keychain = {
  encrypt(plain: string): Buffer {
    const iv = crypto.randomBytes(12);
    const c = crypto.createCipheriv('aes-256-gcm', key, iv);
    const body = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
    return Buffer.concat([iv, c.getAuthTag(), body]);
  },
  decrypt(sealed: Buffer): string {
    const d = crypto.createDecipheriv('aes-256-gcm', key, sealed.subarray(0, 12));
    d.setAuthTag(sealed.subarray(12, 28));
    return Buffer.concat([d.update(sealed.subarray(28)), d.final()]).toString('utf8');
  },
};

const endpoint = (port: MessagePort): PortEndpoint => ({
  postMessage: (m) => port.postMessage(m),
  onMessage: (fn) => port.on('message', fn),
});

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

function setup() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ostal-sealed-'));
  const channel = new MessageChannel();
  cleanups.push(() => {
    channel.port1.close();
    channel.port2.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  serveSealer(endpoint(channel.port2), keychain);
  const file = path.join(dir, 'secrets.sealed.json');
  return { file, store: new SealedSecretStore(createSealerClient(endpoint(channel.port1)), file) };
}

describe('SealedSecretStore over a port', () => {
  it('stores only ciphertext on disk, readable only by the user, and reads the secret back', async () => {
    const { file, store } = setup();
    await store.set('account:a1:password', 'Mot de passe très secret');
    const onDisk = fs.readFileSync(file, 'utf8');
    expect(onDisk).not.toContain('secret');
    expect(onDisk).toContain('account:a1:password');
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(await store.get('account:a1:password')).toBe('Mot de passe très secret');
    expect(await store.get('account:absent:password')).toBeNull();
    await store.delete('account:a1:password');
    expect(await store.get('account:a1:password')).toBeNull();
  });

  it('reports a keychain failure instead of returning garbage', async () => {
    const { file, store } = setup();
    await store.set('k', 'v');
    const data = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, string>;
    data.k = Buffer.from('altered ciphertext, not from the keychain').toString('base64');
    fs.writeFileSync(file, JSON.stringify(data));
    await expect(store.get('k')).rejects.toThrow(/sealer/);
  });

  it('times out when the main process does not answer', async () => {
    const channel = new MessageChannel();
    cleanups.push(() => {
      channel.port1.close();
      channel.port2.close();
    });
    const sealer = createSealerClient(endpoint(channel.port1), { timeoutMs: 100 });
    await expect(sealer.seal('x')).rejects.toThrow(/no answer/);
  });
});

describe('keychain decision (Linux safeStorage backends)', () => {
  it('a real keychain seals; Chromium’s fixed-key basic_text is not a keychain: the 0600 file, with a French notice for IT', async () => {
    const { keychainDecision, keychainNotice } = await import('../../src/host/sealed-secrets.js');
    const linux = (linuxBackend: string | null, available = true) => ({ available, platform: 'linux' as const, linuxBackend });
    for (const backend of ['gnome_libsecret', 'kwallet', 'kwallet5', 'kwallet6'])
      expect(keychainDecision(linux(backend))).toEqual({ store: 'sealed' });
    expect(keychainDecision({ available: true, platform: 'win32', linuxBackend: null })).toEqual({ store: 'sealed' });
    expect(keychainDecision({ available: true, platform: 'darwin', linuxBackend: null })).toEqual({ store: 'sealed' });
    const basic = linux('basic_text');
    expect(keychainDecision(basic)).toEqual({ store: 'file', reason: 'basicText' });
    expect(keychainNotice(keychainDecision(basic), basic)).toMatch(/^Trousseau du système absent\u00a0: .*basic_text.*secrets\.json.*0600/);
    expect(keychainDecision(linux('unknown'))).toEqual({ store: 'file', reason: 'basicText' });
    expect(keychainDecision(linux('gnome_libsecret', false))).toEqual({ store: 'file', reason: 'unavailable' });
    expect(keychainNotice(keychainDecision(linux('gnome_libsecret', false)), linux('gnome_libsecret', false))).toMatch(/indisponible/);
    expect(keychainNotice({ store: 'sealed' }, linux('kwallet5'))).toBeNull();
  });
});

describe('leaving basic_text', () => {
  it('moves the passwords sealed earlier into the 0600 file and deletes the sealed file', async () => {
    const { migrateSealedSecrets } = await import('../../src/host/sealed-secrets.js');
    const { FileSecretStore } = await import('../../src/secrets/index.js');
    const { file, store } = setup();
    const dir = path.dirname(file);
    await store.set('account:a1:password', 'mot de passe 1');
    await store.set('account:a2:password', 'mot de passe 2');
    const sealer = createSealerClient(endpoint(setupSealerPort()));
    const target = new FileSecretStore(path.join(dir, 'secrets.json'));
    expect(await migrateSealedSecrets(sealer, file, target)).toBe(2);
    expect(fs.existsSync(file)).toBe(false);
    expect(await target.get('account:a2:password')).toBe('mot de passe 2');
    expect(fs.statSync(path.join(dir, 'secrets.json')).mode & 0o777).toBe(0o600);
    expect(await migrateSealedSecrets(sealer, file, target)).toBe(0);
  });
});

function setupSealerPort(): MessagePort {
  const channel = new MessageChannel();
  cleanups.push(() => {
    channel.port1.close();
    channel.port2.close();
  });
  serveSealer(endpoint(channel.port2), keychain);
  return channel.port1;
}
