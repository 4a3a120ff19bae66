/**
 * `npm run bench -- mail [--messages N] [--no-mbsync] [--passes N] [--fs ext4|tmp]`: a French corpus (10 000 messages by default) in the test Dovecot, then,
 * in the same run and on the same data: Ostal's initial sync (headers, then bodies), a no-change resync and search
 * latency, side by side with mbsync (isync) syncing to a Maildir and notmuch indexing and searching it.
 * `--no-mbsync` (the 100 000-message mode: `--messages 100000 --no-mbsync`, for search and memory): notmuch indexes
 * the corpus where it was written (Dovecot's own Maildir) instead of mbsync's copy, and the mbsync rows stay empty.
 * The tools write on a fresh ext4 file system with its journal by default, or in the temporary folder (`--fs tmp`):
 * see disk.ts.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ImapFlow } from 'imapflow';
import type { OstalMailFigures } from './mail-ostal.js';
import { coreProcessEnv } from '../../src/host/core-process-env.js';
import { startServers, stopServers } from '../servers/index.js';
import { CORPUS_FOLDERS, writeCorpus } from './corpus.js';
import { benchDisk } from './disk.js';
import { percentile, printTable, timed, writeJson, type BenchRow } from './report.js';

const root = path.resolve(import.meta.dirname, '../..');
const seconds = (ms: number): string => `${(ms / 1000).toFixed(2).replace('.', ',')} s`;
const ratio = (a: number, b: number | null): string => (b ? (a / b).toFixed(2).replace('.', ',') : '—');

export async function benchMail(args: string[]): Promise<void> {
  const n = Number(args[args.indexOf('--messages') + 1]) || (args.includes('--messages') ? NaN : 10_000);
  if (!Number.isFinite(n) || n <= 0) throw new Error('--messages attend un nombre positif');
  // Every tool's output (mbsync's Maildirs, Ostal's profile, notmuch's index) on the same disk (disk.ts).
  const disk = benchDisk(args);
  const servers = await startServers({ seed: 'none' }).catch((err: unknown) => {
    disk.release();
    throw err;
  });
  const work = fs.mkdtempSync(path.join(disk.dir, 'ostal-bench-mail-'));
  const rows: BenchRow[] = [];
  let coreDir: string | null = null;
  try {
    const agent = servers.users[0];
    const [local, domain] = agent.email.split('@');
    const maildir = path.join(servers.dir, 'mail', domain, local, 'Maildir');
    process.stderr.write(`Génération de ${n} messages…\n`);
    const corpus = writeCorpus(maildir, n, { domain: 'mairie-exemple.fr', to: agent.email, folders: CORPUS_FOLDERS });
    execFileSync('chown', ['-R', 'vmail:vmail', path.join(servers.dir, 'mail')]);
    process.stderr.write(`Corpus : ${(corpus.bytes / 1048576).toFixed(1)} Mio. Indexation initiale par Dovecot…\n`);
    // Dovecot builds its index at first access: pay it once, before any tool is timed.
    const warm = new ImapFlow({
      host: 'localhost',
      port: servers.imap.tlsPort,
      secure: true,
      auth: { user: agent.email, pass: agent.password },
      tls: { ca: fs.readFileSync(servers.caCertPath, 'utf8') },
      logger: false,
    });
    await warm.connect();
    for (const folder of CORPUS_FOLDERS) {
      await warm.mailboxOpen(folder ? folder.slice(1) : 'INBOX');
      for await (const _ of warm.fetch('1:*', { uid: true, flags: true, envelope: true })) void _;
    }
    await warm.logout();

    // --- mbsync (isync) to a Maildir: as configured by default (one fsync per message, its safety), and with
    // `FSync no` (no more safety on a crash than Ostal, which lets the server keep the mail and fetches again what a
    // crash lost): the second shows the tools' work without the disk's waits.
    const mbsyncConfig = (name: string, extra: string[]) => {
      const dir = path.join(work, name);
      fs.mkdirSync(dir);
      const rc = path.join(work, `${name}rc`);
      fs.writeFileSync(
        rc,
        [
          ...extra,
          'IMAPAccount bench',
          'Host localhost',
          `Port ${servers.imap.port}`,
          `User ${agent.email}`,
          `Pass ${agent.password}`,
          'SSLType STARTTLS',
          `CertificateFile ${servers.caCertPath}`,
          '',
          'IMAPStore remote',
          'Account bench',
          '',
          'MaildirStore local',
          `Path ${dir}/`,
          `Inbox ${dir}/INBOX`,
          'SubFolders Verbatim',
          '',
          'Channel bench',
          'Far :remote:',
          'Near :local:',
          'Patterns *',
          'Create Near',
          'SyncState *',
          '',
        ].join('\n'),
      );
      const run = () => {
        const r = spawnSync('mbsync', ['-c', rc, '-a', '-q'], { encoding: 'utf8' });
        if (r.status !== 0) throw new Error(`mbsync a échoué : ${r.stderr}`);
      };
      return { dir, run };
    };
    const { dir: mbsyncDir, run: mbsync } = mbsyncConfig('mbsync', []);
    const { dir: mbsyncNoFsyncDir, run: mbsyncNoFsync } = mbsyncConfig('mbsync-nofsync', ['FSync no', '']);
    const withMbsync = !args.includes('--no-mbsync');
    // The initial syncs vary from one run to the next on a shared machine (mbsync's fsync per message: ×2 seen):
    // `--passes N` initial syncs of each tool, alternated (mbsync, Ostal, mbsync, Ostal…), the median of each compared.
    const passes = Number(args[args.indexOf('--passes') + 1]) || (args.includes('--passes') ? NaN : withMbsync ? 3 : 1);
    if (!Number.isInteger(passes) || passes <= 0) throw new Error('--passes attend un nombre entier positif');
    // A pass's output is moved aside, not deleted, before the next pass (all of it goes with `work` at the end): on a
    // file system that avoids reusing the inodes of files deleted in the last minutes (ext4 without a journal, as on
    // this project's machines), creating 10 000 files right after deleting 10 000 others cost up to 2 s more of kernel
    // time, to either tool, depending on what was deleted just before rather than on the tool.
    let moved = 0;
    const moveAside = (dir: string) => {
      if (fs.existsSync(dir)) fs.renameSync(dir, path.join(work, `previous-pass-${++moved}`));
    };
    const mbsyncPass = (dir: string, run: () => void) => {
      moveAside(dir);
      fs.mkdirSync(dir);
      return timed(run);
    };
    const queries = Array.from({ length: 200 }, (_, i) => {
      const w = corpus.queryWords[(i * 7) % corpus.queryWords.length];
      return i % 2 === 0 ? w : w.normalize('NFD').replace(/\p{M}/gu, ''); // half without accents
    });

    // --- Ostal: its own process, started like the app (trusting the servers' CA through NODE_EXTRA_CA_CERTS): its half
    // bundled as the app's core is (scripts/build-main.mjs, production), run by plain Node. Through tsx, the core would
    // also carry the TypeScript loader's thread and sources (about 55 Mio more resident memory, not the app's).
    // Inside the repository (ignored .cache/), so the bundle finds node_modules/better-sqlite3 as in the packaged app.
    fs.mkdirSync(path.join(root, '.cache'), { recursive: true });
    coreDir = fs.mkdtempSync(path.join(root, '.cache', 'bench-mail-core-'));
    const ostalProgram = path.join(coreDir, 'mail-ostal.cjs');
    // @ts-expect-error plain JavaScript build script without type declarations
    const { buildMain } = (await import('../../scripts/build-main.mjs')) as {
      buildMain(o: { outdir: string; production: boolean; extraEntryPoints: Record<string, string> }): Promise<string>;
    };
    await buildMain({ outdir: coreDir, production: true, extraEntryPoints: { 'mail-ostal': 'tests/bench/mail-ostal.ts' } });
    const ostalPass = (profileDir: string): OstalMailFigures => {
      const child = spawnSync(
        process.execPath,
        [...(process.env.OSTAL_BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.OSTAL_BENCH_CPU_PROF}`] : []), ostalProgram],
        {
          input: JSON.stringify({
            profileDir,
            email: agent.email,
            password: agent.password,
            imapPort: servers.imap.port,
            smtpPort: servers.smtp.port,
            queries,
          }),
          // The environment the app gives its core's process (main/electron.ts).
          env: coreProcessEnv({ ...process.env, NODE_EXTRA_CA_CERTS: servers.caCertPath }),
          encoding: 'utf8',
          maxBuffer: 64 * 1024 * 1024,
        },
      );
      if (child.status !== 0) throw new Error(`mesure d’Ostal : ${child.stderr}`);
      return JSON.parse(child.stdout) as OstalMailFigures;
    };
    const mbsyncInitialRuns: number[] = [];
    const mbsyncNoFsyncRuns: number[] = [];
    const ostalRuns: OstalMailFigures[] = [];
    const profileDir = path.join(work, 'ostal-profile');
    for (let pass = 1; pass <= passes; pass++) {
      process.stderr.write(`Synchronisations initiales, passe ${pass} sur ${passes}…\n`);
      if (withMbsync) {
        mbsyncInitialRuns.push(mbsyncPass(mbsyncDir, mbsync));
        mbsyncNoFsyncRuns.push(mbsyncPass(mbsyncNoFsyncDir, mbsyncNoFsync));
      }
      moveAside(profileDir);
      ostalRuns.push(ostalPass(profileDir));
    }
    const mbsyncInitial = withMbsync ? percentile(mbsyncInitialRuns, 50) : null;
    const mbsyncNoFsyncInitial = withMbsync ? percentile(mbsyncNoFsyncRuns, 50) : null;
    // The last pass's profile stays for the resyncs and its search figures are kept; the initial syncs are medians.
    const o = { ...ostalRuns[ostalRuns.length - 1] };
    o.fullMs = percentile(
      ostalRuns.map((r) => r.fullMs),
      50,
    );
    o.headersMs = percentile(
      ostalRuns.map((r) => r.headersMs),
      50,
    );
    // Every folder mbsync made (INBOX, Archive, Sent, …): messages in cur/ and new/.
    const countMaildir = (dir: string): number =>
      fs.readdirSync(dir, { withFileTypes: true }).reduce((n, e) => {
        if (!e.isDirectory()) return n;
        const sub = path.join(dir, e.name);
        return e.name === 'cur' || e.name === 'new' ? n + fs.readdirSync(sub).length : e.name === 'tmp' ? n : n + countMaildir(sub);
      }, 0);
    const mbsyncCount = withMbsync ? countMaildir(mbsyncDir) : null;

    // --- notmuch over mbsync's Maildir
    const notmuchrc = path.join(work, 'notmuch-config');
    if (!withMbsync) fs.mkdirSync(path.join(work, 'notmuch-db'));
    fs.writeFileSync(
      notmuchrc,
      `[database]\n${withMbsync ? `path=${mbsyncDir}` : `mail_root=${maildir}\npath=${path.join(work, 'notmuch-db')}`}\n[new]\ntags=\n[search]\nexclude_tags=\n[maildir]\nsynchronize_flags=false\n`,
    );
    const notmuch = (...a: string[]) => {
      const r = spawnSync('notmuch', [`--config=${notmuchrc}`, ...a], {
        encoding: 'utf8',
        env: { ...process.env, NOTMUCH_CONFIG: notmuchrc },
      });
      if (r.status !== 0) throw new Error(`notmuch ${a[0]} a échoué : ${r.stderr}`);
      return r.stdout;
    };
    const notmuchIndex = timed(() => notmuch('new', '--quiet'));
    const notmuchTimes = queries.map((q) => timed(() => notmuch('search', '--output=messages', '--limit=50', q)));

    const {
      headersMs: ostalHeaders,
      fullMs: ostalFull,
      resyncMs: ostalResync,
      searchMs: ostalSearch,
      count: ostalCount,
      bodies: ostalBodies,
      rssPeak,
      rssBeforeSync,
      rssAfterSync,
    } = o;
    // The no-change resync as a command, as IT scripts and mbsync run it (process start included). A first run, not
    // timed, builds bin/ostal.cjs's bundle when src/ is newer than it (as after an update, once).
    const ostalSync = () => {
      const r = spawnSync(
        process.execPath,
        [
          ...(process.env.OSTAL_BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.OSTAL_BENCH_CPU_PROF}/command`] : []),
          path.join(import.meta.dirname, '../../bin/ostal.cjs'),
          'sync',
          '--only',
          'mail',
          '--profile',
          profileDir,
        ],
        {
          env: { ...process.env, NODE_EXTRA_CA_CERTS: servers.caCertPath, OSTAL_POLICIES: path.join(work, 'no-policy.json') },
          encoding: 'utf8',
        },
      );
      if (r.status !== 0) throw new Error(`ostal sync : ${r.stderr}`);
    };
    ostalSync();
    // The no-change resyncs of both tools, as commands: alternated (mbsync, Ostal, mbsync, Ostal…), after the kernel
    // has written out what the earlier steps left in memory (notmuch's index, the initial syncs: hundreds of Mio whose
    // write-back otherwise runs during whichever tool comes next, on 2 cores). A no-change resync lasts a fraction of a
    // second: the median of 5 each, less at the mercy of one slow start on a shared machine.
    spawnSync('sync');
    const ostalCommandRuns: number[] = [];
    const mbsyncResyncRuns: number[] = [];
    for (let i = 0; i < 5; i++) {
      if (withMbsync) mbsyncResyncRuns.push(timed(mbsync));
      ostalCommandRuns.push(timed(ostalSync));
    }
    const ostalCommand = percentile(ostalCommandRuns, 50);
    const mbsyncResync = withMbsync ? percentile(mbsyncResyncRuns, 50) : null;

    rows.push(
      {
        measure: `Synchronisation initiale, en-têtes (${n} messages, médiane de ${passes})`,
        ostal: ostalHeaders,
        peer: null,
        peerName: '',
      },
      {
        measure: `Synchronisation initiale, en-têtes et corps (médiane de ${passes})`,
        ostal: ostalFull,
        peer: mbsyncInitial,
        peerName: 'mbsync',
      },
      {
        measure: `Synchronisation initiale, en-têtes et corps (médiane de ${passes})`,
        ostal: ostalFull,
        peer: mbsyncNoFsyncInitial,
        peerName: 'mbsync, FSync no',
      },
      { measure: 'Resynchronisation sans changement, cœur ouvert', ostal: ostalResync, peer: null, peerName: '' },
      {
        measure: 'Resynchronisation sans changement, commande (médiane de 5)',
        ostal: ostalCommand,
        peer: mbsyncResync,
        peerName: 'mbsync',
      },
      {
        measure: 'Indexation plein texte (comprise dans la synchronisation d’Ostal)',
        ostal: null,
        peer: notmuchIndex,
        peerName: 'notmuch new',
      },
      {
        measure: 'Synchronisation et indexation, en tout',
        ostal: ostalFull,
        peer: mbsyncInitial === null ? null : mbsyncInitial + notmuchIndex,
        peerName: 'mbsync + notmuch new',
      },
      {
        measure: 'Recherche p50 (200 requêtes)',
        ostal: ostalSearch.length ? percentile(ostalSearch, 50) : null,
        peer: percentile(notmuchTimes, 50),
        peerName: 'notmuch search',
      },
      {
        measure: 'Recherche p95 (200 requêtes)',
        ostal: ostalSearch.length ? percentile(ostalSearch, 95) : null,
        peer: percentile(notmuchTimes, 95),
        peerName: 'notmuch search',
      },
    );
    printTable(`Courrier — ${n} messages, ${(corpus.bytes / 1048576).toFixed(1)} Mio`, rows);
    process.stdout.write(
      `Messages (${CORPUS_FOLDERS.length} dossiers, par STARTTLS) : Ostal ${ostalCount} (corps en local : ${ostalBodies}), mbsync ${mbsyncCount ?? '—'}. Mémoire résidente du processus Ostal : ${(rssAfterSync / 1048576).toFixed(0)} Mio après la synchronisation initiale (au plus ${(rssPeak / 1048576).toFixed(0)} Mio pendant, ${(rssBeforeSync / 1048576).toFixed(0)} Mio avant).\n` +
        (withMbsync
          ? `Synchronisations initiales, ${passes} passes alternées : Ostal ${ostalRuns.map((r) => seconds(r.fullMs)).join(' ; ')} ; mbsync ${mbsyncInitialRuns.map(seconds).join(' ; ')} ; mbsync, FSync no ${mbsyncNoFsyncRuns.map(seconds).join(' ; ')} ; rapport des médianes Ostal / mbsync : ${ratio(ostalFull, mbsyncInitial)} ; Ostal / mbsync, FSync no : ${ratio(ostalFull, mbsyncNoFsyncInitial)}.\n`
          : '') +
        `Disque des outils : ${disk.label}.\n` +
        `Ostal est mesuré dans le processus (cœur ouvert une fois, empaqueté comme dans l’application) ; mbsync et notmuch comme commandes, démarrage compris. La recherche d’Ostal passe par mail.search (FTS5) ; « — » : mesure indisponible dans cette version.\n`,
    );
    writeJson('mail', {
      messages: n,
      bytes: corpus.bytes,
      ostalCount,
      ostalBodies,
      mbsyncCount,
      rssPeakBytes: rssPeak,
      rssBeforeSyncBytes: rssBeforeSync,
      rssAfterSyncBytes: rssAfterSync,
      disk: disk.label,
      initialSyncRunsMs: { ostal: ostalRuns.map((r) => r.fullMs), mbsync: mbsyncInitialRuns, mbsyncNoFsync: mbsyncNoFsyncRuns },
      rows,
    });
  } finally {
    await stopServers(servers);
    fs.rmSync(work, { recursive: true, force: true });
    disk.release();
    if (coreDir) fs.rmSync(coreDir, { recursive: true, force: true });
  }
}
