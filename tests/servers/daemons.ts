/**
 * Prepares a run folder (configs, data, ownership) and starts/stops each daemon of a run.
 * Every daemon is its own process tree; stopping is by the PID it wrote (or we recorded).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  apacheConf,
  apacheHtpasswd,
  autoconfigXml,
  dnsZone,
  dovecotConf,
  dovecotUsers,
  postfixMain,
  postfixMaster,
  postfixTestMailboxes,
  postfixVirtualMailboxes,
  radicaleConf,
  radicaleUsers,
  radicaleRights,
  prosodyAccount,
  prosodyConf,
  SHARED_DAV_FOLDER,
  SHARED_CALDAV_FOLDER,
  type RunPorts,
} from './configs.js';
import type { RunLayout } from './layout.js';
import { greeting, isAlive, readPid, run, runDaemonizing, sleep, terminateTree, waitGone, waitPorts } from './proc.js';
import type { ServerName, ServersInfo, TestUser } from './types.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = path.resolve(HERE, '..', '..');

/** Debian's own python3 and tools first: a pyenv python3 does not see Radicale's modules. */
export function systemEnv(): NodeJS.ProcessEnv {
  return { ...process.env, PATH: `/usr/sbin:/usr/bin:/sbin:/bin:${process.env.PATH ?? ''}`, LANG: 'C.UTF-8' };
}

interface Ids {
  uid: number;
  gid: number;
}

