/**
 * Server configuration: a JSON file (see config.example.json and README.md, in French), then environment
 * overrides. Errors are French sentences for IT (the people who run the server), printed before exit.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MeetIceServer } from '../../src/shared/meet-protocol.js';
import type { LogLevel } from './log.js';

/** The pinned mediasoup version (server/package.json), also the cache folder of the worker build. */
export const MEDIASOUP_VERSION = '3.12.16';

export interface ServerConfig {
  /** Address the HTTP/WebSocket server listens on. */
  host: string;
  /** Port (0 = any free port, printed on stdout). */
  port: number;
  /** Optional TLS (otherwise put the server behind a reverse proxy that terminates TLS). */
  tls: { certFile: string; keyFile: string } | null;
  /** Number of mediasoup workers; 0 = one per core. */
  workers: number;
  /** Path of the mediasoup-worker binary; otherwise MEDIASOUP_WORKER_BIN or the one npm installed. */
  workerBin: string | null;
  /** UDP/TCP port range for media (split between workers). */
  rtcMinPort: number;
  rtcMaxPort: number;
  /** Local IP the media sockets bind to. */
  listenIp: string;
  /** Public IP announced to clients (needed behind NAT or when listenIp is 0.0.0.0). */
  announcedIp: string | null;
  enableUdp: boolean;
  enableTcp: boolean;
  /** Initial outgoing bitrate estimate per transport (bps). */
  initialAvailableOutgoingBitrate: number;
  /** Cap of what one participant may send (bps, 0 = no cap). */
  maxIncomingBitrate: number;
  /** TURN/STUN servers given to clients (coturn, see README). */
  iceServers: MeetIceServer[];
  /** A join token is needed to enter a room that has no organiser present (i.e. to create a meeting). */
  requireToken: boolean;
  /** Shared secret of join tokens (HS256). Can also come from OSTAL_VISIO_TOKEN_SECRET. */
  tokenSecret: string | null;
  /** Guests without a token may knock (salle d'attente). False: a token is needed for everyone. */
  allowGuests: boolean;
  /** Guests wait for an organiser to admit them. False: they enter directly as participants. */
  waitingRoom: boolean;
  /** Maximum peers per room (joined + waiting). */
  maxPeersPerRoom: number;
  logLevel: LogLevel;
  mediasoupLogLevel: 'debug' | 'warn' | 'error' | 'none';
  /**
   * Folder of the built guest page (`npm run build:renderer`: salle.html and assets/), served at
   * `/salle/<roomId>`. null = the repository's renderer/dist next to server/.
   */
  guestPageDir: string | null;
}

export const DEFAULT_CONFIG: ServerConfig = {
  host: '127.0.0.1',
  port: 4443,
  tls: null,
  workers: 0,
  workerBin: null,
  rtcMinPort: 40000,
  rtcMaxPort: 49999,
  listenIp: '127.0.0.1',
  announcedIp: null,
  enableUdp: true,
  enableTcp: true,
  initialAvailableOutgoingBitrate: 1_000_000,
  maxIncomingBitrate: 3_000_000,
  iceServers: [],
  requireToken: false,
  tokenSecret: null,
  allowGuests: true,
  waitingRoom: true,
  maxPeersPerRoom: 50,
  logLevel: 'info',
  mediasoupLogLevel: 'warn',
  guestPageDir: null,
};

export class ConfigError extends Error {}

function fail(message: string): never {
  throw new ConfigError(message);
}

function check(config: ServerConfig): ServerConfig {
  const isInt = (n: unknown, min: number, max: number) => typeof n === 'number' && Number.isInteger(n) && n >= min && n <= max;
  if (typeof config.host !== 'string' || config.host === '') fail('« host » doit être une adresse (par exemple 0.0.0.0).');
  if (!isInt(config.port, 0, 65535)) fail('« port » doit être un entier entre 0 et 65535.');
  if (!isInt(config.workers, 0, 256)) fail('« workers » doit être un entier (0 = un par cœur).');
  if (!isInt(config.rtcMinPort, 1024, 65535) || !isInt(config.rtcMaxPort, 1024, 65535) || config.rtcMinPort > config.rtcMaxPort) {
    fail('« rtcMinPort » et « rtcMaxPort » doivent former une plage de ports entre 1024 et 65535.');
  }
  if (!config.enableUdp && !config.enableTcp) fail('Activez au moins UDP ou TCP (« enableUdp », « enableTcp »).');
  if (!Array.isArray(config.iceServers) || config.iceServers.some((s) => typeof s !== 'object' || s === null || !('urls' in s))) {
    fail('« iceServers » doit être une liste d’objets { urls, username, credential }.');
  }
  if (config.tls !== null && (typeof config.tls.certFile !== 'string' || typeof config.tls.keyFile !== 'string')) {
    fail('« tls » doit valoir null ou { "certFile": "…", "keyFile": "…" }.');
  }
  if (config.requireToken && !config.tokenSecret) {
    fail('« requireToken » est activé mais aucun secret n’est configuré (« tokenSecret » ou OSTAL_VISIO_TOKEN_SECRET).');
  }
  if (config.tokenSecret !== null && config.tokenSecret.length < 32) {
    fail('Le secret des jetons doit faire au moins 32 caractères.');
  }
  if (!config.allowGuests && !config.requireToken) fail('« allowGuests » à false n’a de sens qu’avec « requireToken » à true.');
  if (!isInt(config.maxPeersPerRoom, 2, 1000)) fail('« maxPeersPerRoom » doit être un entier entre 2 et 1000.');
  if (!['debug', 'info', 'warn', 'error'].includes(config.logLevel)) fail('« logLevel » : debug, info, warn ou error.');
  if (config.guestPageDir !== null && (typeof config.guestPageDir !== 'string' || config.guestPageDir === '')) {
    fail('« guestPageDir » doit être le chemin du dossier de la page des invités (renderer/dist), ou null.');
  }
  if (!['debug', 'warn', 'error', 'none'].includes(config.mediasoupLogLevel)) fail('« mediasoupLogLevel » : debug, warn, error ou none.');
  return config;
}

