/**
 * « Quoi de neuf »: the changes of each version in plain French (quoi-de-neuf.md, one `## x.y.z` heading per version,
 * newest first), shown once after an update: the setting 'aide.versionVue' keeps the last version shown.
 */
import { parseHelpPage, type Block } from './markdown';

export interface VersionNews {
  version: string;
  blocks: Block[];
}

const files = import.meta.glob<string>('./quoi-de-neuf.md', { query: '?raw', import: 'default', eager: true });

export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < 3; i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

export function parseNews(source: string): VersionNews[] {
  const out: VersionNews[] = [];
  for (const part of source.split(/^## /m).slice(1)) {
    const newline = part.indexOf('\n');
    const version = part.slice(0, newline).trim();
    if (!/^\d+\.\d+\.\d+$/.test(version)) continue;
    out.push({ version, blocks: parseHelpPage(part.slice(newline + 1)).blocks });
  }
  return out.sort((a, b) => compareVersions(b.version, a.version));
}

export const NEWS: VersionNews[] = parseNews(Object.values(files)[0] ?? '');

/** What to show after moving from `seen` to `current`: the versions in between ('' seen: first launch, nothing). */
export function newsSince(seen: string, current: string, news: VersionNews[] = NEWS): VersionNews[] {
  if (seen === '' || compareVersions(seen, current) >= 0) return [];
  return news.filter((entry) => compareVersions(entry.version, seen) > 0 && compareVersions(entry.version, current) <= 0);
}
