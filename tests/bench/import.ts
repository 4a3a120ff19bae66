/**
 * `npm run bench -- import [--mbox-mio N]`: the sample PST of pst-extractor imported by `ostal import` into the test
 * Dovecot (messages per second, process start included), side by side with the time Debian's readpst takes to
 * convert the same file to one file per message; then a generated mbox of N Mio (default 256; the figure
 * is 2048) imported the same way, with the peak resident memory of the process (GNU time), to show it stays bounded.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServers, stopServers } from '../servers/index.js';
import { printTable, writeJson, type BenchRow } from './report.js';

const REPO = path.resolve(import.meta.dirname, '../..');
const PST = path.join(REPO, 'node_modules/pst-extractor/example/testdata/enron.pst');

/** Runs a command under GNU time: wall time (ms) and peak resident memory (Kio). */
function measured(cmd: string, args: string[], env: NodeJS.ProcessEnv): { ms: number; rssKib: number; stdout: string } {
  const t = performance.now();
  const r = spawnSync('/usr/bin/time', ['-f', 'RSS=%M', cmd, ...args], { env, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  const ms = performance.now() - t;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} : ${r.stderr.slice(-2000)}`);
  const rss = /RSS=(\d+)/.exec(r.stderr);
  return { ms, rssKib: rss ? Number(rss[1]) : 0, stdout: r.stdout };
}

/** An mbox of about `mib` Mio: French messages of ~64 Kio, some with « From » lines in the body (mboxrd quoted). */
function writeMbox(file: string, mib: number): number {
  const fd = fs.openSync(file, 'w');
  const filler = 'Compte rendu de la réunion du conseil municipal, point par point, avec les pièces annexées.\n'.repeat(700);
  let bytes = 0;
  let n = 0;
  try {
    while (bytes < mib * 1048576) {
      n++;
      const date = new Date(Date.UTC(2020, 0, 1) + n * 60_000);
      const msg =
        `From agent${n % 50}@mairie-exemple.fr ${date.toUTCString().replace(/^(\w+), (\d+) (\w+) (\d+) (\S+) GMT$/, '$1 $3 $2 $5 $4')}\n` +
        `From: Agent ${n % 50} <agent${n % 50}@mairie-exemple.fr>\nTo: agent1@ostal.test\nSubject: Compte rendu n° ${n}\n` +
        `Message-ID: <bench-${n}@mairie-exemple.fr>\nDate: ${date.toUTCString()}\n\nBonjour,\n\n>From the archives, ligne citée\n\n${filler}\n`;
      fs.writeSync(fd, msg);
      bytes += Buffer.byteLength(msg);
    }
  } finally {
    fs.closeSync(fd);
  }
  return n;
}

export async function benchImport(args: string[]): Promise<void> {
  const i = args.indexOf('--mbox-mio');
  const mboxMib = i >= 0 ? Number(args[i + 1]) : 256;
  if (!Number.isFinite(mboxMib) || mboxMib < 0) throw new Error('--mbox-mio attend un nombre positif');
  const servers = await startServers({ seed: 'none' });
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'ostal-bench-import-'));
  const rows: BenchRow[] = [];
  try {
    const agent = servers.users[0];
    const profile = path.join(work, 'profil');
    const env = {
      ...process.env,
      NODE_EXTRA_CA_CERTS: servers.caCertPath,
      OSTAL_POLICIES: path.join(work, 'no-policy.json'),
      MDP: agent.password,
    };
    const ostal = [path.join(REPO, 'bin/ostal.cjs')];
    const add = spawnSync(
      process.execPath,
      [
        ...ostal,
        'account',
        'add',
        '--email',
        agent.email,
        '--password-env',
        'MDP',
        '--imap',
        `imaps://localhost:${servers.imap.tlsPort}`,
        '--smtp',
        `smtps://localhost:${servers.smtp.tlsPort}`,
        '--profile',
        profile,
      ],
      { env, encoding: 'utf8' },
    );
    if (add.status !== 0) throw new Error(`ostal account add : ${add.stderr}`);

    // Not timed: builds bin/ostal.cjs's bundle when src/ is newer than it (as after an update, once).
    spawnSync(process.execPath, [...ostal, 'status', '--profile', profile], { env, encoding: 'utf8' });
    const readpstOut = path.join(work, 'readpst');
    fs.mkdirSync(readpstOut);
    const peer = measured('readpst', ['-j', '0', '-D', '-q', '-r', '-M', '-o', readpstOut, PST], env);
    const own = measured(process.execPath, [...ostal, 'import', PST, '--json', '--profile', profile], env);
    const report = JSON.parse(own.stdout) as { totals: { imported: number } };
    const again = measured(process.execPath, [...ostal, 'import', PST, '--json', '--profile', profile], env);
    const perSecond = report.totals.imported / (own.ms / 1000);
    rows.push(
      {
        measure: `PST d’exemple (${report.totals.imported} messages) : importé dans Dovecot / converti en fichiers`,
        ostal: own.ms,
        peer: peer.ms,
        peerName: 'readpst',
      },
      { measure: 'Seconde importation (rien à ajouter)', ostal: again.ms, peer: null, peerName: '' },
    );
    let mbox: { messages: number; ms: number; rssKib: number; bytes: number } | null = null;
    if (mboxMib > 0) {
      const file = path.join(work, 'archive.mbox');
      process.stderr.write(`Génération d’une boîte mbox de ${mboxMib} Mio…\n`);
      const messages = writeMbox(file, mboxMib);
      const run = measured(process.execPath, [...ostal, 'import', file, '--json', '--profile', profile], env);
      mbox = { messages, ms: run.ms, rssKib: run.rssKib, bytes: fs.statSync(file).size };
      rows.push({ measure: `mbox de ${mboxMib} Mio (${messages} messages) importée`, ostal: run.ms, peer: null, peerName: '' });
    }
    printTable('Importation (migration)', rows);
    process.stdout.write(`Messages par seconde (PST d’exemple, démarrage compris) : ${perSecond.toFixed(1).replace('.', ',')}\n`);
    process.stdout.write(
      `Mémoire résidente maximale, PST : ${Math.round(own.rssKib / 1024)} Mio ; readpst : ${Math.round(peer.rssKib / 1024)} Mio\n`,
    );
    if (mbox) process.stdout.write(`Mémoire résidente maximale, mbox de ${mboxMib} Mio : ${Math.round(mbox.rssKib / 1024)} Mio\n`);
    writeJson('import', {
      pst: { ms: own.ms, imported: report.totals.imported, perSecond, rssKib: own.rssKib, secondRunMs: again.ms },
      readpst: peer,
      mbox,
    });
  } finally {
    await stopServers(servers);
    fs.rmSync(work, { recursive: true, force: true });
  }
}
