/**
 * `npm run bench -- dav [--events N] [--contacts M]`: a French calendar (5 000 events by default, one in ten
 * weekly recurring) and address book (2 000 contacts) put on the test Radicale, then, in the same run and on the
 * same data: vdirsyncer (Debian) syncing both collections to a local filesystem storage, and Ostal's CLI
 * `sync --only calendar` + `sync --only contacts` in a fresh profile — initial sync and no-change rerun, each
 * timed as commands, process start-up included — and the same engine with its core kept open (dav-ostal.ts).
 * Counts are checked: what Ostal stored (`calendar list`, `contacts list`) and vdirsyncer's files equal the seed.
 * Also shown: Radicale's own time to compute the two getctag, the floor of any unchanged resync on this server.
 * First run about 2 min 40 s (Radicale caches 7 000 items), later ones about 1 min 15 s (.cache/bench-dav).
 * OSTAL_BENCH_CPU_PROF=<dir> writes a CPU profile of each Ostal process.
 */
import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import https from 'node:https';
import { startServers, stopServers } from '../servers/index.js';
import { encodePath, httpsRequest } from '../servers/http.js';
import { contactVcf, eventIcs } from '../servers/seed.js';
import { runLayout } from '../servers/layout.js';
import type { ServersInfo, TestUser } from '../servers/types.js';
import { benchContacts, benchEvents, LIST_WINDOW } from './dav-data.js';
import { printTable, timed, writeJson, type BenchRow } from './report.js';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const CALENDAR = 'agenda-banc';
const BOOK = 'contacts-banc';

function numberArg(args: string[], name: string, fallback: number): number {
  const i = args.indexOf(name);
  if (i < 0) return fallback;
  const v = Number(args[i + 1]);
  if (!Number.isInteger(v) || v <= 0) throw new Error(`${name} attend un nombre entier positif`);
  return v;
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env, input?: string): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', env, input, maxBuffer: 256 * 1024 * 1024 });
  if (r.status !== 0)
    throw new Error(
      `${path.basename(cmd)} ${args.slice(0, 3).join(' ')} a échoué (code ${r.status}) : ${(r.stderr || r.stdout).slice(-2000)}`,
    );
  return r.stdout;
}

const fmtCount = (n: number) => n.toLocaleString('fr-FR');

/**
 * The collections written straight into Radicale's filesystem storage (one file per item, named after its UID, and
 * the `.Radicale.props` Radicale keeps beside them): a whole-collection PUT of 5 000 events took Radicale over a
 * minute. Radicale then reads them as it reads its own. The user's storage folder, once seeded and warmed, is
 * also kept in .cache/bench-dav/<hash of the data>/ and copied into the next runs' Radicale before their first
 * request (its item cache checks itself against each file's content). Returns whether that copy was used.
 */
