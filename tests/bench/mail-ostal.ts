/**
 * Ostal's half of `npm run bench -- mail`, in its own process like the app: the core opened once, then the
 * initial sync as `ostal sync` runs it (headers of every folder, then every body of every folder, stored and indexed;
 * `headersMs` is when the download of bodies starts), a no-change resync and the search queries.
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
  /** Resident memory of the core once the initial sync is over (the app keeps running with it). */
  rssAfterSync: number;
}

const input = JSON.parse(fs.readFileSync(0, 'utf8')) as {
  profileDir: string;
  email: string;
  password: string;
  imapPort: number;
  smtpPort: number;
  queries: string[];
};
const core = await Core.open({ profileDir: input.profileDir, mode: 'cli', policyPath: null });
const out: OstalMailFigures = { headersMs: 0, fullMs: 0, resyncMs: 0, searchMs: [], count: 0, bodies: 0, rssPeak: 0, rssAfterSync: 0 };
const sampler = setInterval(() => (out.rssPeak = Math.max(out.rssPeak, process.memoryUsage().rss)), 50);
try {
  await core.handle('accounts.add', {
    email: input.email,
    password: input.password,
    settings: { imap: `imap://localhost:${input.imapPort}`, smtp: `smtp://localhost:${input.smtpPort}` },
  });
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
  // OSTAL_BENCH_CPU_LOG=file: the CPU time of the initial sync (user and system, every thread of the process), one line.
  if (process.env.OSTAL_BENCH_CPU_LOG) {
    const cpu = process.cpuUsage(cpu0);
    const line = `${new Date().toISOString()}\twall ${out.fullMs.toFixed(0)} ms\tuser ${(cpu.user / 1000).toFixed(0)} ms\tsystem ${(cpu.system / 1000).toFixed(0)} ms\n`;
    fs.appendFileSync(process.env.OSTAL_BENCH_CPU_LOG, line);
  }
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
