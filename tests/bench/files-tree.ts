/**
 * A deterministic tree of French documents for `npm run bench -- files`: nested folders with accented names, many
 * small documents and a few multi-megabyte ones, every file's content unique (so that rename detection by content
 * hash never confuses two files). Uploaded to a WebDAV folder with parallel PUTs; nothing is written to the disk.
 */
import https from 'node:https';
import { encodePath } from '../servers/http.js';

const TOP = [
  'Délibérations',
  'Ressources humaines',
  'Urbanisme',
  'École et périscolaire',
  'Finances',
  'État civil',
  'Communication',
  'Services techniques',
];
const YEARS = ['2024', '2025', '2026'];
const THEMES = [
  'Conseil municipal',
  'Commission travaux',
  'Procès-verbaux',
  'Marchés publics',
  'Pièces justificatives',
  'Réunions d’équipe',
  'Élections',
  'Crèche et cantine',
];
const TITLES = [
  'Compte rendu de la réunion',
  'Procès-verbal de séance',
  'Délibération',
  'Arrêté du maire',
  'Budget primitif',
  'Facture',
  'Plan de la médiathèque',
  'Photo du chantier',
  'Présentation aux élus',
  'Note de service',
  'Fiche de poste',
  'Convention de partenariat',
  'Règlement intérieur',
  'Rapport d’activité',
  'Déclaration préalable',
];
const EXTENSIONS = ['odt', 'ods', 'pdf', 'docx', 'txt', 'jpg', 'png', 'odp'];

export interface TreeFile {
  /** Path below the tree's root, '/'-separated, NFC. */
  path: string;
  size: number;
  /** Part of the content: changed to give a file new content. */
  version: number;
  index: number;
}

export interface Tree {
  /** Every folder, parents before children, '/'-separated, no trailing slash. */
  folders: string[];
  files: TreeFile[];
  bytes: number;
}

function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `count` files totalling about `totalBytes`: 80 % small documents, 15 % medium, 5 % multi-megabyte ones. */
export function makeTree(count: number, totalBytes: number, seed = 7): Tree {
  const rnd = prng(seed);
  const pick = <T>(a: readonly T[]): T => a[Math.floor(rnd() * a.length)];
  const folders: string[] = [];
  for (const top of TOP) {
    folders.push(top);
    for (const year of YEARS) {
      const y = `${top}/${year}`;
      folders.push(y);
      const themes = [...THEMES].sort(() => rnd() - 0.5).slice(0, 2 + Math.floor(rnd() * 2));
      for (const theme of themes) {
        folders.push(`${y}/${theme}`);
        if (rnd() < 0.4) folders.push(`${y}/${theme}/Annexes`);
      }
    }
  }
  const small = Math.round(count * 0.8);
  const medium = Math.round(count * 0.15);
  const large = Math.max(0, count - small - medium);
  const sizes: number[] = [];
  for (let i = 0; i < small; i++) sizes.push(2_000 + Math.floor(rnd() * 118_000));
  for (let i = 0; i < medium; i++) sizes.push(150_000 + Math.floor(rnd() * 1_350_000));
  const fixed = sizes.reduce((a, b) => a + b, 0);
  const rest = totalBytes - fixed;
  if (large > 0 && rest >= large * 1_000_000) {
    const weights = Array.from({ length: large }, () => 0.3 + rnd());
    const sum = weights.reduce((a, b) => a + b, 0);
    for (const w of weights) sizes.push(Math.floor((rest * w) / sum));
  } else {
    // Too little budget for the big files: everything scaled down together.
    for (let i = 0; i < large; i++) sizes.push(1_000_000);
    const scale = totalBytes / sizes.reduce((a, b) => a + b, 0);
    for (let i = 0; i < sizes.length; i++) sizes[i] = Math.max(200, Math.floor(sizes[i] * scale));
  }
  sizes.sort(() => rnd() - 0.5);
  const used = new Set<string>();
  const files: TreeFile[] = sizes.map((size, index) => {
    const folder = index < folders.length ? folders[index] : pick(folders);
    let p: string;
    do p = `${folder}/${pick(TITLES)} n° ${1 + Math.floor(rnd() * 999)}.${pick(EXTENSIONS)}`;
    while (used.has(p));
    used.add(p);
    return { path: p.normalize('NFC'), size, version: 1, index };
  });
  return { folders, files, bytes: sizes.reduce((a, b) => a + b, 0) };
}

