/**
 * `npm run bench -- espaces [--rounds 200] [--messages 10000] [--searches 200]`: the espaces' Discussion on the run's
 * Prosody (loopback). Starts the test servers and runs the measures in a child process (espaces-ostal.ts) that trusts
 * the run's authority:
 * - message round trip agent1 → agent2 (p50, p95): Ostal (chat.send in agent1's core until agent2's core stores it
 *   live) side by side with the same XMPP exchange between two plain @xmpp/client sessions (the library alone);
 * - offline search p95 over `--messages` archived messages: Ostal's chat.search (FTS5, accents ignored) side by side
 *   with a plain SQLite LIKE scan of the same table (case-sensitive, accents not ignored: what a naive search costs).
 */
import { spawnSync } from 'node:child_process';
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
  } finally {
    await stopServers(servers);
  }
}
