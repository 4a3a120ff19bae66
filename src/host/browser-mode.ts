/**
 * Browser mode entry point: `node --import tsx src/host/browser-mode.ts [--profile DIR] [--port N] [--no-sync]`.
 *
 * Opens the core on the profile, serves the built renderer and the API on 127.0.0.1, prints the
 * address to open in French and, for scripts and tests, one machine-readable line `OSTAL_URL=…`.
 * Exit codes: 0 normal stop (SIGINT/SIGTERM), 1 start failure, 2 profile already in use, 64 bad arguments.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Core } from '../core.js';
import { OstalError } from '../errors.js';
import { t } from '../i18n/index.js';
import { defaultProfileDir } from '../store/profile.js';
import { HostArgsError, parseHostArgs } from './args.js';
import { startBrowserHost, type BrowserHost } from './api-server.js';
import { createPageDesktopShell } from './page-desktop-shell.js';
import { launchRequestFromArgv, pathPlatform } from './launch-request.js';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_PROFILE_LOCKED = 2;
export const EXIT_USAGE = 64;

export interface RunningBrowserMode {
  core: Core;
  host: BrowserHost;
  profileDir: string;
  stop(): Promise<void>;
}

/** Profile folder: --profile, else OSTAL_PROFILE, else the OS default. */
export function resolveProfileDir(argProfile: string | null, env: NodeJS.ProcessEnv = process.env): string {
  if (argProfile) return path.resolve(argProfile);
  return defaultProfileDir(env);
}

/** Folder of the built renderer: OSTAL_RENDERER_DIR, else renderer/dist of this checkout. */
export function resolveRendererDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.OSTAL_RENDERER_DIR ? path.resolve(env.OSTAL_RENDERER_DIR) : path.join(REPO_ROOT, 'renderer', 'dist');
}

export async function startBrowserMode(options: {
  profileDir: string;
  port: number;
  sync: boolean;
  rendererDir: string;
}): Promise<RunningBrowserMode> {
  // No desktop application can be started from a browser; a page may play the desktop (tests do: page-desktop-shell.ts).
  const desktop = createPageDesktopShell();
  const core = await Core.open({ profileDir: options.profileDir, mode: 'browser', desktop });
  let host: BrowserHost;
  try {
    host = await startBrowserHost({ core, port: options.port, rendererDir: options.rendererDir, desktop });
  } catch (err) {
    await core.close();
    throw err;
  }
  // Connectivity probe and periodic sync; stopped by core.close().
  if (options.sync) core.startBackgroundSync();
  let stopping: Promise<void> | null = null;
  return {
    core,
    host,
    profileDir: options.profileDir,
    stop() {
      stopping ??= (async () => {
        await host.close();
        await core.close();
      })();
      return stopping;
    },
  };
}

export async function main(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<number | null> {
  let args;
  try {
    args = parseHostArgs(argv);
  } catch (err) {
    if (err instanceof HostArgsError) {
      process.stderr.write(`${err.message}\n${t('host.usage')}\n`);
      return EXIT_USAGE;
    }
    throw err;
  }
  if (args.help) {
    process.stdout.write(`${t('host.usage')}\n`);
    return EXIT_OK;
  }
  const rendererDir = resolveRendererDir(env);
  if (!fs.existsSync(path.join(rendererDir, 'index.html'))) process.stderr.write(`${t('host.rendererMissing', { dir: rendererDir })}\n`);

  let running: RunningBrowserMode;
  try {
    running = await startBrowserMode({ profileDir: resolveProfileDir(args.profile, env), port: args.port, sync: args.sync, rendererDir });
  } catch (err) {
    if (err instanceof OstalError && err.code === 'profile_locked') {
      process.stderr.write(`${err.message}\n`);
      return EXIT_PROFILE_LOCKED;
    }
    if ((err as NodeJS.ErrnoException)?.code === 'EADDRINUSE') {
      process.stderr.write(`${t('host.portInUse', { port: args.port })}\n`);
      return EXIT_FAILURE;
    }
    const reason = err instanceof OstalError ? err.message : t('errors.internal');
    process.stderr.write(`${t('host.startFailed', { reason })}\n`);
    if (env.OSTAL_DEBUG === '1') process.stderr.write(`${(err as Error)?.stack ?? String(err)}\n`);
    return EXIT_FAILURE;
  }

  // `browser-mode.ts … mailto:…` or `--compose "…"`: the message waits for the page (as a launch of the desktop app).
  const launch = launchRequestFromArgv(argv, pathPlatform());
  if (launch.kind === 'compose') await running.core.ctx.services.launchCompose.push(launch.request);

  // The stop on a signal is in place before the address is printed: whoever reads it may stop Ostal at once (a script,
  // a test), and a signal with no listener yet kills the process without closing the profile.
  const onSignal = () => {
    process.stderr.write(`${t('host.stopping')}\n`);
    void running.stop().then(
      () => process.exit(EXIT_OK),
      () => process.exit(EXIT_FAILURE),
    );
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  process.stdout.write(`${t('host.ready', { url: running.host.url })}\n`);
  process.stdout.write(`OSTAL_URL=${running.host.url}\n`);
  return null; // keeps running until a signal
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href;
if (invokedDirectly) {
  main(process.argv.slice(2)).then(
    (code) => {
      if (code !== null) process.exit(code);
    },
    (err: unknown) => {
      process.stderr.write(`${t('errors.internal')}\n`);
      if (process.env.OSTAL_DEBUG === '1') process.stderr.write(`${(err as Error)?.stack ?? String(err)}\n`);
      process.exit(EXIT_FAILURE);
    },
  );
}
