/**
 * npm run servers -- start [--dir D] [--seed demo|test|none]   (default seed: demo)
 * npm run servers -- stop --dir D
 * npm run servers -- status --dir D
 * npm run servers -- prune          (stops the runs whose owning test process is gone)
 * `start` prints the servers.json path, then a summary in French, and exits leaving the daemons running.
 */
import path from 'node:path';
import { pruneServers, readServersInfo, serverStatus, startServers, stopServers, SEED_COUNTS, DEMO_COUNTS } from './index.js';
import type { ServersInfo } from './types.js';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const NBSP = '\u00a0';

function summary(info: ServersInfo, seed: string): string {
  const counts = seed === 'test' ? SEED_COUNTS : seed === 'demo' ? DEMO_COUNTS : undefined;
  const first = info.users[0];
  const lines = [
    `Serveurs de test démarrés dans ${info.dir}`,
    `  Autorité de certification${NBSP}: ${info.caCertPath} (export NODE_EXTRA_CA_CERTS=${info.caCertPath})`,
    `  IMAP (STARTTLS)${NBSP}: localhost:${info.imap.port} — IMAPS${NBSP}: localhost:${info.imap.tlsPort}`,
    `  SMTP soumission (STARTTLS)${NBSP}: localhost:${info.smtp.port} — SMTPS${NBSP}: localhost:${info.smtp.tlsPort}`,
    `  ManageSieve (STARTTLS)${NBSP}: localhost:${info.sieve.port}`,
    `  CalDAV/CardDAV (Radicale)${NBSP}: https://localhost:${info.radicale.port}/`,
    `  WebDAV (Apache)${NBSP}: https://localhost:${info.apache.port}/dav/<adresse>/`,
    `  Partage de l’organisation (WebDAV)${NBSP}: ${info.sharedWebdavRoot}`,
    `  Agendas partagés de l’organisation (CalDAV)${NBSP}: ${info.sharedCaldavRoot}`,
    `  XMPP (Prosody)${NBSP}: xmpp://localhost:${info.prosody.port} — salons${NBSP}: ${info.prosody.mucService}`,
    `  Autoconfiguration${NBSP}: https://localhost:${info.apache.port}/mail/config-v1.1.xml`,
    `  DNS${NBSP}: 127.0.0.1:${info.dns.port} (OSTAL_DNS_SERVERS=127.0.0.1:${info.dns.port})`,
    `  Comptes${NBSP}: ${info.users.map((u) => u.email).join(', ')} — mot de passe «${NBSP}motdepasse-agentN${NBSP}»`,
  ];
  if (counts && first) {
    const c = counts[first.email];
    if (c)
      lines.push(
        `  Données «${NBSP}${seed}${NBSP}»${NBSP}: ${first.email} a ${c.mail.INBOX.total} messages en réception (${c.mail.INBOX.unread} non lus), ${c.events} événements, ${c.contacts} contacts, ${c.allFiles.length} fichiers et dossiers`,
      );
  }
  lines.push(`  Arrêt${NBSP}: npm run servers -- stop --dir ${info.dir}`);
  return lines.join('\n');
}

async function main(): Promise<void> {
  const cmd = process.argv[2];
  if (cmd === 'start') {
    const seed = (arg('seed') ?? 'demo') as 'demo' | 'test' | 'none';
    if (!['demo', 'test', 'none'].includes(seed)) throw new Error(`--seed doit valoir demo, test ou none (reçu${NBSP}: ${seed})`);
    const dir = arg('dir');
    const t0 = Date.now();
    const info = await startServers({ dir: dir ? path.resolve(dir) : undefined, seed });
    process.stdout.write(`${path.join(info.dir, 'servers.json')}\n`);
    process.stderr.write(`${summary(info, seed)}\n  (${((Date.now() - t0) / 1000).toFixed(1)}${NBSP}s)\n`);
    return;
  }
  if (cmd === 'prune') {
    const stopped = await pruneServers();
    process.stderr.write(stopped.length ? `Arrêtés${NBSP}: ${stopped.join(', ')}\n` : `Aucun serveur orphelin.\n`);
    return;
  }
  const dir = arg('dir');
  if ((cmd === 'stop' || cmd === 'status') && !dir) throw new Error(`--dir est obligatoire pour «${NBSP}${cmd}${NBSP}»`);
  if (cmd === 'stop') {
    await stopServers(path.resolve(dir as string));
    process.stderr.write(`Serveurs de ${path.resolve(dir as string)} arrêtés.\n`);
    return;
  }
  if (cmd === 'status') {
    const info = readServersInfo(path.resolve(dir as string));
    const st = serverStatus(info);
    const labels: Record<keyof typeof st, string> = {
      dns: 'DNS',
      imap: 'IMAP (Dovecot)',
      smtp: 'SMTP (Postfix)',
      radicale: 'CalDAV/CardDAV (Radicale)',
      apache: 'WebDAV (Apache)',
      prosody: 'XMPP (Prosody)',
    };
    for (const [k, up] of Object.entries(st))
      process.stdout.write(`${labels[k as keyof typeof st]}${NBSP}: ${up ? 'en marche' : 'arrêté'}\n`);
    process.exitCode = Object.values(st).every(Boolean) ? 0 : 1;
    return;
  }
  process.stderr.write(
    `Usage${NBSP}: npm run servers -- start [--dir D] [--seed demo|test|none] | stop --dir D | status --dir D | prune\n`,
  );
  process.exitCode = 2;
}

main().catch((e: unknown) => {
  process.stderr.write(`Erreur${NBSP}: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
