/**
 * The two ways a downloaded source is written under its content-addressed name without a tmp file: at once (the store
 * worker, storeMessageSourceNow) or by the disk's threads (storeMessageSourceLater). Both leave the same file, replace
 * a short one a killed run left, keep a whole one as it is, and make the folder again if it went away.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readMessageSource, storeMessageSourceLater, storeMessageSourceNow } from '../../src/mail/blob-store.js';

const source = Buffer.from('From: agent@mairie-exemple.fr\r\nSubject: =?UTF-8?Q?R=C3=A9union?=\r\n\r\nOrdre du jour : budget.\r\n');
const name = `${crypto.createHash('sha256').update(source).digest('hex')}.eml`;

const writers = {
  now: async (dir: string, account: string, s: Buffer) => storeMessageSourceNow(dir, account, s),
  later: async (dir: string, account: string, s: Buffer) => {
    const blob = storeMessageSourceLater(dir, account, s);
    await blob.written;
    return blob.path;
  },
};

describe.each(Object.entries(writers))('source written %s', (_, write) => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ostal-blobs-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('lands under its SHA-256, readable and checked', async () => {
    const rel = await write(dir, 'a1', source);
    expect(rel).toBe(path.join('mail', 'a1', name));
    expect(await readMessageSource(dir, rel)).toEqual({ source });
    expect(fs.statSync(path.join(dir, rel)).mode & 0o777).toBe(0o600);
  });

  it('replaces the short file a killed run left under the name, and keeps a whole one as it is', async () => {
    const file = path.join(dir, 'mail', 'a2', name);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, source.subarray(0, 10));
    await write(dir, 'a2', source);
    expect(fs.readFileSync(file)).toEqual(source);
    const old = new Date('2026-01-01T00:00:00Z');
    fs.utimesSync(file, old, old);
    await write(dir, 'a2', source);
    expect(fs.statSync(file).mtime.toISOString()).toBe(old.toISOString());
  });

  it('makes its folder again when it went away meanwhile', async () => {
    await write(dir, 'a3', source);
    fs.rmSync(path.join(dir, 'mail', 'a3'), { recursive: true });
    const rel = await write(dir, 'a3', source);
    expect(fs.readFileSync(path.join(dir, rel))).toEqual(source);
  });
});
