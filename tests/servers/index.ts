/**
 * Real test servers of Ostal, started on 127.0.0.1 high ports, each run in its own folder
 * (/tmp/ostal-srv-XXXXXX by default, so a demo run and a test run can coexist):
 * Dovecot (IMAP STARTTLS + IMAPS, LMTP), Postfix (submission STARTTLS + implicit TLS, SASL via
 * Dovecot, delivery by LMTP), Radicale (CalDAV/CardDAV over HTTPS), Apache mod_dav (WebDAV over
 * HTTPS + Thunderbird autoconfig file) and a tiny DNS server (SRV/TXT/A for ostal.test).
 * Must run as root (it creates the `vmail` user, starts daemons that drop privileges); no systemd.
 *
 * ## How TLS trust works (the choice made here)
 *
 * Each run makes its own CA (`info.caCertPath`, PEM). Node reads NODE_EXTRA_CA_CERTS only when a
 * process starts, so:
 *  1. Preferred: start the servers FIRST (`npm run servers -- start --seed test`, or the test
 *     script), then export `OSTAL_TEST_SERVERS=<dir>/servers.json` and
 *     `NODE_EXTRA_CA_CERTS=<info.caCertPath>` before spawning vitest/Playwright/Ostal. Then every
 *     process, including the code under test, trusts the servers with no special code.
 *  2. Standalone `npx vitest run …`: the vitest globalSetup (vitest-global-setup.ts) starts a run
 *     and sets OSTAL_TEST_SERVERS and NODE_EXTRA_CA_CERTS in the vitest main process *before* the
 *     fork workers are spawned (pool: 'forks'); workers inherit them, so NODE_EXTRA_CA_CERTS is
 *     honoured in test files too (tests/integration/servers.test.ts checks this). Tests that want
 *     to be explicit pass `ca: caCert()` (tests/servers/testing.ts) or rely on the env var.
 *  The code under test never needs a test-only switch: it trusts the system store plus
 *  NODE_EXTRA_CA_CERTS, exactly as in production.
 *
 * ## Environment variables
 *  - OSTAL_TEST_SERVERS: path of a servers.json of a running run; globalSetup reuses it (and does
 *    not stop it at the end) instead of starting its own.
 *  - NODE_EXTRA_CA_CERTS: set to the run's CA by globalSetup / the scripts (see above).
 *  - OSTAL_DNS_SERVERS=127.0.0.1:<info.dns.port>: how the app's discovery should be pointed at the
 *    test DNS server (read by the discovery code, not here).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { MUC_SERVICE, SHARED_CALDAV_FOLDER, SHARED_DAV_FOLDER, UPLOAD_SERVICE, type RunPorts } from './configs.js';
import { prepareRun, startDaemon, stopDaemon, livePids, systemEnv } from './daemons.js';
import { runLayout } from './layout.js';
import { freePorts, isAlive, waitGone } from './proc.js';
import { makeCertificates } from './tls.js';
import type { ServerName, ServersInfo } from './types.js';
import { TEST_DOMAIN, TEST_USERS } from './users.js';
import { seedServers } from './seed.js';

export type { ServerName, ServersInfo, TestUser } from './types.js';
export { TEST_USERS, TEST_DOMAIN } from './users.js';
export { seedServers, seedPlan, SEED_COUNTS, DEMO_COUNTS, SEED_COLLECTIONS, SEED_FOLDERS } from './seed.js';
export type { SeedCounts, UserSeedCounts, FolderCount, SeedFolder } from './seed.js';

export const SERVER_NAMES: readonly ServerName[] = ['dns', 'imap', 'smtp', 'radicale', 'apache', 'prosody'];

/** Binary (or file) that proves a Debian package is installed. */
const REQUIRED: ReadonlyArray<[file: string, pkg: string]> = [
  ['/usr/sbin/dovecot', 'dovecot-imapd'],
  ['/usr/lib/dovecot/imap', 'dovecot-imapd'],
  ['/usr/lib/dovecot/lmtp', 'dovecot-lmtpd'],
  ['/usr/sbin/postfix', 'postfix'],
  ['/usr/bin/radicale', 'radicale'],
  ['/usr/sbin/apache2', 'apache2'],
  ['/usr/lib/apache2/modules/mod_dav_fs.so', 'apache2'],
  ['/usr/bin/htpasswd', 'apache2-utils'],
  ['/usr/lib/python3/dist-packages/bcrypt', 'python3-bcrypt'],
  ['/usr/bin/openssl', 'openssl'],
  ['/usr/bin/prosodyctl', 'prosody'],
  ['/usr/lib/x86_64-linux-gnu/lua/5.4/lunbound.so', 'lua-unbound'],
];

let aptUpdated = false;

