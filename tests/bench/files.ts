/**
 * `npm run bench -- files [--files N] [--size-mb M]`: a tree of French documents (2 000 files, about 500 Mo by
 * default) uploaded to the test Apache WebDAV, then, in the same run and on the same data: `rclone sync` (Debian)
 * and Ostal's CLI `files sync`, each from the server to its own local folder — initial download, no-change rerun,
 * and rerun after 10 files changed on the server. Both are timed as commands, process start-up included.
 * OSTAL_BENCH_CPU_PROF=<dir> writes a CPU profile of each Ostal command.
 */
import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { startServers, stopServers } from '../servers/index.js';
import { encodePath } from '../servers/http.js';
import { changeFiles, fileChunks, makeTree, uploadTree, type DavTarget, type Tree } from './files-tree.js';
import { printTable, timed, writeJson, type BenchRow } from './report.js';

const ROOT = path.resolve(import.meta.dirname, '..', '..');

function numberArg(args: string[], name: string, fallback: number): number {
  const i = args.indexOf(name);
  if (i < 0) return fallback;
  const v = Number(args[i + 1]);
  if (!Number.isFinite(v) || v <= 0) throw new Error(`${name} attend un nombre positif`);
  return v;
}

/** Regular files below `dir` (dot entries skipped: tools keep their state there), NFC relative path → size. */
export function localFiles(dir: string): Map<string, number> {
  const out = new Map<string, number>();
  const walk = (d: string, rel: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      if (e.name.startsWith('.')) continue;
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(path.join(d, e.name), r);
      else if (e.isFile()) out.set(r.normalize('NFC'), fs.statSync(path.join(d, e.name)).size);
    }
  };
  walk(dir, '');
  return out;
}

function sha256(chunks: Iterable<Buffer>): string {
  const h = crypto.createHash('sha256');
  for (const c of chunks) h.update(c);
  return h.digest('hex');
}

/** Whether `dir` mirrors `tree`: same paths, same sizes; the listed files also compared by content. */
function checkMirror(tool: string, dir: string, tree: Tree, contentOf: Tree['files'] = []): string[] {
  const local = localFiles(dir);
  const problems: string[] = [];
  for (const f of tree.files) {
    const size = local.get(f.path);
    if (size === undefined) problems.push(`${tool} : ${f.path} absent`);
    else if (size !== f.size) problems.push(`${tool} : ${f.path} fait ${size} octets au lieu de ${f.size}`);
  }
  if (local.size !== tree.files.length) problems.push(`${tool} : ${local.size} fichiers en local au lieu de ${tree.files.length}`);
  for (const f of contentOf) {
    const file = path.join(dir, ...f.path.split('/'));
    if (fs.existsSync(file) && sha256([fs.readFileSync(file)]) !== sha256(fileChunks(f)))
      problems.push(`${tool} : contenu de ${f.path} différent du serveur`);
  }
  return problems.slice(0, 5);
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): void {
  const r = spawnSync(cmd, args, { encoding: 'utf8', env, maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0)
    throw new Error(
      `${path.basename(cmd)} ${args.slice(0, 2).join(' ')} a échoué (code ${r.status}) : ${(r.stderr || r.stdout).slice(-2000)}`,
    );
}

/** Ostal's core opened once in its own process (tests/bench/files-ostal.ts): `sync()` runs one files.sync and gives its time. */
async function ostalInProcess(params: object, env: NodeJS.ProcessEnv): Promise<{ sync(): Promise<number>; close(): Promise<void> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'files-ostal.ts'), JSON.stringify(params)], {
    env,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
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
    async sync() {
      child.stdin.write('sync\n');
      const r = await next();
      if (r.error !== undefined || r.ms === undefined) throw new Error(`files.sync d’Ostal a échoué : ${r.error}`);
      return r.ms;
    },
    async close() {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.stdin.end();
      await exited;
    },
  };
}