export async function seedRadicale(
  info: ServersInfo,
  user: TestUser,
  events: ReturnType<typeof benchEvents>,
  contacts: ReturnType<typeof benchContacts>,
): Promise<boolean> {
  const hash = crypto
    .createHash('sha256')
    .update(JSON.stringify({ events, contacts, CALENDAR, BOOK, layout: 'fichiers-1' }))
    .digest('hex')
    .slice(0, 16);
  const cached = path.join(ROOT, '.cache', 'bench-dav', hash);
  const storage = path.join(runLayout(info.dir).radicale.storage, 'collection-root', user.username);
  const fromCache = fs.existsSync(path.join(cached, '.complet'));
  if (fromCache) fs.cpSync(path.join(cached, 'data'), storage, { recursive: true });
  else {
    const write = (collection: string, props: Record<string, string>, items: Array<[string, string]>) => {
      const dir = path.join(storage, collection);
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, '.Radicale.props'), JSON.stringify(props));
      for (const [name, text] of items) fs.writeFileSync(path.join(dir, name), text);
    };
    write(
      CALENDAR,
      { tag: 'VCALENDAR', 'D:displayname': 'Agenda du banc d’essai', 'ICAL:calendar-color': '#000091' },
      events.map((e) => [`${e.uid}.ics`, eventIcs(e, user)]),
    );
    write(
      BOOK,
      { tag: 'VADDRESSBOOK', 'D:displayname': 'Carnet du banc d’essai' },
      contacts.map((c) => [`${c.uid}.vcf`, contactVcf(c)]),
    );
  }
  const ca = fs.readFileSync(info.caCertPath, 'utf8');
  const agent = new https.Agent({ keepAlive: true, maxSockets: 1 });
  const base = `/${encodePath(user.username)}/`;
  try {
    // Radicale fills its item cache, and the history behind its sync tokens, at first use: pay it here, before any
    // tool is timed (one sync-collection from an empty token per collection; every item's ETag, no data).
    for (const c of [CALENDAR, BOOK]) {
      const r = await httpsRequest({
        port: info.radicale.port,
        method: 'REPORT',
        path: `${base}${c}/`,
        ca,
        agent,
        body: '<?xml version="1.0" encoding="utf-8"?><D:sync-collection xmlns:D="DAV:"><D:sync-token/><D:sync-level>1</D:sync-level><D:prop><D:getetag/></D:prop></D:sync-collection>',
        headers: { Depth: '0', 'Content-Type': 'application/xml; charset=utf-8' },
        auth: { user: user.username, password: user.password },
      });
      const items = (r.body.match(/<(?:\w+:)?response>/g) ?? []).length;
      const want = c === CALENDAR ? events.length : contacts.length;
      if (r.status !== 207 || items !== want)
        throw new Error(`Radicale lit ${items} éléments dans ${c} au lieu de ${want} (réponse ${r.status}) : ${r.body.slice(0, 300)}`);
    }
  } finally {
    agent.destroy();
  }
  if (!fromCache) {
    // One data set kept (85 Mo for the default sizes): the copy of another size or version goes.
    fs.rmSync(path.dirname(cached), { recursive: true, force: true });
    fs.cpSync(storage, path.join(cached, 'data'), { recursive: true });
    fs.writeFileSync(path.join(cached, '.complet'), '');
  }
  return fromCache;
}

/**
 * The least an unchanged resync can cost on this server: Radicale's answer to a Depth-0 PROPFIND of getctag on
 * each collection (it hashes every item's ETag to compute it), median of 3, both collections summed.
 */
async function ctagFloor(info: ServersInfo, user: TestUser): Promise<number> {
  const ca = fs.readFileSync(info.caCertPath, 'utf8');
  const agent = new https.Agent({ keepAlive: true, maxSockets: 1 });
  const body =
    '<?xml version="1.0" encoding="utf-8"?><D:propfind xmlns:D="DAV:" xmlns:CS="http://calendarserver.org/ns/"><D:prop><CS:getctag/></D:prop></D:propfind>';
  try {
    let total = 0;
    for (const c of [CALENDAR, BOOK]) {
      const times: number[] = [];
      for (let i = 0; i < 3; i++) {
        const t = performance.now();
        const r = await httpsRequest({
          port: info.radicale.port,
          method: 'PROPFIND',
          path: `/${encodePath(user.username)}/${c}/`,
          ca,
          agent,
          body,
          headers: { Depth: '0', 'Content-Type': 'application/xml; charset=utf-8' },
          auth: { user: user.username, password: user.password },
        });
        times.push(performance.now() - t);
        if (r.status !== 207) throw new Error(`PROPFIND getctag : réponse ${r.status} de Radicale`);
      }
      total += times.sort((a, b) => a - b)[1];
    }
    return total;
  } finally {
    agent.destroy();
  }
}