/** Installs the missing Debian packages (as root, apt-get update at most once); throws if not root. */
export function ensureInstalled(): void {
  const missing = [...new Set(REQUIRED.filter(([f]) => !fs.existsSync(f)).map(([, p]) => p))];
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0) {
    throw new Error(
      `Test servers need Debian packages that are missing: ${missing.join(' ')}. ` + `Run as root: apt-get install -y ${missing.join(' ')}`,
    );
  }
  const env = { ...systemEnv(), DEBIAN_FRONTEND: 'noninteractive' };
  if (!aptUpdated) {
    execFileSync('apt-get', ['update'], { env, stdio: ['ignore', 'ignore', 'inherit'] });
    aptUpdated = true;
  }
  execFileSync('apt-get', ['install', '-y', '--no-install-recommends', ...missing], {
    env,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const still = REQUIRED.filter(([f]) => !fs.existsSync(f)).map(([f]) => f);
  if (still.length > 0) throw new Error(`apt-get install did not provide: ${still.join(', ')}`);
}

function checkTraversable(dir: string): void {
  let d = path.dirname(dir);
  for (;;) {
    const mode = fs.statSync(d).mode;
    if ((mode & 0o001) === 0) {
      throw new Error(`${d} is not world-traversable (mode ${(mode & 0o777).toString(8)}): Postfix and Dovecot cannot reach ${dir}`);
    }
    const parent = path.dirname(d);
    if (parent === d) return;
    d = parent;
  }
}

export function readServersInfo(dirOrFile: string): ServersInfo {
  const file = dirOrFile.endsWith('.json') ? dirOrFile : path.join(dirOrFile, 'servers.json');
  return JSON.parse(fs.readFileSync(file, 'utf8')) as ServersInfo;
}

function writeServersInfo(info: ServersInfo): void {
  const l = runLayout(info.dir);
  const tmp = `${l.serversJson}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(info, null, 2) + '\n');
  fs.renameSync(tmp, l.serversJson);
}

function prepareDir(dir: string | undefined): string {
  if (!dir) {
    const d = fs.mkdtempSync('/tmp/ostal-srv-');
    fs.chmodSync(d, 0o755);
    return d;
  }
  const abs = path.resolve(dir);
  if (fs.existsSync(abs)) {
    const entries = fs.readdirSync(abs);
    if (entries.length > 0) {
      if (!entries.includes('servers.json')) throw new Error(`${abs} is not empty and holds no servers.json: refusing to reuse it`);
      const old = readServersInfo(abs);
      if (livePids(runLayout(abs), old).length > 0) throw new Error(`servers of ${abs} are still running: stop them first`);
      for (const e of entries) fs.rmSync(path.join(abs, e), { recursive: true, force: true });
    }
  } else {
    fs.mkdirSync(abs, { recursive: true });
  }
  fs.chmodSync(abs, 0o755);
  return abs;
}

/**
 * Starts every server of a new run; see the file header. Resolves once every port answers.
 * A port taken by someone else between choice and bind makes it retry with new ports (3 tries).
 */
export interface StartOptions {
  /** Run folder (created, or reused if it only holds a stopped run); default /tmp/ostal-srv-XXXXXX. */
  dir?: string;
  /** Data to seed; default 'test'. */
  seed?: 'test' | 'demo' | 'none';
  /** Record this PID as the run's owner: pruneServers() stops the run once that process is gone. */
  ownerPid?: number;
}

export async function startServers(opts: StartOptions = {}): Promise<ServersInfo> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startServersOnce(opts);
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      if (attempt >= 3 || !/address already in use|EADDRINUSE|could not bind/i.test(msg)) throw e;
    }
  }
}

async function startServersOnce(opts: StartOptions): Promise<ServersInfo> {
  ensureInstalled();
  if (process.getuid?.() !== 0) throw new Error('the test servers must be started as root');
  const dir = prepareDir(opts.dir);
  checkTraversable(dir);
  const l = runLayout(dir);
  if (Buffer.byteLength(l.dovecot.authSocket) > 100) throw new Error(`run folder path too long for unix sockets: ${dir}`);

  const [dnsPort] = await freePorts(1, true);
  const [imap, imaps, submission, submissions, radicale, apache, managesieve, relay, xmpp, xmppHttps] = await freePorts(10);
  const ports: RunPorts = {
    dns: dnsPort as number,
    imap: imap as number,
    imaps: imaps as number,
    submission: submission as number,
    submissions: submissions as number,
    radicale: radicale as number,
    apache: apache as number,
    managesieve: managesieve as number,
    relay: relay as number,
    xmpp: xmpp as number,
    xmppHttps: xmppHttps as number,
  };
  const info: ServersInfo = {
    dir,
    domain: TEST_DOMAIN,
    caCertPath: l.tls.caCert,
    host: 'localhost',
    dns: { port: ports.dns, pid: 0 },
    imap: { port: ports.imap, tlsPort: ports.imaps, pid: 0 },
    sieve: { port: ports.managesieve, relayPort: ports.relay },
    smtp: { port: ports.submission, tlsPort: ports.submissions, pid: 0 },
    radicale: { port: ports.radicale, pid: 0 },
    apache: { port: ports.apache, pid: 0 },
    prosody: { port: ports.xmpp, httpsPort: ports.xmppHttps, pid: 0, mucService: MUC_SERVICE, uploadService: UPLOAD_SERVICE },
    sharedWebdavRoot: `https://localhost:${ports.apache}/dav/${SHARED_DAV_FOLDER}/`,
    sharedCaldavRoot: `https://localhost:${ports.radicale}/${SHARED_CALDAV_FOLDER}/`,
    users: TEST_USERS.map((u) => ({ ...u })),
    ...(opts.ownerPid ? { ownerPid: opts.ownerPid } : {}),
  };
  const t0 = Date.now();
  const lap = (what: string): void => {
    if (process.env.OSTAL_SERVERS_DEBUG) process.stderr.write(`[servers] ${what}: ${Date.now() - t0} ms\n`);
  };
  await Promise.all([makeCertificates(l), prepareRun(l, ports, info.users)]);
  writeServersInfo(info);
  lap('configs and certificates');

  const results = await Promise.allSettled(
    SERVER_NAMES.map(async (n) => {
      const pid = await startDaemon(l, info, n);
      lap(`${n} up`);
      return pid;
    }),
  );
  writeServersInfo(info);
  const failed = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as Error] : []));
  if (failed.length > 0) {
    await stopServers(info).catch(() => undefined);
    throw new Error(`test servers failed to start in ${dir}:\n${failed.map((e) => e.message).join('\n\n')}`);
  }
  const seed = opts.seed ?? 'test';
  info.seed = seed;
  if (seed !== 'none') {
    try {
      await seedServers(info, seed);
      writeServersInfo(info);
      lap(`seeded '${seed}'`);
    } catch (e) {
      await stopServers(info).catch(() => undefined);
      throw e;
    }
  }
  return info;
}

