/** Process and port plumbing for the test servers: PIDs, descendants, free ports, waiting. */
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import dgram from 'node:dgram';

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** True when the process exists and is not a zombie. */
export function isAlive(pid: number): boolean {
  if (!pid || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

/** Every descendant PID of `pid` (children, grandchildren…), read from /proc. */
export function descendants(pid: number): number[] {
  const parentOf = new Map<number, number[]>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const list = parentOf.get(ppid) ?? [];
      list.push(Number(entry));
      parentOf.set(ppid, list);
    } catch {
      /* process vanished */
    }
  }
  const out: number[] = [];
  const stack = [pid];
  while (stack.length > 0) {
    const p = stack.pop() as number;
    for (const c of parentOf.get(p) ?? []) {
      out.push(c);
      stack.push(c);
    }
  }
  return out;
}

export function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    /* already gone */
  }
}

/** Waits until every PID is gone; returns those still alive after the timeout. */
export async function waitGone(pids: number[], timeoutMs: number): Promise<number[]> {
  const end = Date.now() + timeoutMs;
  let alive = pids.filter(isAlive);
  while (alive.length > 0 && Date.now() < end) {
    await sleep(50);
    alive = alive.filter(isAlive);
  }
  return alive;
}

/** SIGTERM `pid` (and its descendants if they outlive it), then SIGKILL whatever remains. */
export async function terminateTree(pid: number, opts: { alreadySignalled?: boolean } = {}): Promise<void> {
  if (!pid) return;
  const tree = [pid, ...descendants(pid)];
  if (!opts.alreadySignalled) signal(pid, 'SIGTERM');
  let alive = await waitGone([pid], 5000);
  for (const p of alive) signal(p, 'SIGKILL');
  // Children of a dead master usually exit on their own; give them a moment, then force.
  alive = await waitGone(tree, 2000);
  for (const p of alive) signal(p, 'SIGTERM');
  alive = await waitGone(alive, 1000);
  for (const p of alive) signal(p, 'SIGKILL');
  await waitGone(alive, 1000);
}

export function readPid(file: string): number {
  try {
    const n = Number(fs.readFileSync(file, 'utf8').trim());
    return Number.isInteger(n) && n > 0 ? n : 0;
  } catch {
    return 0;
  }
}

function tcpFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

function udpFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = dgram.createSocket('udp4');
    s.once('error', () => {
      s.close();
      resolve(false);
    });
    s.bind(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

function ephemeralRange(): [number, number] {
  try {
    const [lo, hi] = fs.readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    if (lo && hi) return [lo, hi];
  } catch {
    /* not Linux */
  }
  return [32768, 60999];
}

/**
 * `count` distinct free high ports on 127.0.0.1 (TCP, and UDP too when `udp`), chosen outside the
 * kernel's ephemeral range so that no outgoing connection grabs one between check and bind.
 */
export async function freePorts(count: number, udp = false): Promise<number[]> {
  const out: number[] = [];
  const taken = new Set<number>();
  let tries = 0;
  while (out.length < count) {
    if (++tries > 500) throw new Error('no free loopback port found');
    const [lo, hi] = ephemeralRange();
    // 10000…(ephemeral low - 1), or above the ephemeral range if that leaves more room.
    const below = lo - 10000;
    const above = 65535 - hi;
    const port = below >= above ? 10000 + Math.floor(Math.random() * below) : hi + 1 + Math.floor(Math.random() * above);
    if (taken.has(port)) continue;
    taken.add(port);
    if (!(await tcpFree(port))) continue;
    if (udp && !(await udpFree(port))) continue;
    out.push(port);
  }
  return out;
}

export function portAnswers(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = net.connect({ port, host });
    const done = (ok: boolean): void => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(500, () => done(false));
    sock.once('connect', () => done(true));
    sock.once('error', () => done(false));
  });
}

/** Connects and resolves with the first line the server sends (or '' on error/timeout). */
export function greeting(port: number, timeoutMs = 1000): Promise<string> {
  return new Promise((resolve) => {
    const sock = net.connect({ port, host: '127.0.0.1' });
    let buf = '';
    const done = (line: string): void => {
      sock.destroy();
      resolve(line);
    };
    sock.setTimeout(timeoutMs, () => done(''));
    sock.on('data', (c: Buffer) => {
      buf += c.toString('latin1');
      const i = buf.indexOf('\n');
      if (i >= 0) done(buf.slice(0, i).trim());
    });
    sock.once('error', () => done(''));
  });
}

export function logTail(file: string, lines = 20): string {
  try {
    const text = fs.readFileSync(file, 'utf8').trimEnd().split('\n');
    return text.slice(-lines).join('\n');
  } catch {
    return `(no log at ${file})`;
  }
}

/** Polls every 100 ms until each port accepts a TCP connection. */
export async function waitPorts(
  what: string,
  ports: number[],
  logFiles: string[],
  timeoutMs = 12_000,
  stillRunning?: () => boolean,
): Promise<void> {
  const end = Date.now() + timeoutMs;
  const pending = new Set(ports);
  while (pending.size > 0) {
    for (const p of [...pending]) if (await portAnswers(p)) pending.delete(p);
    if (pending.size === 0) return;
    const dead = stillRunning !== undefined && !stillRunning();
    if (dead || Date.now() > end) {
      const tails = logFiles.map((f) => `--- ${f}\n${logTail(f)}`).join('\n');
      throw new Error(
        `${what}: port(s) ${[...pending].join(', ')} ${dead ? 'not answering, the daemon exited' : `not answering after ${timeoutMs} ms`}\n${tails}`,
      );
    }
    await sleep(100);
  }
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function run(cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv; input?: string } = {}): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = execFile(cmd, args, { env: opts.env ?? process.env, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) + (err && code === 1 && !stderr ? String(err.message) : '') });
    });
    if (opts.input !== undefined) child.stdin?.end(opts.input);
  });
}

/**
 * Runs a command that daemonizes (dovecot, apache2, postfix start): its output goes to `logFile`,
 * not to pipes, because the daemon it leaves behind may keep inherited pipes open forever.
 */
export function runDaemonizing(cmd: string, args: string[], logFile: string, env?: NodeJS.ProcessEnv): Promise<RunResult> {
  return new Promise((resolve) => {
    const before = fs.existsSync(logFile) ? fs.statSync(logFile).size : 0;
    const fd = fs.openSync(logFile, 'a');
    const child = spawn(cmd, args, { stdio: ['ignore', fd, fd], env: env ?? process.env });
    fs.closeSync(fd);
    const finish = (code: number, extra = ''): void => {
      let out = '';
      try {
        out = fs.readFileSync(logFile, 'utf8').slice(before);
      } catch {
        /* no log */
      }
      resolve({ code, stdout: '', stderr: out + extra });
    };
    child.once('error', (e) => finish(127, String(e)));
    child.once('exit', (code, sig) => finish(code ?? (sig ? 128 : 1)));
  });
}

export async function runOk(cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv; input?: string } = {}): Promise<string> {
  const r = await run(cmd, args, opts);
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.code}): ${r.stderr || r.stdout}`);
  return r.stdout;
}