const POOL = (() => {
  const rnd = prng(99);
  const b = Buffer.alloc(1 << 20);
  for (let i = 0; i < b.length; i += 4) b.writeUInt32LE(Math.floor(rnd() * 4294967296), i);
  return b;
})();

/** The content of a file, chunk by chunk: a unique header, then bytes of a random pool from a per-file offset. */
export function* fileChunks(f: TreeFile): Generator<Buffer> {
  const header = Buffer.from(`${f.index} v${f.version} ${f.path}\n`, 'utf8').subarray(0, f.size);
  yield header;
  let left = f.size - header.length;
  let offset = (f.index * 7919 + f.version * 104_729) % POOL.length;
  while (left > 0) {
    const n = Math.min(left, POOL.length - offset, 256 * 1024);
    yield POOL.subarray(offset, offset + n);
    left -= n;
    offset = (offset + n) % POOL.length;
  }
}

export interface DavTarget {
  port: number;
  /** Absolute path of the tree's root on the server, percent-encoded, ending with '/'. */
  root: string;
  user: string;
  password: string;
  ca: string;
}

export function davRequest(
  t: DavTarget,
  agent: https.Agent,
  method: string,
  rel: string,
  body?: Iterable<Buffer>,
  length?: number,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string }> {
  const h: Record<string, string> = {
    ...headers,
    Authorization: `Basic ${Buffer.from(`${t.user}:${t.password}`, 'utf8').toString('base64')}`,
  };
  if (length !== undefined) h['Content-Length'] = String(length);
  return new Promise((resolve, reject) => {
    const req = https.request(
      { host: '127.0.0.1', servername: 'localhost', port: t.port, method, path: t.root + encodePath(rel), headers: h, ca: t.ca, agent },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    if (body) for (const c of body) req.write(c);
    req.end();
  });
}

async function pool<T>(items: readonly T[], parallel: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(parallel, items.length) }, async () => {
      while (next < items.length) await fn(items[next++]);
    }),
  );
}

export async function putFile(t: DavTarget, agent: https.Agent, f: TreeFile): Promise<void> {
  const r = await davRequest(t, agent, 'PUT', f.path, fileChunks(f), f.size, { 'Content-Type': 'application/octet-stream' });
  if (r.status !== 201 && r.status !== 204) throw new Error(`PUT ${f.path} : réponse ${r.status}`);
}

/** Creates the folders level by level, then PUTs the files with `parallel` connections. */
export async function uploadTree(t: DavTarget, tree: Tree, parallel = 8): Promise<void> {
  const agent = new https.Agent({ keepAlive: true, maxSockets: parallel });
  try {
    const r = await davRequest(t, agent, 'MKCOL', '');
    if (r.status !== 201 && r.status !== 405) throw new Error(`MKCOL de la racine : réponse ${r.status}`);
    const depth = (p: string) => p.split('/').length;
    const maxDepth = Math.max(...tree.folders.map(depth));
    for (let d = 1; d <= maxDepth; d++) {
      await pool(
        tree.folders.filter((f) => depth(f) === d),
        parallel,
        async (folder) => {
          const m = await davRequest(t, agent, 'MKCOL', folder);
          if (m.status !== 201 && m.status !== 405) throw new Error(`MKCOL ${folder} : réponse ${m.status}`);
        },
      );
    }
    await pool(tree.files, parallel, (f) => putFile(t, agent, f));
  } finally {
    agent.destroy();
  }
}

/** Gives `n` files spread over the tree new content (and a slightly different size) on the server. */
export async function changeFiles(t: DavTarget, tree: Tree, n: number): Promise<TreeFile[]> {
  const agent = new https.Agent({ keepAlive: true, maxSockets: 4 });
  const step = Math.max(1, Math.floor(tree.files.length / n));
  const changed = tree.files.filter((_, i) => i % step === 0).slice(0, n);
  try {
    for (const f of changed) {
      f.version++;
      f.size += 17;
      tree.bytes += 17;
    }
    await pool(changed, 4, (f) => putFile(t, agent, f));
  } finally {
    agent.destroy();
  }
  return changed;
}
