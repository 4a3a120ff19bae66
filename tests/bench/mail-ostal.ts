/**
 * Ostal's half of `npm run bench -- mail`, in its own process like the app: the core opened once, then the
 * initial sync as `ostal sync` runs it (headers of every folder, then every body of every folder, stored and indexed;
 * `headersMs` is when the download of bodies starts), a no-change resync and the search queries.
 * mail.ts bundles this file as the app's core is bundled (scripts/build-main.mjs) and runs it with plain Node.
 * Reads its parameters as JSON on stdin, prints figures as JSON on stdout.
 */
import fs from 'node:fs';
import { Core } from '../../src/core.js';
import type { MethodName } from '../../src/shared/contract.js';
import { isMethodName } from '../../src/shared/api-schema.js';

export interface OstalMailFigures {
  headersMs: number;
  fullMs: number;
  resyncMs: number;
  searchMs: number[];
  count: number;
  bodies: number;
  rssPeak: number;
  /** Resident memory of the core once opened with its account, before the initial sync. */
  rssBeforeSync: number;
  /** Resident memory of the core once the initial sync is over (the app keeps running with it). */
  rssAfterSync: number;
}

interface Input {
  profileDir: string;
  email: string;
  password: string;
  imapPort: number;
  smtpPort: number;
  queries: string[];
}

/** OSTAL_BENCH_CPU_LOG=file: CPU time of the initial sync, memory by kind and CPU per thread (one block per run). */
function logCpu(file: string, wallMs: number, cpu: NodeJS.CpuUsage): void {
  const mib = (n: number) => Math.round(n / 1048576);
  const lines = [
    `${new Date().toISOString()}\twall ${wallMs.toFixed(0)} ms\tuser ${(cpu.user / 1000).toFixed(0)} ms\tsystem ${(cpu.system / 1000).toFixed(0)} ms`,
  ];
  lines.push(`  memory (Mio) ${JSON.stringify(Object.fromEntries(Object.entries(process.memoryUsage()).map(([k, v]) => [k, mib(v)])))}`);
  for (const tid of fs.readdirSync('/proc/self/task')) {
    const stat = fs.readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    lines.push(
      `  thread ${tid} ${stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'))}: user ${Number(fields[11]) * 10} ms, system ${Number(fields[12]) * 10} ms`,
    );
  }
  fs.appendFileSync(file, `${lines.join('\n')}\n`);
}

async function main(): Promise<void> {
  const input = JSON.parse(fs.readFileSync(0, 'utf8')) as Input;
  const core = await Core.open({ profileDir: input.profileDir, mode: 'cli', policyPath: null });
  const out: OstalMailFigures = {
    headersMs: 0,
    fullMs: 0,
    resyncMs: 0,
    searchMs: [],
    count: 0,
    bodies: 0,
    rssPeak: 0,
    rssBeforeSync: 0,
    rssAfterSync: 0,
  };
  const sampler = setInterval(() => (out.rssPeak = Math.max(out.rssPeak, process.memoryUsage().rss)), 50);
  try {
    await core.handle('accounts.add', {
      email: input.email,
      password: input.password,
      settings: { imap: `imap://localhost:${input.imapPort}`, smtp: `smtp://localhost:${input.smtpPort}` },
    });
    out.rssBeforeSync = process.memoryUsage().rss;
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    const off = core.onEvent((event, data) => {
      const label = (data as { progress?: { label?: string } | null })?.progress?.label ?? '';
      if (event === 'status.changed' && !out.headersMs && label.startsWith('Téléchargement')) out.headersMs = performance.now() - t0;
    });
    const report = await core.handle('sync.run', { only: 'mail' });
    off();
    if (!report.accounts.every((a) => a.ok)) throw new Error(JSON.stringify(report));
    out.fullMs = performance.now() - t0;
    if (process.env.OSTAL_BENCH_CPU_LOG) logCpu(process.env.OSTAL_BENCH_CPU_LOG, out.fullMs, process.cpuUsage(cpu0));
    // Headers and bodies fetched in one pass (no download phase after the headers): every header is there at the end.
    if (!out.headersMs) out.headersMs = out.fullMs;
    out.rssAfterSync = process.memoryUsage().rss;
    const folders = (await core.handle('status.cli', {})).accounts[0].folders;
    out.count = folders.reduce((n, f) => n + f.total, 0);
    out.bodies = folders.reduce((n, f) => n + f.bodiesCached, 0);
    const t1 = performance.now();
    await core.handle('sync.run', { only: 'mail' });
    out.resyncMs = performance.now() - t1;
    if (isMethodName('mail.search')) {
      const call = core.handle.bind(core) as (m: MethodName, p: unknown) => Promise<unknown>;
      for (const query of input.queries) {
        const t = performance.now();
        await call('mail.search' as MethodName, { query, limit: 50 });
        out.searchMs.push(performance.now() - t);
      }
    }
  } finally {
    clearInterval(sampler);
    await core.close();
  }
  process.stdout.write(JSON.stringify(out));
}

void main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
