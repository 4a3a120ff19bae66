/**
 * `npm run bench -- espaces [--rounds 200] [--messages 10000] [--searches 200] [--history 10000] [--no-ui | --ui-only]`:
 * the espaces' Discussion on the run's
 * Prosody (loopback). Starts the test servers and runs the measures in a child process (espaces-ostal.ts) that trusts
 * the run's authority:
 * - message round trip agent1 → agent2 (p50, p95): Ostal (chat.send in agent1's core until agent2's core stores it
 *   live) side by side with the same XMPP exchange between two plain @xmpp/client sessions (the library alone);
 * - offline search p95 over `--messages` archived messages: Ostal's chat.search (FTS5, accents ignored) side by side
 *   with a plain SQLite LIKE scan of the same table (case-sensitive, accents not ignored: what a naive search costs);
 * - opening a space whose room archive holds `--history` messages and scrolling back to the first one, in browser mode
 *   in Debian's Chromium (espaces-ui.ts): time to the first rendered page, frames over 100 ms while scrolling (pages
 *   from the archive, then from the local store), beside the 100 000-message mail list's figure as last measured by
 *   tests/e2e/courrier-volume.spec.ts (test-results/courrier-volume/frames.json, « haut en bas » phase).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServers, stopServers } from '../servers/index.js';
import { printTable, writeJson, type BenchRow } from './report.js';

const numberArg = (args: string[], name: string, fallback: number): number => {
  const i = args.indexOf(name);
  const v = i >= 0 ? Number(args[i + 1]) : NaN;
  return Number.isFinite(v) && v > 0 ? v : fallback;
};

export async function benchEspaces(args: string[]): Promise<void> {
  const servers = await startServers({ seed: 'none' });
  try {
    if (!args.includes('--ui-only')) await roundTripAndSearch(servers, args);
    if (!args.includes('--no-ui')) benchHistory(servers, numberArg(args, '--history', 10_000));
  } finally {
    await stopServers(servers);
  }
}

type Servers = Awaited<ReturnType<typeof startServers>>;

interface Scroll {
  firstPageMs: number;
  scrollMs: number;
  count: number;
  frames: number;
  longFrames: number;
  share: number;
  p50: number;
  p95: number;
  max: number;
  maxRows: number;
}

function benchHistory(servers: Servers, messages: number): void {
  const child = spawnSync(
    process.execPath,
    ['--import', 'tsx', path.join(path.dirname(fileURLToPath(import.meta.url)), 'espaces-ui.ts'), JSON.stringify({ messages })],
    {
      env: { ...process.env, NODE_EXTRA_CA_CERTS: servers.caCertPath, OSTAL_TEST_SERVERS: path.join(servers.dir, 'servers.json') },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  if (child.status !== 0) throw new Error(`espaces-ui.ts a échoué (${child.status}) : ${child.stdout}`);
  const r = JSON.parse(child.stdout.trim().split('\n').pop()!) as { fillMs: number; archive: Scroll; local: Scroll; loadAverage: number };
  // The mail list's figure, as tests/e2e/courrier-volume.spec.ts last measured it on this machine.
  const mailFile = path.join(process.cwd(), 'test-results', 'courrier-volume', 'frames.json');
  const mail = fs.existsSync(mailFile)
    ? (JSON.parse(fs.readFileSync(mailFile, 'utf8')) as {
        loadAverage: number;
        phases: Record<string, { frames: number; longFrames: number; p95: number }>;
      })
    : null;
  const mailPhase = mail?.phases.hautEnBas ?? null;
  const mailShare = mailPhase ? mailPhase.longFrames / Math.max(1, mailPhase.frames - 1) : null;
  const mailName = 'liste de 100 000 courriels';
  const rows: BenchRow[] = [
    { measure: `Ouverture (${messages} messages dans l’archive), première page`, ostal: r.archive.firstPageMs, peer: null, peerName: '' },
    { measure: 'Ouverture (historique sur cet ordinateur), première page', ostal: r.local.firstPageMs, peer: null, peerName: '' },
    { measure: 'Défilement jusqu’au premier message (archive), durée', ostal: r.archive.scrollMs, peer: null, peerName: '' },
    { measure: 'Défilement jusqu’au premier message (local), durée', ostal: r.local.scrollMs, peer: null, peerName: '' },
    { measure: 'Défilement (archive), image p95', ostal: r.archive.p95, peer: mailPhase?.p95 ?? null, peerName: mailName },
    { measure: 'Défilement (local), image p95', ostal: r.local.p95, peer: mailPhase?.p95 ?? null, peerName: mailName },
  ];
  printTable(`Espaces de travail : historique de ${messages} messages dans le navigateur (Chromium)`, rows);
  const pct = (x: number | null): string => (x === null ? '—' : `${(x * 100).toFixed(1).replace('.', ',')} %`);
  const line = (label: string, sc: Scroll): string =>
    `${label} : ${sc.longFrames} images sur ${sc.frames} au-delà de 100 ms (${pct(sc.share)}), au plus ${sc.maxRows} messages dans le DOM, ${sc.count} messages affichés\n`;
  process.stdout.write(line('Défilement, pages lues dans l’archive', r.archive));
  process.stdout.write(line('Défilement, historique local', r.local));
  process.stdout.write(
    mailPhase
      ? `Liste de 100 000 courriels (courrier-volume.spec.ts, « haut en bas », charge ${mail!.loadAverage.toFixed(1).replace('.', ',')}) : ${mailPhase.longFrames} images sur ${mailPhase.frames} au-delà de 100 ms (${pct(mailShare)})\n`
      : 'Liste de 100 000 courriels : non mesurée ici (npx playwright test tests/e2e/courrier-volume.spec.ts)\n',
  );
  const met = r.archive.share < 0.15 && r.local.share < 0.15;
  process.stdout.write(
    `Images au-delà de 100 ms sous 15 % : ${met ? 'oui' : 'NON'} (charge ${r.loadAverage.toFixed(1).replace('.', ',')} ; archive remplie en ${(r.fillMs / 1000).toFixed(1).replace('.', ',')} s)\n`,
  );
  writeJson('espaces-historique', { input: { messages }, results: r, mail: mailPhase, rows });
}

async function roundTripAndSearch(servers: Servers, args: string[]): Promise<void> {
  const [a1, a2] = [servers.users[0]!, servers.users[1]!];
  const input = {
    prosodyPort: servers.prosody.port,
    imapPort: servers.imap.tlsPort,
    smtpPort: servers.smtp.port,
    sharedWebdavRoot: servers.sharedWebdavRoot,
    domain: a1.email.split('@')[1],
    users: [a1, a2].map((u) => ({ email: u.email, password: u.password, name: u.name })),
    rounds: numberArg(args, '--rounds', 200),
    messages: numberArg(args, '--messages', 10_000),
    searches: numberArg(args, '--searches', 200),
  };
  const child = spawnSync(
    process.execPath,
    ['--import', 'tsx', path.join(path.dirname(fileURLToPath(import.meta.url)), 'espaces-ostal.ts'), JSON.stringify(input)],
    { env: { ...process.env, NODE_EXTRA_CA_CERTS: servers.caCertPath }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
  );
  if (child.status !== 0) throw new Error(`espaces-ostal.ts a échoué (${child.status}) : ${child.stdout}`);
  const r = JSON.parse(child.stdout.trim().split('\n').pop()!) as Record<string, number>;
  const rows: BenchRow[] = [
    { measure: 'Aller-retour agent → agent, p50', ostal: r.ostalP50!, peer: r.peerP50!, peerName: '@xmpp/client seul' },
    { measure: 'Aller-retour agent → agent, p95', ostal: r.ostalP95!, peer: r.peerP95!, peerName: '@xmpp/client seul' },
    {
      measure: `Recherche hors ligne sur ${input.messages} messages, p50`,
      ostal: r.searchP50!,
      peer: r.likeP50!,
      peerName: 'SQLite LIKE',
    },
    {
      measure: `Recherche hors ligne sur ${input.messages} messages, p95`,
      ostal: r.searchP95!,
      peer: r.likeP95!,
      peerName: 'SQLite LIKE',
    },
  ];
  printTable('Espaces de travail : discussion (Prosody, boucle locale)', rows);
  process.stdout.write(`Recherche p95 < 50 ms : ${r.searchP95! < 50 ? 'oui' : 'NON'}\n`);
  writeJson('espaces', { input: { rounds: input.rounds, messages: input.messages, searches: input.searches }, results: r, rows });
}
