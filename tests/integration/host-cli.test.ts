import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';

/** The browser-mode entry point as a user runs it: a real process, real sockets, real profile lock. */

const root = path.resolve(import.meta.dirname, '..', '..');
let profileDir: string;
let rendererDir: string;
const children: ChildProcess[] = [];

interface Run {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
  /** How it ended, for assertion messages: exit code or signal, and the end of its error output. */
  ending: () => string;
}

function runCli(args: string[]): Run {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/host/browser-mode.ts', ...args], {
    cwd: root,
    env: { ...process.env, OSTAL_RENDERER_DIR: rendererDir, OSTAL_POLICIES: path.join(profileDir, 'no-policy.json'), OSTAL_DEBUG: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  let err = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString('utf8')));
  child.stderr!.on('data', (c: Buffer) => (err += c.toString('utf8')));
  let how = 'still running';
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code, signal) => {
      how = `code ${code}, signal ${signal}`;
      resolve(code);
    }),
  );
  return { child, stdout: () => out, stderr: () => err, exited, ending: () => `${how}; stderr: ${err.slice(-2000)}` };
}

async function waitForUrl(run: Run): Promise<string> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const m = /^OSTAL_URL=(\S+)$/m.exec(run.stdout());
    if (m) return m[1];
    if (run.child.exitCode !== null) throw new Error(`exited ${run.child.exitCode}: ${run.stderr()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no OSTAL_URL line; stderr: ${run.stderr()}`);
}

beforeAll(() => {
  profileDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ostal-cli-host-'));
  rendererDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ostal-cli-renderer-'));
  fs.writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html><html lang="fr"><title>Ostal</title></html>');
});

afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  fs.rmSync(profileDir, { recursive: true, force: true });
  fs.rmSync(rendererDir, { recursive: true, force: true });
});

describe('browser mode CLI (src/host/browser-mode.ts)', () => {
  it('prints the French ready line and OSTAL_URL, serves the page and the API, refuses a second instance, stops on SIGTERM', async () => {
    const first = runCli(['--profile', profileDir, '--port', '0', '--no-sync']);
    const url = await waitForUrl(first);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/#token=[A-Za-z0-9_-]{43}$/);
    expect(first.stdout()).toContain(`Ostal est prêt\u00a0: ouvrez ${url} dans votre navigateur.`);

    const page = await fetch(url.split('#')[0]);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<title>Ostal</title>');

    const { origin } = new URL(url);
    const token = new URL(url).hash.slice('#token='.length);
    const ws = new WebSocket(`ws://${new URL(url).host}/api?token=${token}`, { origin });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    ws.send(JSON.stringify({ id: 1, method: 'no.such.method', params: {} }));
    const reply = await new Promise<Record<string, unknown>>((resolve) =>
      ws.once('message', (d) => resolve(JSON.parse(String(d)) as Record<string, unknown>)),
    );
    expect(reply).toMatchObject({ id: 1, error: { code: 'invalid_input' } });
    ws.close();

    // Same profile, second instance: refused in French with exit code 2.
    const second = runCli(['--profile', profileDir, '--port', '0']);
    expect(await second.exited).toBe(2);
    expect(second.stderr()).toMatch(/déjà ouvert/);
    expect(second.stdout()).not.toContain('OSTAL_URL=');

    first.child.kill('SIGTERM');
    expect(await first.exited, first.ending()).toBe(0);
    expect(first.stderr()).toContain('Fermeture d’Ostal…');

    // The lock is released: the profile opens again, this time with background sync, and stops cleanly.
    const third = runCli(['--profile', profileDir, '--port', '0']);
    await waitForUrl(third);
    third.child.kill('SIGINT');
    expect(await third.exited, third.ending()).toBe(0);
  }, 60_000);

  it('rejects a bad --port with a French message and exit code 64', async () => {
    const run = runCli(['--profile', profileDir, '--port', 'quatre']);
    expect(await run.exited).toBe(64);
    expect(run.stderr()).toContain('Le port «\u00a0quatre\u00a0» n’est pas valide');
  });
});