function resolveInfo(infoOrDir: ServersInfo | string): ServersInfo {
  return typeof infoOrDir === 'string' ? readServersInfo(infoOrDir) : infoOrDir;
}

/** Stops every daemon of the run by its PIDs and waits until none is left. */
export async function stopServers(infoOrDir: ServersInfo | string): Promise<void> {
  const info = resolveInfo(infoOrDir);
  const l = runLayout(info.dir);
  // Postfix first (it talks to Dovecot's sockets), then the rest in parallel.
  await stopDaemon(l, info, 'smtp');
  await Promise.all((['imap', 'radicale', 'apache', 'dns', 'prosody'] as const).map((n) => stopDaemon(l, info, n)));
  const left = await waitGone(livePids(l, info), 3000);
  if (fs.existsSync(l.dir)) writeServersInfo(info);
  if (left.length > 0) throw new Error(`processes still alive after stopping ${info.dir}: ${left.join(', ')}`);
}

/** Stops one server (same data and port kept for startServer). */
export async function stopServer(info: ServersInfo, name: ServerName): Promise<void> {
  await stopDaemon(runLayout(info.dir), info, name);
  writeServersInfo(info);
}

/** Starts one server again on the same port with the same data; updates info[name].pid and servers.json. */
export async function startServer(info: ServersInfo, name: ServerName): Promise<void> {
  const l = runLayout(info.dir);
  await stopDaemon(l, info, name);
  await startDaemon(l, info, name);
  writeServersInfo(info);
}

/**
 * Stops the runs under /tmp/ostal-srv-* whose owner process (ServersInfo.ownerPid) is gone, e.g.
 * after a test run was killed before its teardown. Runs without an owner (CLI, demo) are left alone.
 * Returns the folders of the runs it stopped.
 */
export async function pruneServers(root = '/tmp'): Promise<string[]> {
  const stopped: string[] = [];
  for (const name of fs.readdirSync(root)) {
    if (!name.startsWith('ostal-srv-')) continue;
    const dir = path.join(root, name);
    let info: ServersInfo;
    try {
      info = readServersInfo(dir);
    } catch {
      continue;
    }
    if (!info.ownerPid || isAlive(info.ownerPid)) continue;
    if (livePids(runLayout(dir), info).length === 0) continue;
    await stopServers(info);
    stopped.push(dir);
  }
  return stopped;
}

/** Which servers of the run are running (by PID). */
export function serverStatus(info: ServersInfo): Record<ServerName, boolean> {
  const l = runLayout(info.dir);
  const live = new Set(livePids(l, info));
  return Object.fromEntries(SERVER_NAMES.map((n) => [n, (info[n]?.pid ?? 0) > 0 && live.has(info[n].pid)])) as Record<ServerName, boolean>;
}
