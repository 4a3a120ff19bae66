/**
 * Start the real meeting server as a child process (for tests, benchmarks and e2e): writes a config file, runs
 * `node --import tsx server/src/main.ts --config <file>` on 127.0.0.1 with port 0 and waits for the
 * `OSTAL_VISIO_URL=` line. No mediasoup import here: the worker binary is only located.
 *
 *   const visio = await spawnVisioServer({ requireToken: true, tokenSecret: 'x'.repeat(32) });
 *   … visio.url, visio.wsUrl …
 *   await visio.stop(); // SIGTERM, resolves with the exit code
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { MEDIASOUP_VERSION, type ServerConfig } from './config.js';

const SERVER_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const REPO_DIR = path.resolve(SERVER_DIR, '..');

/** Path of the mediasoup worker built by scripts/build-mediasoup-worker.sh (cache of the repository). */
export const CACHED_WORKER_BIN = path.join(
  REPO_DIR,
  '.cache',
  'mediasoup-worker',
  MEDIASOUP_VERSION,
  'package',
  'worker',
  'out',
  'Release',
  'build',
  'mediasoup-worker',
);

/** The worker binary to use: MEDIASOUP_WORKER_BIN, else the cached build. Throws a clear error when absent. */
export function resolveWorkerBin(env: NodeJS.ProcessEnv = process.env): string {
  const candidate = env.MEDIASOUP_WORKER_BIN || CACHED_WORKER_BIN;
  if (!fs.existsSync(candidate)) {
    throw new Error(
      `mediasoup worker binary not found at ${candidate}. Build it with scripts/build-mediasoup-worker.sh ` +
        '(scripts/install.sh does it) or set MEDIASOUP_WORKER_BIN. Meeting tests cannot run without it.',
    );
  }
  if (!fs.existsSync(path.join(SERVER_DIR, 'node_modules', 'mediasoup'))) {
    throw new Error(
      'server/node_modules is missing: run `MEDIASOUP_WORKER_BIN=<worker> npm ci --prefix server` (scripts/install.sh does it).',
    );
  }
  return candidate;
}

export interface VisioServerProcess {
  /** e.g. http://127.0.0.1:43121 */
  url: string;
  /** e.g. ws://127.0.0.1:43121/ws */
  wsUrl: string;
  child: ChildProcess;
  /** stderr so far (JSON log lines). */
  logs(): string;
  /** Send a signal (default SIGTERM) and resolve with the exit code (null if killed by a signal). */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export async function spawnVisioServer(config: Partial<ServerConfig> = {}, timeoutMs = 60_000): Promise<VisioServerProcess> {
  const workerBin = resolveWorkerBin();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ostal-visio-'));
  const configFile = path.join(dir, 'config.json');
  fs.writeFileSync(configFile, JSON.stringify({ host: '127.0.0.1', port: 0, workers: 1, logLevel: 'debug', ...config }, null, 2));
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(SERVER_DIR, 'src', 'main.ts'), '--config', configFile], {
    cwd: REPO_DIR,
    env: { ...process.env, MEDIASOUP_WORKER_BIN: workerBin, OSTAL_VISIO_CONFIG: '', OSTAL_VISIO_PORT: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  let stdout = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`meeting server did not start within ${timeoutMs} ms:\n${stderr}`));
    }, timeoutMs);
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      const match = /OSTAL_VISIO_URL=(\S+)/.exec(stdout);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`meeting server exited with code ${code} before listening:\n${stderr}`));
    });
  });
  return {
    url,
    wsUrl: `${url.replace(/^http/, 'ws')}/ws`,
    child,
    logs: () => stderr,
    stop: async (signal: NodeJS.Signals = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      const code = await exited;
      fs.rmSync(dir, { recursive: true, force: true });
      return code;
    },
  };
}
