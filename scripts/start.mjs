#!/usr/bin/env node
// `npm start`: starts Ostal. With the Electron binary present, the desktop app; otherwise browser mode (the core in
// Node serving the interface on 127.0.0.1, address printed). `--demo` first starts the local demo servers
// (tests/servers/) seeded with French data and a profile with agent1's account already set up.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

register();
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(root);
const args = process.argv.slice(2);
const demo = args.includes('--demo');
const passThrough = args.filter((a) => a !== '--demo');

function say(s) {
  process.stdout.write(s + '\n');
}

function newestMtime(dir) {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'dist' || entry.name === 'node_modules') continue;
    const p = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : fs.statSync(p).mtimeMs);
  }
  return newest;
}

function ensureRendererBuilt() {
  const index = path.join(root, 'renderer/dist/index.html');
  const stale = !fs.existsSync(index) || fs.statSync(index).mtimeMs < newestMtime(path.join(root, 'renderer'));
  if (!stale) return;
  say('Préparation de l’interface…');
  const r = spawnSync(
    process.execPath,
    ['node_modules/vite/bin/vite.js', 'build', '--config', 'renderer/vite.config.ts', '--logLevel', 'error'],
    { stdio: 'inherit' },
  );
  if (r.status !== 0) process.exit(r.status ?? 1);
}

function electronBinary() {
  try {
    const pathFile = path.join(root, 'node_modules/electron/path.txt');
    const bin = path.join(root, 'node_modules/electron/dist', fs.readFileSync(pathFile, 'utf8').trim());
    return fs.existsSync(bin) ? bin : null;
  } catch {
    return null;
  }
}

function runCli(cliArgs, env) {
  const r = spawnSync(process.execPath, ['bin/ostal.cjs', ...cliArgs], { stdio: 'inherit', env });
  if (r.status !== 0) throw new Error(`ostal ${cliArgs.join(' ')} : code ${r.status}`);
}

ensureRendererBuilt();
const env = { ...process.env };
let servers = null;
let stopServers = null;
let visio = null;

if (demo) {
  const mod = await import('../tests/servers/index.ts');
  stopServers = mod.stopServers;
  say('Démarrage des serveurs de démonstration (courrier, agenda, fichiers, discussions)…');
  servers = await mod.startServers({ seed: 'demo' });
  const agent = servers.users[0];
  // The demo's profile, policies and documents (OSTAL_DEMO_DIR: elsewhere, as its test does).
  const demoDir = process.env.OSTAL_DEMO_DIR ? path.resolve(process.env.OSTAL_DEMO_DIR) : path.join(root, '.ostal-run');
  const profile = path.join(demoDir, 'demo-profile');
  fs.rmSync(profile, { recursive: true, force: true });
  fs.mkdirSync(path.dirname(profile), { recursive: true });
  // What IT presets for the agents, by policy: the shared folders of the espaces de travail (on the demo Apache and
  // Radicale) and the meeting server (server/).
  const policyFile = path.join(demoDir, 'demo-policies.json');
  const settings = {
    'workspaces.webdavRoot': { value: servers.sharedWebdavRoot },
    'workspaces.caldavRoot': { value: servers.sharedCaldavRoot },
  };
  try {
    const { spawnVisioServer } = await import('../server/src/spawn.ts');
    // Agents sign in to it with their mail account (IMAP LOGIN on the demo Dovecot).
    visio = await spawnVisioServer({
      logLevel: 'warn',
      auth: {
        imap: { host: 'localhost', port: servers.imap.port, security: 'starttls', caFile: servers.caCertPath },
        ldap: null,
        tokenMinutes: 10,
        displayNames: Object.fromEntries(servers.users.map((u) => [u.username, u.name])),
      },
    });
    settings['visio.serverUrl'] = { value: visio.url };
  } catch (err) {
    say(`La visio de démonstration n’a pas pu démarrer (${err instanceof Error ? err.message : String(err)}).`);
  }
  fs.writeFileSync(policyFile, JSON.stringify({ settings }, null, 2));
  Object.assign(env, {
    OSTAL_POLICIES: policyFile,
    OSTAL_FILES_ROOT: path.join(demoDir, 'demo-fichiers'),
    NODE_EXTRA_CA_CERTS: servers.caCertPath,
    OSTAL_DNS_SERVERS: `127.0.0.1:${servers.dns.port}`,
    OSTAL_DISCOVERY_HTTPS_PORT: String(servers.apache.port),
    OSTAL_PROFILE: profile,
    OSTAL_DEMO_PASSWORD: agent.password,
  });
  say(`Ajout du compte de démonstration ${agent.email}…`);
  fs.rmSync(env.OSTAL_FILES_ROOT, { recursive: true, force: true });
  const webdav = `https://localhost:${servers.apache.port}/dav/${encodeURIComponent(agent.email)}/`;
  runCli(
    [
      'account',
      'add',
      '--email',
      agent.email,
      '--name',
      agent.name,
      '--password-env',
      'OSTAL_DEMO_PASSWORD',
      '--webdav',
      webdav,
      '--profile',
      profile,
    ],
    env,
  );
  runCli(['sync', '--profile', profile], env);
}

const bin = electronBinary();
let child;
if (bin && !args.includes('--browser')) {
  const r = spawnSync(process.execPath, ['scripts/build-main.mjs'], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
  child = spawn(bin, ['.', ...passThrough], { stdio: 'inherit', env });
} else {
  say('Électron n’est pas installé sur cette machine : Ostal démarre en mode navigateur.');
  const hostArgs = passThrough.filter((a) => a !== '--browser');
  if (demo && !hostArgs.includes('--port')) hostArgs.push('--port', process.env.OSTAL_PORT ?? '4180');
  // The core's process gets what src/host/core-process-env.ts gives it in the app (this script runs without tsx).
  child = spawn(process.execPath, ['--import', 'tsx', 'src/host/browser-mode.ts', ...hostArgs], {
    stdio: 'inherit',
    env: { ...env, MALLOC_ARENA_MAX: env.MALLOC_ARENA_MAX ?? '2' },
  });
}

let stopping = false;
async function shutdown(code) {
  if (stopping) return;
  stopping = true;
  if (child && child.exitCode === null) child.kill('SIGTERM');
  if (visio) await visio.stop().catch(() => undefined);
  if (servers && stopServers) {
    say('Arrêt des serveurs de démonstration…');
    await stopServers(servers);
  }
  process.exit(code);
}
process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));
child.on('exit', (code) => void shutdown(code ?? 0));
