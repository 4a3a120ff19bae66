import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { accountPasswordKey, FileSecretStore } from '../../src/secrets/index.js';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ostal-secrets-'));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('FileSecretStore', () => {
  it('keeps secrets in a 0600 file, readable back by a new instance', async () => {
    const file = path.join(dir, 'secrets.json');
    const store = new FileSecretStore(file);
    expect(await store.get('absent')).toBeNull();
    await store.set(accountPasswordKey('abc'), 'mot de passe « secret »');
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(await new FileSecretStore(file).get('account:abc:password')).toBe('mot de passe « secret »');
    expect(fs.readdirSync(dir)).toEqual(['secrets.json']); // no temporary file left behind
  });

  it('re-applies 0600 when the file was widened', async () => {
    const file = path.join(dir, 'secrets.json');
    const store = new FileSecretStore(file);
    await store.set('k', 'v');
    fs.chmodSync(file, 0o644);
    expect(await store.get('k')).toBe('v');
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
  });

  it('serializes concurrent writes without losing any', async () => {
    const store = new FileSecretStore(path.join(dir, 'secrets.json'));
    await Promise.all(Array.from({ length: 20 }, (_, i) => store.set(`k${i}`, `v${i}`)));
    for (let i = 0; i < 20; i++) expect(await store.get(`k${i}`)).toBe(`v${i}`);
    await store.delete('k3');
    expect(await store.get('k3')).toBeNull();
    expect(await store.get('k4')).toBe('v4');
  });
});
