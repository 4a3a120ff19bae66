import fs from 'node:fs';
import path from 'node:path';

export interface BenchRow {
  measure: string;
  /** Milliseconds, or null when not measured. */
  ostal: number | null;
  peer: number | null;
  peerName: string;
}

export function timed(fn: () => unknown): number {
  const t = performance.now();
  fn();
  return performance.now() - t;
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

const fmt = (ms: number | null): string =>
  ms === null ? '—' : ms >= 1000 ? `${(ms / 1000).toFixed(2).replace('.', ',')} s` : `${ms.toFixed(1).replace('.', ',')} ms`;

export function printTable(title: string, rows: BenchRow[]): void {
  const lines = [
    ['Mesure', 'Ostal', 'Outil de référence', 'Référence'],
    ...rows.map((r) => [r.measure, fmt(r.ostal), r.peerName || '—', fmt(r.peer)]),
  ];
  const widths = lines[0].map((_, i) => Math.max(...lines.map((l) => l[i].length)));
  process.stdout.write(`\n${title}\n`);
  for (const [i, l] of lines.entries()) {
    process.stdout.write(l.map((c, k) => c.padEnd(widths[k])).join(' | ') + '\n');
    if (i === 0) process.stdout.write(widths.map((w) => '-'.repeat(w)).join('-|-') + '\n');
  }
}

export function writeJson(name: string, data: unknown): string {
  const dir = path.join(process.cwd(), 'test-results', 'bench');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${name}.json`);
  fs.writeFileSync(file, JSON.stringify({ date: new Date().toISOString(), ...(data as object) }, null, 2));
  process.stdout.write(`JSON : ${file}\n`);
  return file;
}
