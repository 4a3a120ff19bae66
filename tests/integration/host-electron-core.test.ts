import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveSealer } from '../../src/host/sealed-secrets.js';
import { Core } from '../../src/core.js';
import { silentLogger } from '../../src/log.js';

/**
 * The bundled Electron utility process (dist/main/core-process.cjs as scripts/build-main.mjs builds it),
 * run without Electron: the Electron binary cannot run here, so a worker thread stands in for the
 * utility process, with `process.parentPort` and MessagePortMain emulated over real Node MessagePorts.
 * This proves the bundle loads (SQL migrations, better-sqlite3, import.meta.url), opens the core,
 * answers the API over a port, seals secrets through the main process and reports failures in French.
 */

const root = path.resolve(import.meta.dirname, '..', '..');
let outdir: string;
const tmpDirs: string[] = [];

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

/** Electron's utility-process side, emulated: parentPort events carry {data, ports} with MessagePortMain-like ports. */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { EventEmitter } = require('node:events');
function mainPort(port) {
  const ee = new EventEmitter();
  port.on('message', (data) => ee.emit('message', { data, ports: [] }));
  port.on('close', () => ee.emit('close'));
  ee.postMessage = (m) => port.postMessage(m);
  ee.start = () => {};
  ee.close = () => port.close();
  return ee;
}
const pp = new EventEmitter();
pp.postMessage = (m) => parentPort.postMessage(m);
parentPort.on('message', ({ data, ports }) => pp.emit('message', { data, ports: (ports || []).map(mainPort) }));
process.parentPort = pp;
require(workerData.corePath);
`;

function startUtility(): { worker: Worker; messages: unknown[]; next: (type: string) => Promise<Record<string, unknown>> } {
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { corePath: path.join(outdir, 'core-process.cjs') } });
  const messages: unknown[] = [];
  const waiters: { type: string; resolve: (m: Record<string, unknown>) => void }[] = [];
  worker.on('message', (m: Record<string, unknown>) => {
    messages.push(m);
    const i = waiters.findIndex((w) => w.type === m.type);
    if (i >= 0) waiters.splice(i, 1)[0].resolve(m);
  });
  const next = (type: string) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const found = messages.find((m) => (m as { type: string }).type === type);
      if (found) return resolve(found as Record<string, unknown>);
      waiters.push({ type, resolve });
      worker.once('error', reject);
    });
  return { worker, messages, next };
}

function init(worker: Worker, profileDir: string, linuxBackend = 'gnome_libsecret'): MessagePort {
  const secrets = new MessageChannel();
  serveSealer({ postMessage: (m) => secrets.port2.postMessage(m), onMessage: (fn) => secrets.port2.on('message', fn) }, keychain);
  const facts = { available: true, platform: 'linux', linuxBackend };
  worker.postMessage({ data: { type: 'init', profileDir, keychain: facts, packaged: false }, ports: [secrets.port1] }, [secrets.port1]);
  return secrets.port2;
}

function apiPort(worker: Worker): MessagePort {
  const api = new MessageChannel();
  worker.postMessage({ data: { type: 'api' }, ports: [api.port1] }, [api.port1]);
  return api.port2;
}

function call(port: MessagePort, id: number, method: string, params: unknown = {}): Promise<Record<string, unknown>> {
  return new Promise((resolve) => {
    const onMessage = (raw: string) => {
      const m = JSON.parse(raw) as Record<string, unknown>;
      if (m.id !== id) return;
      port.off('message', onMessage);
      resolve(m);
    };
    port.on('message', onMessage);
    port.postMessage(JSON.stringify({ id, method, params }));
  });
}

function tmp(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  tmpDirs.push(dir);
  return dir;
}

beforeAll(async () => {
  // Inside the repository (ignored .cache/), so the bundle finds node_modules/better-sqlite3 as in the packaged app.
  fs.mkdirSync(path.join(root, '.cache'), { recursive: true });
  outdir = fs.mkdtempSync(path.join(root, '.cache', 'main-build-'));
  tmpDirs.push(outdir);
  // @ts-expect-error plain JavaScript build script without type declarations
  const { buildMain } = (await import('../../scripts/build-main.mjs')) as {
    buildMain(o: { outdir: string; production: boolean }): Promise<string>;
  };
  await buildMain({ outdir, production: true });
}, 120_000);

afterAll(() => {
  for (const d of tmpDirs) fs.rmSync(d, { recursive: true, force: true });
});

describe('Electron core utility process (bundled, run in a worker)', () => {
  it('bundles the three entry points and the SQL migrations', () => {
    for (const f of ['electron.cjs', 'preload.cjs', 'core-process.cjs']) expect(fs.existsSync(path.join(outdir, f)), f).toBe(true);
    const migrations = fs.readdirSync(path.join(outdir, 'migrations'));
    expect(migrations).toEqual(fs.readdirSync(path.join(root, 'src', 'store', 'migrations')).filter((f) => f.endsWith('.sql')));
    const preload = fs.readFileSync(path.join(outdir, 'preload.cjs'), 'utf8');
    // The sandboxed preload may only require electron.
    expect([...preload.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1])).toEqual(['electron']);
    expect(preload).toContain('ostalBridge');
  });

  it('opens the core, answers the API over ports (one per page load), and stops on shutdown', async () => {
    const profileDir = tmp('ostal-electron-profile-');
    const { worker, next } = startUtility();
    const secretsPort = init(worker, profileDir);
    expect(await next('ready')).toEqual({ type: 'ready' });
    const port = apiPort(worker);
    const info = await call(port, 1, 'app.info');
    expect(info.error).toBeUndefined();
    expect(info.result).toMatchObject({ mode: 'electron', locale: 'fr' });
    expect(fs.realpathSync((info.result as { profileDir: string }).profileDir)).toBe(fs.realpathSync(profileDir));
    const unknown = await call(port, 2, 'nope.nope');
    expect(unknown).toMatchObject({ id: 2, error: { code: 'invalid_input' } });
    // A second page load gets its own port; both work.
    const port2 = apiPort(worker);
    expect(await call(port2, 3, 'app.info')).toMatchObject({ id: 3, result: { mode: 'electron' } });

    const exited = new Promise<number>((resolve) => worker.once('exit', resolve));
    worker.postMessage({ data: { type: 'shutdown' }, ports: [] });
    expect(await exited).toBe(0);
    port.close();
    port2.close();
    secretsPort.close();
    // The profile is free again.
    const core = await Core.open({ profileDir, mode: 'cli', policyPath: null, logger: silentLogger });
    await core.close();
  }, 60_000);

  it('reports a profile already in use in French', async () => {
    const profileDir = tmp('ostal-electron-locked-');
    const holder = await Core.open({ profileDir, mode: 'browser', policyPath: null, logger: silentLogger });
    try {
      const { worker, next } = startUtility();
      const secretsPort = init(worker, profileDir);
      const failed = await next('failed');
      expect(failed).toMatchObject({ type: 'failed', code: 'profile_locked' });
      expect(failed.message).toMatch(/déjà ouvert/);
      await worker.terminate();
      secretsPort.close();
    } finally {
      await holder.close();
    }
  }, 60_000);

  it('with Chromium’s fixed-key basic_text backend: passwords moved to the 0600 file, sealed file deleted, French notice for IT in the log', async () => {
    const profileDir = tmp('ostal-electron-basic-text-');
    // What an earlier version sealed with basic_text.
    fs.writeFileSync(
      path.join(profileDir, 'secrets.sealed.json'),
      JSON.stringify({ 'account:a1:password': keychain.encrypt('mot de passe').toString('base64') }),
    );
    const { worker, next } = startUtility();
    const secretsPort = init(worker, profileDir, 'basic_text');
    expect(await next('ready')).toEqual({ type: 'ready' });
    const secretsFile = path.join(profileDir, 'secrets.json');
    expect(JSON.parse(fs.readFileSync(secretsFile, 'utf8'))).toEqual({ 'account:a1:password': 'mot de passe' });
    expect(fs.statSync(secretsFile).mode & 0o777).toBe(0o600);
    expect(fs.existsSync(path.join(profileDir, 'secrets.sealed.json'))).toBe(false);
    expect(fs.readFileSync(path.join(profileDir, 'logs', 'ostal.log'), 'utf8')).toMatch(
      /Trousseau du système absent\u00a0: Electron n’a trouvé que son stockage «\u00a0basic_text\u00a0»/,
    );
    const exited = new Promise<number>((resolve) => worker.once('exit', resolve));
    worker.postMessage({ data: { type: 'shutdown' }, ports: [] });
    expect(await exited).toBe(0);
    secretsPort.close();
  }, 60_000);
});
