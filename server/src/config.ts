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
  /** How agents prove who they are (`POST /api/connexion`); null = no agent sign-in (old shared-secret tokens only). */
  auth: AgentAuthConfig | null;
  /** Rooms open at the same time on this server. */
  maxRooms: number;
  /** WebSocket connections open at once from one remote address (behind a proxy: see trustedProxies). */
  maxConnectionsPerAddress: number;
  /** Sustained messages per second of one WebSocket (token bucket); beyond the burst the connection is closed. */
  maxMessagesPerSecond: number;
  /** Size of the token bucket (messages accepted in a burst, e.g. when joining a big meeting). */
  maxMessageBurst: number;
  /** Largest WebSocket message, bytes; a bigger one closes its connection. */
  maxMessageBytes: number;
  /** WebRTC transports one peer may hold. */
  maxTransportsPerPeer: number;
  /**
   * Origins (`scheme://host[:port]`, `:*` = any port) whose pages may open the WebSocket, besides the server's own
   * origin. A connection without Origin header (not a browser) is let through: the checks after it do not trust it.
   */
  allowedOrigins: string[];
  /** Addresses of reverse proxies whose X-Forwarded-For is believed for the per-address limit. */
  trustedProxies: string[];
  /** coturn's shared secret (`static-auth-secret`): every peer gets its own time-limited TURN credentials. */
  turnSecret: string | null;
  /** TURN URLs given with those credentials, e.g. `turns:turn.exemple.gouv.fr:5349?transport=tcp`. */
  turnUrls: string[];
  /** Lifetime of TURN credentials, hours. */
  turnCredentialHours: number;
  logLevel: LogLevel;
  mediasoupLogLevel: 'debug' | 'warn' | 'error' | 'none';
  /**
   * Folder of the built guest page (`npm run build:renderer`: salle.html and assets/), served at
   * `/salle/<roomId>`. null = the repository's renderer/dist next to server/.
   */
  guestPageDir: string | null;
}

/** Agent sign-in: IMAP LOGIN against the organisation's mail server, or an LDAP simple bind. */
export interface AgentAuthConfig {
  imap: ImapAuthConfig | null;
  /** Designed, not implemented yet: a non-null value stops the server with a clear message. */
  ldap: LdapAuthConfig | null;
  /** Lifetime of a token given by `POST /api/connexion`, minutes. */
  tokenMinutes: number;
  /** Display names by login (lower case); otherwise the name is made from the login (camille.martin → Camille Martin). */
  displayNames: Record<string, string>;
}

export interface ImapAuthConfig {
  host: string;
  port: number;
  /** `tls`: implicit TLS (993); `starttls`: STARTTLS required (143). Never in clear. */
  security: 'tls' | 'starttls';
  /** PEM file of the CA of the IMAP server's certificate, when it is not in the system store. */
  caFile: string | null;
}

export interface LdapAuthConfig {
  /** ldaps://annuaire.exemple.gouv.fr */
  url: string;
  /** DN of an agent, `{login}` replaced, e.g. `uid={login},ou=agents,dc=exemple,dc=gouv,dc=fr`. */
  bindDn: string;
  caFile: string | null;
}