export async function benchFiles(args: string[]): Promise<void> {
  const count = Math.round(numberArg(args, '--files', 2000));
  const sizeMb = numberArg(args, '--size-mb', 500);
  const changes = Math.min(10, count);
  const servers = await startServers({ seed: 'none' });
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'ostal-bench-files-'));
  const rows: BenchRow[] = [];
  try {
    const agent = servers.users[1];
    const ca = fs.readFileSync(servers.caCertPath, 'utf8');
    const target: DavTarget = {
      port: servers.apache.port,
      root: `/dav/${encodePath(agent.username)}/`,
      user: agent.username,
      password: agent.password,
      ca,
    };
    const url = `https://localhost:${servers.apache.port}${target.root}`;
    const tree = makeTree(count, sizeMb * 1_000_000);
    process.stderr.write(
      `Envoi de ${tree.files.length} fichiers (${(tree.bytes / 1048576).toFixed(1)} Mio, ${tree.folders.length} dossiers) sur le serveur WebDAV…\n`,
    );
    const uploadMs = await (async () => {
      const t = performance.now();
      await uploadTree(target, tree, 8);
      return performance.now() - t;
    })();
    process.stderr.write(`Envoi terminé en ${(uploadMs / 1000).toFixed(1)} s.\n`);

    // --- rclone (Debian), default settings, certificate checked with the run's CA
    const rcloneDir = path.join(work, 'rclone');
    const rcloneConf = path.join(work, 'rclone.conf');
    fs.writeFileSync(rcloneConf, '');
    const obscured = spawnSync('rclone', ['obscure', agent.password], { encoding: 'utf8' }).stdout.trim();
    const rclone = () =>
      run('rclone', [
        'sync',
        ':webdav:',
        rcloneDir,
        '--config',
        rcloneConf,
        '--webdav-url',
        url,
        '--webdav-vendor',
        'other',
        '--webdav-user',
        agent.username,
        '--webdav-pass',
        obscured,
        '--ca-cert',
        servers.caCertPath,
      ]);

    // --- Ostal: the CLI as IT scripts call it, in its own profile
    const profile = path.join(work, 'ostal-profile');
    const ostalBase = path.join(work, 'ostal');
    // Ostal keeps each account's files in <files.localRoot>/<email> (OSTAL_FILES_ROOT overrides the setting).
    const ostalDir = path.join(ostalBase, agent.email);
    const ostalEnv = {
      ...process.env,
      NODE_EXTRA_CA_CERTS: servers.caCertPath,
      OSTAL_BENCH_PASSWORD: agent.password,
      OSTAL_PROFILE: profile,
      OSTAL_FILES_ROOT: ostalBase,
    };
    const prof = process.env.OSTAL_BENCH_CPU_PROF;
    const ostal = (...a: string[]) =>
      run(
        process.execPath,
        [...(prof ? ['--cpu-prof', `--cpu-prof-dir=${prof}`] : []), path.join(ROOT, 'bin', 'ostal.mjs'), ...a, '--profile', profile],
        ostalEnv,
      );
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
      '--webdav',
      url,
    );
    // `files sync` returns when the folders are in sync; older CLIs only have `sync --only files` (same engine).
    let syncArgs = ['files', 'sync'];
    let startupMs: number | null = null;
    try {
      startupMs = timed(() => ostal('files', 'status', '--json'));
    } catch {
      syncArgs = ['sync', '--only', 'files'];
      startupMs = timed(() => ostal('status', '--json'));
    }
    const ostalSync = (): number => timed(() => ostal(...syncArgs));

    // The same engine with its core kept open, as in the app: a second profile and local folder.
    const coreBase = path.join(work, 'ostal-core');
    const coreDir = path.join(coreBase, agent.email);
    const inProcess = await ostalInProcess(
      {
        profileDir: path.join(work, 'ostal-core-profile'),
        email: agent.email,
        password: agent.password,
        imapPort: servers.imap.tlsPort,
        smtpPort: servers.smtp.tlsPort,
        webdav: url,
      },
      { ...process.env, NODE_EXTRA_CA_CERTS: servers.caCertPath, OSTAL_FILES_ROOT: coreBase },
    );

    let f: Record<
      | 'rcloneInitial'
      | 'ostalInitial'
      | 'coreInitial'
      | 'rcloneNoChange'
      | 'ostalNoChange'
      | 'coreNoChange'
      | 'rcloneChanged'
      | 'ostalChanged'
      | 'coreChanged',
      number
    >;
    const problems: string[] = [];
    try {
      const rcloneInitial = timed(rclone);
      problems.push(...checkMirror('rclone', rcloneDir, tree));
      const ostalInitial = ostalSync();
      problems.push(...checkMirror('Ostal', ostalDir, tree));
      const coreInitial = await inProcess.sync();
      problems.push(...checkMirror('Ostal (cœur ouvert)', coreDir, tree));
      const rcloneNoChange = timed(rclone);
      const ostalNoChange = ostalSync();
      const coreNoChange = await inProcess.sync();
      const changed = await changeFiles(target, tree, changes);
      const rcloneChanged = timed(rclone);
      problems.push(...checkMirror('rclone', rcloneDir, tree, changed));
      const ostalChanged = ostalSync();
      problems.push(...checkMirror('Ostal', ostalDir, tree, changed));
      const coreChanged = await inProcess.sync();
      problems.push(...checkMirror('Ostal (cœur ouvert)', coreDir, tree, changed));
      f = {
        rcloneInitial,
        ostalInitial,
        coreInitial,
        rcloneNoChange,
        ostalNoChange,
        coreNoChange,
        rcloneChanged,
        ostalChanged,
        coreChanged,
      };
    } finally {
      await inProcess.close();
    }
    const {
      rcloneInitial,
      ostalInitial,
      coreInitial,
      rcloneNoChange,
      ostalNoChange,
      coreNoChange,
      rcloneChanged,
      ostalChanged,
      coreChanged,
    } = f;

    const mib = (tree.bytes / 1048576).toFixed(1).replace('.', ',');
    rows.push(
      {
        measure: `Téléchargement initial (${tree.files.length} fichiers, ${mib} Mio)`,
        ostal: ostalInitial,
        peer: rcloneInitial,
        peerName: 'rclone sync',
      },
      { measure: 'Relance sans changement', ostal: ostalNoChange, peer: rcloneNoChange, peerName: 'rclone sync' },
      {
        measure: `Relance après ${changes} fichiers modifiés sur le serveur`,
        ostal: ostalChanged,
        peer: rcloneChanged,
        peerName: 'rclone sync',
      },
      { measure: 'Téléchargement initial, cœur d’Ostal déjà ouvert', ostal: coreInitial, peer: rcloneInitial, peerName: 'rclone sync' },
      { measure: 'Relance sans changement, cœur déjà ouvert', ostal: coreNoChange, peer: rcloneNoChange, peerName: 'rclone sync' },
      {
        measure: `Relance après ${changes} fichiers modifiés, cœur déjà ouvert`,
        ostal: coreChanged,
        peer: rcloneChanged,
        peerName: 'rclone sync',
      },
      {
        measure: `Démarrage de la commande seule (${syncArgs[0] === 'files' ? 'files status' : 'status'})`,
        ostal: startupMs,
        peer: null,
        peerName: '',
      },
    );
    printTable(`Fichiers — ${tree.files.length} fichiers, ${mib} Mio, ${tree.folders.length} dossiers`, rows);
    process.stdout.write(
      `Envoi préalable sur le serveur (8 PUT en parallèle) : ${(uploadMs / 1000).toFixed(1).replace('.', ',')} s.\n` +
        `Trois premières lignes : les deux outils lancés comme commandes (ostal ${syncArgs.join(' ')}, rclone sync), démarrage du processus compris ; rclone avec ses réglages par défaut.\n` +
        'Trois suivantes : le même moteur d’Ostal dans un processus où le cœur reste ouvert, comme dans l’application (second profil, second dossier local).\n' +
        (problems.length
          ? `Écarts constatés :\n  ${problems.join('\n  ')}\n`
          : 'Copies locales vérifiées : mêmes fichiers et mêmes tailles que le serveur, contenu des fichiers modifiés identique.\n'),
    );
    writeJson('files', {
      ostalCommand: syncArgs.join(' '),
      files: tree.files.length,
      bytes: tree.bytes,
      folders: tree.folders.length,
      uploadMs,
      problems,
      rows,
    });
    if (problems.length) throw new Error('copie locale incomplète ou différente du serveur');
  } finally {
    await stopServers(servers);
    fs.rmSync(work, { recursive: true, force: true });
  }
}
