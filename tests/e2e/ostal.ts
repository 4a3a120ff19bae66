import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ServersInfo } from '../servers/types.js';

export function servers(): ServersInfo {
  const file = process.env.OSTAL_TEST_SERVERS;
  if (!file) throw new Error('OSTAL_TEST_SERVERS is not set: run through `npm test` or playwright global setup');
  return JSON.parse(fs.readFileSync(file, 'utf8')) as ServersInfo;
}

export interface RunningOstal {
  url: string;
  profileDir: string;
  child: ChildProcess;
  output: () => string;
  stop(): Promise<void>;
}

/**
 * Environment under which Ostal finds the test servers by discovery and trusts their CA. The core runs in the
 * browser's zone (playwright.config.ts: Europe/Paris) as on an agent's computer; a spec about another zone
 * passes TZ in `extra` and timezoneId to its browser context.
 */
export function ostalEnv(s: ServersInfo, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    TZ: 'Europe/Paris',
    NODE_EXTRA_CA_CERTS: s.caCertPath,
    OSTAL_DNS_SERVERS: `127.0.0.1:${s.dns.port}`,
    OSTAL_DISCOVERY_HTTPS_PORT: String(s.apache.port),
    OSTAL_PROBE_INTERVAL_MS: '1000',
    // The first-launch « Visite guidée » stays off in every spec but the aide-* ones, which pass 'on' in `extra`.
    OSTAL_VISITE_GUIDEE: 'off',
    OSTAL_POLICIES: path.join(os.tmpdir(), 'ostal-no-policy.json'),
    ...extra,
  };
}

export function tempProfile(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'ostal-e2e-'));
}

/** Starts browser mode (`src/host/browser-mode.ts`) as a real process and waits for the address it prints. */
export async function startOstal(opts: { profileDir?: string; env?: Record<string, string>; args?: string[] } = {}): Promise<RunningOstal> {
  const s = servers();
  const profileDir = opts.profileDir ?? tempProfile();
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'src/host/browser-mode.ts', '--profile', profileDir, '--port', '0', ...(opts.args ?? [])],
    {
      // Fichiers and the spaces' documents in the profile unless the spec chose a folder (never the real Documents).
      env: ostalEnv(s, { OSTAL_FILES_ROOT: profileDir, ...opts.env }),
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`Ostal did not start:\n${out}`)), 30_000);
    const check = () => {
      const m = /OSTAL_URL=(\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stdout!.on('data', check);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`Ostal exited (${code}):\n${out}`));
    });
  });
  return {
    url,
    profileDir,
    child,
    output: () => out,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(t);
    },
  };
}

export const SHOTS_DIR = path.join(process.cwd(), 'test-results', 'screens');
fs.mkdirSync(SHOTS_DIR, { recursive: true });

/** Adds a test user's account to a profile through the real CLI (discovery against the test servers), then syncs `only` (mail by default; « mail,calendar »…). */
export function addAccountByCli(
  profileDir: string,
  user: ServersInfo['users'][number],
  extraEnv: Record<string, string> = {},
  only = 'mail',
): void {
  const s = servers();
  const env = ostalEnv(s, { OSTAL_E2E_PASSWORD: user.password, ...extraEnv });
  for (const args of [
    ['account', 'add', '--email', user.email, '--name', user.name, '--password-env', 'OSTAL_E2E_PASSWORD', '--profile', profileDir],
    ['sync', '--only', only, '--profile', profileDir],
  ]) {
    const r = spawnSync(process.execPath, ['bin/ostal.mjs', ...args], { env, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`ostal ${args.join(' ')} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  }
}

/** Runs the real CLI on a profile with the test servers' environment (plus `env`); returns its output, throws on failure. */
export function ostalCli(profileDir: string, env: Record<string, string>, args: string[]): string {
  const r = spawnSync(process.execPath, ['bin/ostal.mjs', ...args, '--profile', profileDir], {
    env: ostalEnv(servers(), env),
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`ostal ${args.join(' ')} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/** Adds a test user's account with its WebDAV server (Fichiers) through the real CLI; its folder goes under `filesRoot`. */
export function addFilesAccountByCli(profileDir: string, user: ServersInfo['users'][number], webdavUrl: string, filesRoot: string): void {
  const env = ostalEnv(servers(), { OSTAL_E2E_PASSWORD: user.password, OSTAL_FILES_ROOT: filesRoot });
  const args = [
    'account',
    'add',
    '--email',
    user.email,
    '--name',
    user.name,
    '--password-env',
    'OSTAL_E2E_PASSWORD',
    '--webdav',
    webdavUrl,
    '--profile',
    profileDir,
  ];
  const r = spawnSync(process.execPath, ['bin/ostal.mjs', ...args], { env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ostal account add failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
}

/** The last lines of a profile's log (the core writes `<profile>/logs/ostal.log`), for a failure's report. */
export function logTail(profileDir: string, lines = 80): string {
  try {
    return fs
      .readFileSync(path.join(profileDir, 'logs', 'ostal.log'), 'utf8')
      .split('\n')
      .slice(-lines)
      .join('\n');
  } catch (err) {
    return `(no log: ${String(err)})`;
  }
}

/**
 * Waits for the connection indicator to reach `state` (a first background sync of a much-used test mailbox once took
 * over 30 s in « liste des dossiers »: when it happens again, the core's log and the indicator's text say why).
 */
export async function expectConnectionState(
  page: import('@playwright/test').Page,
  profileDir: string,
  state: string | RegExp,
  timeout = 30_000,
): Promise<void> {
  const { expect } = await import('@playwright/test');
  const indicator = page.getByTestId('connection-state');
  try {
    await expect(indicator).toHaveAttribute('data-state', state, { timeout });
  } catch (err) {
    const text = await indicator.innerText().catch(() => '?');
    console.log(`connection state not ${String(state)} after ${timeout} ms (« ${text} »); core log:\n${logTail(profileDir)}`);
    throw err;
  }
}