function lookupIds(user: string): Ids | undefined {
  const line = fs
    .readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${user}:`));
  if (!line) return undefined;
  const parts = line.split(':');
  return { uid: Number(parts[2]), gid: Number(parts[3]) };
}

/** The system user owning the Maildirs; created (no home, no shell) when missing. */
export async function ensureVmailUser(): Promise<Ids> {
  let ids = lookupIds('vmail');
  if (!ids) {
    if (process.getuid?.() !== 0) throw new Error('system user "vmail" is missing and we are not root to create it');
    const r = await run(
      'useradd',
      ['--system', '--user-group', '--no-create-home', '--home-dir', '/nonexistent', '--shell', '/usr/sbin/nologin', 'vmail'],
      { env: systemEnv() },
    );
    // Another run may have created it at the same moment.
    ids = lookupIds('vmail');
    if (!ids) throw new Error(`cannot create user vmail: ${r.stderr}`);
  }
  return ids;
}

function requireIds(user: string): Ids {
  const ids = lookupIds(user);
  if (!ids) throw new Error(`system user "${user}" is missing (is its Debian package installed?)`);
  return ids;
}

function mkdir(dir: string, mode = 0o755, owner?: Ids): void {
  fs.mkdirSync(dir, { recursive: true });
  fs.chmodSync(dir, mode);
  if (owner) fs.chownSync(dir, owner.uid, owner.gid);
}

function write(file: string, text: string, mode = 0o644, owner?: Ids): void {
  fs.writeFileSync(file, text);
  fs.chmodSync(file, mode);
  if (owner) fs.chownSync(file, owner.uid, owner.gid);
}

/** Writes every config file and data folder of the run (certificates are made separately). */
export async function prepareRun(l: RunLayout, ports: RunPorts, users: readonly TestUser[]): Promise<void> {
  const vmail = await ensureVmailUser();
  const postfixIds = requireIds('postfix');
  const www = requireIds('www-data');
  requireIds('dovecot');
  requireIds('dovenull');

  mkdir(l.logs);
  // Dovecot
  mkdir(path.dirname(l.dovecot.conf));
  mkdir(l.dovecot.baseDir);
  mkdir(l.dovecot.stateDir);
  mkdir(l.dovecot.mail, 0o755, vmail);
  write(l.dovecot.conf, dovecotConf(l, ports, vmail));
  write(l.dovecot.users, dovecotUsers(users), 0o640, { uid: 0, gid: requireIds('dovecot').gid });
  // Home folders (userdb home=<mail>/<domain>/<user>) must exist before ManageSieve writes ~/sieve.
  for (const u of users) {
    const [local, domain] = u.username.toLowerCase().split('@') as [string, string];
    mkdir(path.join(l.dovecot.mail, domain), 0o755, vmail);
    mkdir(path.join(l.dovecot.mail, domain, local), 0o700, vmail);
  }
  // Postfix
  mkdir(l.postfix.etc);
  mkdir(l.postfix.queue);
  mkdir(l.postfix.data, 0o700, postfixIds);
  write(path.join(l.postfix.etc, 'main.cf'), postfixMain(l));
  write(path.join(l.postfix.etc, 'master.cf'), postfixMaster(ports));
  write(path.join(l.postfix.etc, 'vmailbox'), postfixVirtualMailboxes(users));
  write(path.join(l.postfix.etc, 'vmailbox-tests'), postfixTestMailboxes());
  // Postfix refuses to append to a log file it cannot open as root: create it now.
  write(l.postfix.log, '', 0o644);
  // Radicale
  mkdir(path.dirname(l.radicale.conf));
  mkdir(l.radicale.storage, 0o700);
  write(l.radicale.conf, radicaleConf(l, ports));
  write(l.radicale.users, radicaleUsers(users), 0o600);
  write(l.radicale.rights, radicaleRights(), 0o600);
  // The shared root (a plain collection: a folder of the storage); the spaces' calendars are made in it.
  mkdir(path.join(l.radicale.storage, 'collection-root', SHARED_CALDAV_FOLDER), 0o700);
  // Apache
  mkdir(l.apache.root);
  mkdir(l.apache.runDir);
  mkdir(l.apache.lockDir, 0o755, www);
  mkdir(path.join(l.apache.htdocs, 'mail'));
  mkdir(l.apache.dav, 0o755, www);
  for (const u of users) mkdir(path.join(l.apache.dav, u.username), 0o755, www);
  mkdir(path.join(l.apache.dav, SHARED_DAV_FOLDER), 0o755, www);
  write(path.join(l.apache.htdocs, 'mail', 'config-v1.1.xml'), autoconfigXml(ports));
  write(l.apache.htpasswd, apacheHtpasswd(users), 0o640, { uid: 0, gid: www.gid });
  write(l.apache.conf, apacheConf(l, ports, users));
  // Prosody: accounts written straight into its internal_plain storage (host folder name is escaped: '.' → %2e).
  const prosody = requireIds('prosody');
  mkdir(path.dirname(l.prosody.conf));
  mkdir(l.prosody.run, 0o750, prosody);
  mkdir(l.prosody.tls, 0o750, prosody);
  const accounts = path.join(
    l.prosody.data,
    `${encodeURIComponent(users[0]?.email.split('@')[1] ?? '').replace(/\./g, '%2e')}`,
    'accounts',
  );
  mkdir(l.prosody.data, 0o750, prosody);
  mkdir(path.dirname(accounts), 0o750, prosody);
  mkdir(accounts, 0o750, prosody);
  for (const u of users) {
    const a = prosodyAccount(u);
    write(path.join(accounts, a.file), a.text, 0o640, prosody);
  }
  write(l.prosody.conf, prosodyConf(l, ports));
  // DNS
  mkdir(path.dirname(l.dns.conf));
  write(l.dns.conf, JSON.stringify(dnsZone(ports), null, 2));
}

function failWithLogs(what: string, detail: string, logs: string[]): never {
  const tails = logs
    .map((f) => {
      try {
        return `--- ${f}\n${fs.readFileSync(f, 'utf8').trimEnd().split('\n').slice(-20).join('\n')}`;
      } catch {
        return `--- ${f} (absent)`;
      }
    })
    .join('\n');
  throw new Error(`${what}: ${detail}\n${tails}`);
}

async function waitPidFile(file: string, timeoutMs = 5000): Promise<number> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const pid = readPid(file);
    if (pid && isAlive(pid)) return pid;
    if (Date.now() > end) return 0;
    await sleep(50);
  }
}

function spawnDetached(cmd: string, args: string[], logFile: string, cwd?: string): number {
  const fd = fs.openSync(logFile, 'a');
  const child = spawn(cmd, args, { detached: true, stdio: ['ignore', fd, fd], env: systemEnv(), cwd });
  fs.closeSync(fd);
  child.unref();
  if (!child.pid) throw new Error(`cannot spawn ${cmd}`);
  return child.pid;
}

type Starter = (l: RunLayout, info: ServersInfo) => Promise<number>;

const starters: Record<ServerName, Starter> = {
  async imap(l, info) {
    fs.rmSync(l.dovecot.pidFile, { force: true });
    fs.rmSync(path.join(l.dovecot.baseDir, 'anvil-auth-penalty'), { force: true });
    const r = await runDaemonizing('dovecot', ['-c', l.dovecot.conf], path.join(l.logs, 'dovecot-start.log'), systemEnv());
    if (r.code !== 0) failWithLogs('dovecot', `exit ${r.code}: ${r.stderr}`, [l.dovecot.log]);
    const pid = await waitPidFile(l.dovecot.pidFile);
    if (!pid) failWithLogs('dovecot', 'no master.pid written', [l.dovecot.log]);
    await waitPorts('dovecot', [info.imap.port, info.imap.tlsPort, info.sieve.port], [l.dovecot.log], 12_000, () => isAlive(pid));
    // Until imap-login has its auth connection, clients get "* OK Waiting for authentication
    // process to respond.." and a login stalls for seconds: wait for the real greeting.
    const end = Date.now() + 12_000;
    for (;;) {
      const line = await greeting(info.imap.port);
      if (line.includes('Ostal test IMAP ready')) break;
      if (Date.now() > end || !isAlive(pid)) failWithLogs('dovecot', `no ready greeting (last: ${line})`, [l.dovecot.log]);
      await sleep(100);
    }
    return pid;
  },
  async smtp(l, info) {
    const r = await runDaemonizing('postfix', ['-c', l.postfix.etc, 'start'], l.postfix.stderr, systemEnv());
    if (r.code !== 0) failWithLogs('postfix', `exit ${r.code}: ${r.stderr}`, [l.postfix.log]);
    const pid = await waitPidFile(l.postfix.pidFile);
    if (!pid) failWithLogs('postfix', 'no master.pid written', [l.postfix.log, l.postfix.stderr]);
    await waitPorts('postfix', [info.smtp.port, info.smtp.tlsPort, info.sieve.relayPort], [l.postfix.log, l.postfix.stderr], 12_000, () =>
      isAlive(pid),
    );
    return pid;
  },
  async radicale(l, info) {
    const pid = spawnDetached('/usr/bin/python3', ['/usr/bin/radicale', '--config', l.radicale.conf], l.radicale.log);
    fs.writeFileSync(l.radicale.pidFile, `${pid}\n`);
    await waitPorts('radicale', [info.radicale.port], [l.radicale.log], 12_000, () => isAlive(pid));
    return pid;
  },
  async apache(l, info) {
    fs.rmSync(l.apache.pidFile, { force: true });
    const r = await runDaemonizing('apache2', ['-f', l.apache.conf, '-k', 'start'], path.join(l.logs, 'apache-start.log'), systemEnv());
    if (r.code !== 0) failWithLogs('apache2', `exit ${r.code}: ${r.stderr}`, [l.apache.errorLog]);
    const pid = await waitPidFile(l.apache.pidFile);
    if (!pid) failWithLogs('apache2', 'no PidFile written', [l.apache.errorLog]);
    await waitPorts('apache2', [info.apache.port], [l.apache.errorLog], 12_000, () => isAlive(pid));
    return pid;
  },
  async prosody(l, info) {
    // The certificates are made alongside prepareRun: copy them for the prosody user now.
    const ids = requireIds('prosody');
    for (const [from, to, mode] of [
      [l.tls.cert, 'server.crt', 0o644],
      [l.tls.key, 'server.key', 0o600],
    ] as const) {
      fs.copyFileSync(from, path.join(l.prosody.tls, to));
      fs.chmodSync(path.join(l.prosody.tls, to), mode);
      fs.chownSync(path.join(l.prosody.tls, to), ids.uid, ids.gid);
    }
    fs.rmSync(l.prosody.pidFile, { force: true });
    const r = await runDaemonizing(
      'prosodyctl',
      ['--config', l.prosody.conf, 'start'],
      path.join(l.logs, 'prosody-start.log'),
      systemEnv(),
    );
    if (r.code !== 0) failWithLogs('prosody', `exit ${r.code}: ${r.stderr}`, [l.prosody.log, l.prosody.errorLog]);
    const pid = await waitPidFile(l.prosody.pidFile);
    if (!pid) failWithLogs('prosody', 'no pid file written', [l.prosody.log, l.prosody.errorLog]);
    await waitPorts('prosody', [info.prosody.port, info.prosody.httpsPort], [l.prosody.log, l.prosody.errorLog], 12_000, () =>
      isAlive(pid),
    );
    return pid;
  },
  async dns(l, info) {
    const script = path.join(HERE, 'dns.ts');
    const pid = spawnDetached(process.execPath, ['--import', 'tsx', script, l.dns.conf, l.dns.log], l.dns.log, REPO_ROOT);
    fs.writeFileSync(l.dns.pidFile, `${pid}\n`);
    await waitPorts('dns', [info.dns.port], [l.dns.log], 12_000, () => isAlive(pid));
    return pid;
  },
};

export async function startDaemon(l: RunLayout, info: ServersInfo, name: ServerName): Promise<number> {
  const pid = await starters[name](l, info);
  info[name].pid = pid;
  return pid;
}

const COMMANDS: Record<ServerName, RegExp> = {
  imap: /dovecot/,
  smtp: /postfix|master/,
  radicale: /radicale/,
  apache: /apache2/,
  dns: /dns\.ts/,
  prosody: /lua5\.4|prosody/,
};

/**
 * Guards against a stale PID file whose number now belongs to another process: the process must be this kind of
 * daemon and belong to this run — its command line names the run's folder (dovecot -c, apache2 -f, radicale --config,
 * dns.ts) or it works inside it (Postfix's master, Prosody). The kind alone is not enough: PIDs wrap at 32 768 here,
 * and a pruned old run whose recorded DNS PID had been given to another live run's dns.ts stopped that one (seen as
 * « ECONNREFUSED » from the test DNS in the middle of an e2e run, discovery then failing).
 */
function isDaemon(pid: number, name: ServerName, l: RunLayout): boolean {
  if (!isAlive(pid)) return false;
  try {
    const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
    if (!COMMANDS[name].test(cmdline)) return false;
    const inRun = (p: string) => p === l.dir || p.startsWith(`${l.dir}/`);
    return cmdline.split(' ').some(inRun) || inRun(fs.readlinkSync(`/proc/${pid}/cwd`));
  } catch {
    return false;
  }
}

/** Stops one daemon and everything it spawned; resolves once all of it is gone. */
export async function stopDaemon(l: RunLayout, info: ServersInfo, name: ServerName): Promise<void> {
  const pidFiles: Record<ServerName, string> = {
    imap: l.dovecot.pidFile,
    smtp: l.postfix.pidFile,
    radicale: l.radicale.pidFile,
    apache: l.apache.pidFile,
    dns: l.dns.pidFile,
    prosody: l.prosody.pidFile,
  };
  // A run started before Prosody was added has no `prosody` entry in its servers.json.
  const candidates = [info[name]?.pid ?? 0, readPid(pidFiles[name])].filter(
    (p, i, a) => p > 0 && a.indexOf(p) === i && isDaemon(p, name, l),
  );
  if (name === 'smtp' && candidates.some(isAlive)) {
    // `postfix stop` asks master to shut its children down cleanly; the PID wait follows.
    await runDaemonizing('postfix', ['-c', l.postfix.etc, 'stop'], l.postfix.stderr, systemEnv());
    await waitGone(candidates, 5000);
  }
  for (const pid of candidates) await terminateTree(pid);
  if (info[name]) info[name].pid = 0;
}

/** Processes of this run still alive (by recorded PIDs and their descendants). */
export function livePids(l: RunLayout, info: ServersInfo): number[] {
  const pids = [
    info.imap.pid,
    info.smtp.pid,
    info.radicale.pid,
    info.apache.pid,
    info.dns.pid,
    info.prosody?.pid ?? 0,
    readPid(l.dovecot.pidFile),
    readPid(l.postfix.pidFile),
    readPid(l.radicale.pidFile),
    readPid(l.apache.pidFile),
    readPid(l.dns.pidFile),
    readPid(l.prosody.pidFile),
  ];
  const names: ServerName[] = ['imap', 'smtp', 'radicale', 'apache', 'dns', 'prosody'];
  return [...new Set(pids.filter((p, i) => p > 0 && isDaemon(p, names[i % 6] as ServerName, l)))];
}