/** Ostal's core opened once in its own process (dav-ostal.ts): `sync(only)` runs one sync.run and gives its time. */
async function ostalInProcess(
  params: object,
  env: NodeJS.ProcessEnv,
): Promise<{ sync(only: 'calendar' | 'contacts'): Promise<number>; close(): Promise<void> }> {
  const prof = process.env.OSTAL_BENCH_CPU_PROF;
  const child = spawn(
    process.execPath,
    [
      ...(prof ? ['--cpu-prof', `--cpu-prof-dir=${prof}`] : []),
      '--import',
      'tsx',
      path.join(import.meta.dirname, 'dav-ostal.ts'),
      JSON.stringify(params),
    ],
    {
      env,
      stdio: ['pipe', 'pipe', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const lines = readline.createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async (): Promise<{ ready?: boolean; ms?: number; error?: string }> => {
    const r = await lines.next();
    if (r.done) throw new Error(`le processus d’Ostal s’est arrêté : ${stderr.slice(-2000)}`);
    return JSON.parse(r.value) as { ready?: boolean; ms?: number; error?: string };
  };
  await next();
  return {
    async sync(only) {
      child.stdin.write(`${only}\n`);
      const r = await next();
      if (r.error !== undefined || r.ms === undefined) throw new Error(`la synchronisation ${only} d’Ostal a échoué : ${r.error}`);
      return r.ms;
    },
    async close() {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.stdin.end();
      await exited;
    },
  };
}

/** Files with this extension below `dir`, recursively (vdirsyncer keeps one file per item). */
function countFiles(dir: string, ext: string): number {
  if (!fs.existsSync(dir)) return 0;
  let n = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) if (e.isFile() && e.name.endsWith(ext)) n++;
  return n;
}

function vdirsyncerConfig(work: string, info: ServersInfo, user: TestUser): string {
  const remote = (type: string) => [
    `type = "${type}"`,
    `url = "https://localhost:${info.radicale.port}/"`,
    `username = "${user.username}"`,
    `password = "${user.password}"`,
    `verify = "${info.caCertPath}"`,
  ];
  return [
    '[general]',
    `status_path = "${path.join(work, 'vdirsyncer-etat')}/"`,
    '',
    '[pair agenda]',
    'a = "agenda_distant"',
    'b = "agenda_local"',
    'collections = ["from a"]',
    '',
    '[storage agenda_distant]',
    ...remote('caldav'),
    '',
    '[storage agenda_local]',
    'type = "filesystem"',
    `path = "${path.join(work, 'vdirsyncer', 'agenda')}/"`,
    'fileext = ".ics"',
    '',
    '[pair contacts]',
    'a = "contacts_distants"',
    'b = "contacts_locaux"',
    'collections = ["from a"]',
    '',
    '[storage contacts_distants]',
    ...remote('carddav'),
    '',
    '[storage contacts_locaux]',
    'type = "filesystem"',
    `path = "${path.join(work, 'vdirsyncer', 'contacts')}/"`,
    'fileext = ".vcf"',
    '',
  ].join('\n');
}

type Figures = Record<
  | 'vdirInitial'
  | 'vdirNoChange'
  | 'ostalInitial'
  | 'ostalNoChange'
  | 'coreInitial'
  | 'coreNoChange'
  | 'coreCalendarInitial'
  | 'coreContactsInitial'
  | 'coreCalendarNoChange'
  | 'coreContactsNoChange',
  number
>;

export async function benchDav(args: string[]): Promise<void> {
  const nEvents = numberArg(args, '--events', 5000);
  const nContacts = numberArg(args, '--contacts', 2000);
  const servers = await startServers({ seed: 'none' });
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'ostal-bench-dav-'));
  const rows: BenchRow[] = [];
  try {
    const agent = servers.users[1];
    const events = benchEvents(nEvents);
    const contacts = benchContacts(nContacts);
    const recurring = events.filter((e) => e.rrule).length;
    process.stderr.write(`Mise en place de ${nEvents} événements (${recurring} récurrents) et ${nContacts} contacts sur Radicale…\n`);
    const t0 = performance.now();
    const seedFromCache = await seedRadicale(servers, agent, events, contacts);
    const seedMs = performance.now() - t0;
    process.stderr.write(
      `Données en place sur Radicale en ${(seedMs / 1000).toFixed(1)} s${seedFromCache ? ' (copie du dossier de Radicale gardée dans .cache/bench-dav)' : ''}.\n`,
    );
    const davUrl = `https://localhost:${servers.radicale.port}/`;

    // --- vdirsyncer (Debian): discovery then sync of both pairs to a filesystem storage, certificate checked with the run's CA
    const vdirConf = path.join(work, 'vdirsyncer.conf');
    fs.writeFileSync(vdirConf, vdirsyncerConfig(work, servers, agent), { mode: 0o600 });
    const vdirEnv = { ...process.env, VDIRSYNCER_CONFIG: vdirConf };
    // discover asks before creating each local collection: answer yes.
    const vdir = (...a: string[]) => run('vdirsyncer', ['-c', vdirConf, ...a], vdirEnv, 'y\n'.repeat(20));

    // --- Ostal: the CLI as IT scripts call it, in its own fresh profile
    const profile = path.join(work, 'ostal-profile');
    const ostalEnv = {
      ...process.env,
      NODE_EXTRA_CA_CERTS: servers.caCertPath,
      OSTAL_BENCH_PASSWORD: agent.password,
      OSTAL_PROFILE: profile,
    };
    const prof = process.env.OSTAL_BENCH_CPU_PROF;
    const ostalIn = (profileDir: string, ...a: string[]) =>
      run(
        process.execPath,
        [...(prof ? ['--cpu-prof', `--cpu-prof-dir=${prof}`] : []), path.join(ROOT, 'bin', 'ostal.mjs'), ...a, '--profile', profileDir],
        ostalEnv,
      );
    const ostal = (...a: string[]) => ostalIn(profile, ...a);
    ostal(
      'account',
      'add',
      '--email',
      agent.email,
      '--password-env',
      'OSTAL_BENCH_PASSWORD',
      '--imap',
      `imaps://localhost:${servers.imap.tlsPort}`,
      '--smtp',
      `smtps://localhost:${servers.smtp.tlsPort}`,
      '--caldav',
      davUrl,
      '--carddav',
      davUrl,
    );
    ostal('status', '--json'); // the first command after a change of src/ rebuilds the CLI's bundle: not timed
    const startupMs = timed(() => ostal('status', '--json'));
    // One command for both kinds, as vdirsyncer syncs both pairs in one run.
    const ostalSync = () => timed(() => ostal('sync', '--only', 'calendar,contacts'));

    const coreProfile = path.join(work, 'ostal-core-profile');
    const inProcess = await ostalInProcess(
      {
        profileDir: coreProfile,
        email: agent.email,
        password: agent.password,
        imapPort: servers.imap.tlsPort,
        smtpPort: servers.smtp.tlsPort,
        dav: davUrl,
      },
      { ...process.env, NODE_EXTRA_CA_CERTS: servers.caCertPath },
    );

    let f: Figures;
    try {
      const vdirInitial = timed(() => vdir('discover')) + timed(() => vdir('sync'));
      const ostalInitial = ostalSync();
      const coreCalendarInitial = await inProcess.sync('calendar');
      const coreContactsInitial = await inProcess.sync('contacts');
      const vdirNoChange = timed(() => vdir('sync'));
      const ostalNoChange = ostalSync();
      const coreCalendarNoChange = await inProcess.sync('calendar');
      const coreContactsNoChange = await inProcess.sync('contacts');
      f = {
        vdirInitial,
        vdirNoChange,
        ostalInitial,
        ostalNoChange,
        coreInitial: coreCalendarInitial + coreContactsInitial,
        coreNoChange: coreCalendarNoChange + coreContactsNoChange,
        coreCalendarInitial,
        coreContactsInitial,
        coreCalendarNoChange,
        coreContactsNoChange,
      };
    } finally {
      await inProcess.close();
    }
    const floorMs = await ctagFloor(servers, agent);

    // --- Correctness: every tool holds what was seeded
    const problems: string[] = [];
    const counts: Record<string, { events: number; contacts: number }> = {};
    const expectEq = (tool: string, what: string, got: number, want: number) => {
      if (got !== want) problems.push(`${tool} : ${fmtCount(got)} ${what} au lieu de ${fmtCount(want)}`);
    };
    for (const [tool, dir] of [
      ['Ostal', profile],
      ['Ostal (cœur ouvert)', coreProfile],
    ] as const) {
      const occurrences = JSON.parse(ostalIn(dir, 'calendar', 'list', '--from', LIST_WINDOW.from, '--to', LIST_WINDOW.to, '--json')) as {
        uid: string;
      }[];
      const stored = JSON.parse(ostalIn(dir, 'contacts', 'list', '--json')) as { uid: string }[];
      counts[tool] = { events: new Set(occurrences.map((o) => o.uid)).size, contacts: new Set(stored.map((c) => c.uid)).size };
    }
    counts.vdirsyncer = {
      events: countFiles(path.join(work, 'vdirsyncer', 'agenda'), '.ics'),
      contacts: countFiles(path.join(work, 'vdirsyncer', 'contacts'), '.vcf'),
    };
    for (const [tool, c] of Object.entries(counts)) {
      expectEq(tool, 'événements', c.events, nEvents);
      expectEq(tool, 'contacts', c.contacts, nContacts);
    }

    const peer = 'vdirsyncer';
    const what = `${fmtCount(nEvents)} événements, ${fmtCount(nContacts)} contacts`;
    rows.push(
      { measure: `Synchronisation initiale (${what})`, ostal: f.ostalInitial, peer: f.vdirInitial, peerName: `${peer} discover + sync` },
      { measure: 'Relance sans changement', ostal: f.ostalNoChange, peer: f.vdirNoChange, peerName: `${peer} sync` },
      {
        measure: 'Synchronisation initiale, cœur d’Ostal déjà ouvert',
        ostal: f.coreInitial,
        peer: f.vdirInitial,
        peerName: `${peer} discover + sync`,
      },
      { measure: 'Relance sans changement, cœur déjà ouvert', ostal: f.coreNoChange, peer: f.vdirNoChange, peerName: `${peer} sync` },
      { measure: '  dont agenda seul, cœur ouvert : initiale', ostal: f.coreCalendarInitial, peer: null, peerName: '' },
      { measure: '  dont agenda seul, cœur ouvert : relance', ostal: f.coreCalendarNoChange, peer: null, peerName: '' },
      { measure: '  dont contacts seuls, cœur ouvert : initiale', ostal: f.coreContactsInitial, peer: null, peerName: '' },
      { measure: '  dont contacts seuls, cœur ouvert : relance', ostal: f.coreContactsNoChange, peer: null, peerName: '' },
      { measure: 'Démarrage de la commande seule (status)', ostal: startupMs, peer: null, peerName: '' },
      {
        measure: 'Plancher du serveur pour une relance : getctag des deux collections',
        ostal: null,
        peer: floorMs,
        peerName: 'Radicale seul',
      },
    );
    printTable(`Agenda et contacts — ${what} (${fmtCount(recurring)} événements récurrents)`, rows);
    const ratio = f.ostalInitial / f.vdirInitial;
    process.stdout.write(
      `Mise en place sur Radicale (${seedFromCache ? 'copie du dossier gardée d’une exécution précédente' : 'fichiers écrits dans le stockage de Radicale'}, puis mise en cache par Radicale, non chronométrée) : ${(seedMs / 1000).toFixed(1).replace('.', ',')} s.\n` +
        'Deux premières lignes : les deux outils lancés comme commandes, démarrage du processus compris — Ostal : une commande ostal sync --only calendar,contacts ; vdirsyncer : discover puis sync, puis sync seul.\n' +
        'Lignes « cœur déjà ouvert » : le même moteur d’Ostal dans un processus où le cœur reste ouvert, comme dans l’application (second profil).\n' +
        `Objectifs : synchronisation initiale sous la moitié du temps de vdirsyncer (rapport mesuré : ${ratio.toFixed(2).replace('.', ',')}) ; relance sans changement sous 100 ms (cœur ouvert : ${f.coreNoChange.toFixed(1).replace('.', ',')} ms ; Radicale met à lui seul ${floorMs.toFixed(1).replace('.', ',')} ms à calculer le getctag des deux collections, qu’aucun client ne peut éviter).\n` +
        (problems.length
          ? `Écarts constatés :\n  ${problems.join('\n  ')}\n`
          : `Comptes vérifiés : Ostal (les deux profils, calendar list et contacts list) et vdirsyncer (fichiers) ont ${fmtCount(nEvents)} événements et ${fmtCount(nContacts)} contacts.\n`),
    );
    writeJson('dav', {
      events: nEvents,
      recurring,
      contacts: nContacts,
      seedMs,
      seedFromCache,
      counts,
      problems,
      figures: f,
      startupMs,
      ctagFloorMs: floorMs,
      rows,
    });
    if (problems.length) throw new Error('données locales incomplètes ou différentes du serveur');
  } finally {
    await stopServers(servers);
    fs.rmSync(work, { recursive: true, force: true });
  }
}
