/**
 * What tests/servers/ starts, as written to `<dir>/servers.json`.
 * Every server listens on 127.0.0.1 only, on high ports chosen at start.
 */
export interface TestUser {
  /** agent1@ostal.test … agent5@ostal.test */
  email: string;
  /** Login name on every server (same as email). */
  username: string;
  password: string;
  /** French display name, e.g. « Camille Martin ». */
  name: string;
}

export interface ServersInfo {
  /** Run folder holding configs, data, logs and PID files. */
  dir: string;
  /** The mail domain of the test users. */
  domain: 'ostal.test';
  /** PEM of the per-run CA; give it to Node with NODE_EXTRA_CA_CERTS. */
  caCertPath: string;
  /** Host name every certificate is valid for (SAN localhost, 127.0.0.1, ostal.test, *.ostal.test). */
  host: 'localhost';
  /** Tiny DNS server (UDP+TCP) answering SRV/TXT/A for ostal.test: use with OSTAL_DNS_SERVERS=127.0.0.1:<port>. */
  dns: { port: number; pid: number };
  /** Dovecot: IMAP with STARTTLS on `port`, implicit TLS on `tlsPort`; LMTP on a unix socket. */
  imap: { port: number; tlsPort: number; pid: number };
  /** Dovecot's ManageSieve (Pigeonhole, RFC 5804) with STARTTLS; Sieve runs at LMTP delivery. `relayPort`: Postfix
   *  listener without AUTH for local recipients only (automatic answers leave by it). Part of the `imap` daemon. */
  sieve: { port: number; relayPort: number };
  /** Postfix submission: STARTTLS on `port`, implicit TLS on `tlsPort`; delivers to Dovecot by LMTP. */
  smtp: { port: number; tlsPort: number; pid: number };
  /** Radicale over HTTPS (CalDAV/CardDAV), https://localhost:<port>/ */
  radicale: { port: number; pid: number };
  /** Apache mod_dav over HTTPS: WebDAV at https://localhost:<port>/dav/<user>/, and the Thunderbird autoconfig file at
   *  https://localhost:<port>/mail/config-v1.1.xml and /.well-known/autoconfig/mail/config-v1.1.xml */
  apache: { port: number; pid: number };
  /** Prosody (XMPP): client connections with STARTTLS on `port` (JIDs agentN@ostal.test, same passwords), HTTPS
   *  file sharing (XEP-0363) on `httpsPort`; components `mucService` (rooms with archives) and `uploadService`. */
  prosody: { port: number; httpsPort: number; pid: number; mucService: string; uploadService: string };
  /** Shared WebDAV root every agent may read and write (the organisation's shared folders, for espaces de travail). */
  sharedWebdavRoot: string;
  /** Shared CalDAV root every agent may list and make calendars in (the espaces de travail's agendas). */
  sharedCaldavRoot: string;
  users: TestUser[];
  /** Which data set was seeded at start ('test': counts in SEED_COUNTS, 'demo': DEMO_COUNTS). */
  seed?: 'test' | 'demo' | 'none';
  /** PID of the process that owns the run and stops it at its end (vitest globalSetup); absent for
   *  runs meant to outlive their starter (CLI). A run whose owner died is stopped by pruneServers(). */
  ownerPid?: number;
}

export type ServerName = 'dns' | 'imap' | 'smtp' | 'radicale' | 'apache' | 'prosody';