export const DEFAULT_AUTH: AgentAuthConfig = { imap: null, ldap: null, tokenMinutes: 10, displayNames: {} };

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
  requireToken: true,
  tokenSecret: null,
  allowGuests: true,
  waitingRoom: true,
  maxPeersPerRoom: 50,
  auth: null,
  maxRooms: 200,
  maxConnectionsPerAddress: 50,
  maxMessagesPerSecond: 50,
  maxMessageBurst: 300,
  maxMessageBytes: 65_536,
  maxTransportsPerPeer: 4,
  allowedOrigins: ['ostal-app://renderer', 'http://127.0.0.1:*', 'http://localhost:*'],
  trustedProxies: [],
  turnSecret: null,
  turnUrls: [],
  turnCredentialHours: 8,
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
  if (config.auth !== null) checkAuth(config.auth);
  const agentAuth = config.auth !== null && (config.auth.imap !== null || config.auth.ldap !== null);
  if (!isLoopback(config.host) && !config.requireToken) {
    fail(
      `Le serveur écouterait au-delà de cet ordinateur («\u00a0host\u00a0»\u00a0: ${config.host}) sans authentification des agents\u00a0: ` +
        'n’importe qui pourrait ouvrir des réunions. Mettez « requireToken » à true et configurez « auth » ' +
        '(serveur IMAP de l’organisation), ou écoutez sur 127.0.0.1 derrière un mandataire inverse.',
    );
  }
  if (config.requireToken && !agentAuth && !config.tokenSecret) {
    fail(
      'Aucune authentification des agents n’est configurée : renseignez « auth » (serveur IMAP de l’organisation) ' +
        'ou, à l’ancienne, « tokenSecret » (ou OSTAL_VISIO_TOKEN_SECRET). Pour un essai sur cet ordinateur seulement, mettez « requireToken » à false.',
    );
  }
  if (config.tokenSecret !== null && config.tokenSecret.length < 32) {
    fail('Le secret des jetons doit faire au moins 32 caractères.');
  }
  if (!config.allowGuests && !config.requireToken) fail('« allowGuests » à false n’a de sens qu’avec « requireToken » à true.');
  if (!isInt(config.maxPeersPerRoom, 2, 1000)) fail('« maxPeersPerRoom » doit être un entier entre 2 et 1000.');
  if (!isInt(config.maxRooms, 1, 100_000)) fail('« maxRooms » doit être un entier entre 1 et 100000.');
  if (!isInt(config.maxConnectionsPerAddress, 1, 100_000)) fail('« maxConnectionsPerAddress » doit être un entier positif.');
  if (!isInt(config.maxMessagesPerSecond, 1, 100_000)) fail('« maxMessagesPerSecond » doit être un entier positif.');
  if (!isInt(config.maxMessageBurst, 1, 1_000_000)) fail('« maxMessageBurst » doit être un entier positif.');
  if (!isInt(config.maxMessageBytes, 4096, 16 * 1024 * 1024)) fail('« maxMessageBytes » doit être un entier entre 4096 et 16777216.');
  if (!isInt(config.maxTransportsPerPeer, 2, 32)) fail('« maxTransportsPerPeer » doit être un entier entre 2 et 32.');
  const strings = (v: unknown) => Array.isArray(v) && v.every((x) => typeof x === 'string' && x !== '');
  if (!strings(config.allowedOrigins) || config.allowedOrigins.some((o) => !/^[a-z][a-z0-9+.-]*:\/\/[^/\s]+$/i.test(o))) {
    fail('« allowedOrigins » doit être une liste d’origines comme "https://ostal.exemple.gouv.fr" ou "http://127.0.0.1:*".');
  }
  if (!strings(config.trustedProxies)) fail('« trustedProxies » doit être une liste d’adresses IP.');
  if (config.turnSecret !== null && (typeof config.turnSecret !== 'string' || config.turnSecret.length < 16)) {
    fail('« turnSecret » doit faire au moins 16 caractères (le « static-auth-secret » de coturn).');
  }
  if (!strings(config.turnUrls) || config.turnUrls.some((u) => !/^turns?:/.test(u)))
    fail('« turnUrls » doit être une liste d’adresses turn: ou turns:.');
  if (config.turnSecret !== null && config.turnUrls.length === 0) fail('« turnSecret » est donné sans « turnUrls ».');
  if (typeof config.turnCredentialHours !== 'number' || !(config.turnCredentialHours > 0 && config.turnCredentialHours <= 48)) {
    fail('« turnCredentialHours » doit être un nombre d’heures entre 0 et 48.');
  }
  if (!['debug', 'info', 'warn', 'error'].includes(config.logLevel)) fail('« logLevel » : debug, info, warn ou error.');
  if (config.guestPageDir !== null && (typeof config.guestPageDir !== 'string' || config.guestPageDir === '')) {
    fail('« guestPageDir » doit être le chemin du dossier de la page des invités (renderer/dist), ou null.');
  }
  if (!['debug', 'warn', 'error', 'none'].includes(config.mediasoupLogLevel)) fail('« mediasoupLogLevel » : debug, warn, error ou none.');
  return config;
}

function checkAuth(auth: AgentAuthConfig): void {
  const isInt = (n: unknown, min: number, max: number) => typeof n === 'number' && Number.isInteger(n) && n >= min && n <= max;
  if (auth.imap !== null) {
    const imap = auth.imap;
    if (typeof imap !== 'object' || typeof imap.host !== 'string' || imap.host === '')
      fail('« auth.imap.host » doit nommer le serveur IMAP.');
    if (!isInt(imap.port, 1, 65535)) fail('« auth.imap.port » doit être un port (993 en TLS, 143 avec STARTTLS).');
    if (imap.security !== 'tls' && imap.security !== 'starttls') fail('« auth.imap.security » : "tls" ou "starttls" (jamais en clair).');
    if (imap.caFile !== null && !fs.existsSync(imap.caFile))
      fail(`Certificat d’autorité introuvable («\u00a0auth.imap.caFile\u00a0»)\u00a0: ${imap.caFile}`);
  }
  if (auth.ldap !== null) {
    fail('L’authentification LDAP (« auth.ldap ») n’est pas encore disponible : utilisez « auth.imap ».');
  }
  if (!isInt(auth.tokenMinutes, 1, 24 * 60)) fail('« auth.tokenMinutes » doit être un nombre de minutes entre 1 et 1440.');
  if (
    typeof auth.displayNames !== 'object' ||
    auth.displayNames === null ||
    Object.values(auth.displayNames).some((v) => typeof v !== 'string')
  ) {
    fail('« auth.displayNames » doit associer des identifiants à des noms.');
  }
}

/** True for an address that only this computer can reach. */
export function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  return bare === 'localhost' || bare === '::1' || /^127\.\d+\.\d+\.\d+$/.test(bare);
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
  if (fromFile.auth) {
    const given = fromFile.auth as Partial<AgentAuthConfig>;
    if (typeof given !== 'object' || Array.isArray(given)) fail('« auth » doit être un objet (voir server/README.md).');
    const unknownAuth = Object.keys(given).filter((k) => !k.startsWith('_') && !(k in DEFAULT_AUTH));
    if (unknownAuth.length > 0) fail(`Réglages inconnus dans «\u00a0auth\u00a0»\u00a0: ${unknownAuth.join(', ')}.`);
    config.auth = {
      ...DEFAULT_AUTH,
      ...given,
      imap: given.imap ? { ...given.imap, caFile: given.imap.caFile ?? null } : null,
      ldap: given.ldap ? { ...given.ldap, caFile: given.ldap.caFile ?? null } : null,
    };
  }
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