/**
 * Load the configuration: `--config <file>` or OSTAL_VISIO_CONFIG (optional), then OSTAL_VISIO_HOST,
 * OSTAL_VISIO_PORT, OSTAL_VISIO_TOKEN_SECRET, OSTAL_VISIO_ANNOUNCED_IP, MEDIASOUP_WORKER_BIN.
 */
export function loadConfig(argv: string[], env: NodeJS.ProcessEnv): ServerConfig {
  const at = argv.indexOf('--config');
  const file = at >= 0 ? argv[at + 1] : env.OSTAL_VISIO_CONFIG;
  let fromFile: Partial<ServerConfig> = {};
  if (file) {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      fail(`Fichier de configuration introuvable ou illisible\u00a0: ${file}`);
    }
    try {
      fromFile = JSON.parse(text) as Partial<ServerConfig>;
    } catch (error) {
      fail(`Le fichier de configuration ${file} n’est pas du JSON valide (${(error as Error).message}).`);
    }
    if (typeof fromFile !== 'object' || fromFile === null || Array.isArray(fromFile)) fail(`${file} doit contenir un objet JSON.`);
    const unknown = Object.keys(fromFile).filter((k) => !k.startsWith('_') && !(k in DEFAULT_CONFIG));
    if (unknown.length > 0) fail(`Réglages inconnus dans ${file}\u00a0: ${unknown.join(', ')}.`);
  }
  const config: ServerConfig = { ...DEFAULT_CONFIG, ...fromFile };
  if (env.OSTAL_VISIO_HOST) config.host = env.OSTAL_VISIO_HOST;
  if (env.OSTAL_VISIO_PORT !== undefined && env.OSTAL_VISIO_PORT !== '') config.port = Number(env.OSTAL_VISIO_PORT);
  if (env.OSTAL_VISIO_TOKEN_SECRET) config.tokenSecret = env.OSTAL_VISIO_TOKEN_SECRET;
  if (env.OSTAL_VISIO_ANNOUNCED_IP) config.announcedIp = env.OSTAL_VISIO_ANNOUNCED_IP;
  if (!config.workerBin && env.MEDIASOUP_WORKER_BIN) config.workerBin = env.MEDIASOUP_WORKER_BIN;
  if (!config.workerBin) config.workerBin = defaultWorkerBin();
  if (config.workerBin && !fs.existsSync(config.workerBin)) {
    fail(
      `Le programme mediasoup-worker est introuvable\u00a0: ${config.workerBin}. Construisez-le avec scripts/build-mediasoup-worker.sh.`,
    );
  }
  if (config.guestPageDir === null) config.guestPageDir = defaultGuestPageDir();
  return check(config);
}

/** The guest page built in the repository (renderer/dist), for a server run from a clone. */
export function defaultGuestPageDir(): string {
  return path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'renderer', 'dist');
}

/**
 * Without explicit setting: the worker npm installed with mediasoup (a server with internet access), else the one
 * scripts/build-mediasoup-worker.sh built in the repository cache, else null (mediasoup then fails clearly).
 */
function defaultWorkerBin(): string | null {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const candidates = [
    path.join(here, '..', 'node_modules', 'mediasoup', 'worker', 'out', 'Release', 'mediasoup-worker'),
    path.join(
      here,
      '..',
      '..',
      '.cache',
      'mediasoup-worker',
      MEDIASOUP_VERSION,
      'package',
      'worker',
      'out',
      'Release',
      'build',
      'mediasoup-worker',
    ),
  ];
  return candidates.find((c) => fs.existsSync(c)) ?? null;
}

/** Number of workers to start. */
export function workerCount(config: ServerConfig): number {
  return config.workers > 0 ? config.workers : Math.max(1, os.cpus().length);
}
