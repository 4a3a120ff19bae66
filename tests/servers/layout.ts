/**
 * Where everything of one run lives inside its run folder. Kept short: unix socket paths
 * (Dovecot LMTP and auth sockets) must stay under 107 bytes.
 */
import path from 'node:path';

export interface RunLayout {
  dir: string;
  serversJson: string;
  logs: string;
  tls: { dir: string; caKey: string; caCert: string; key: string; cert: string };
  dovecot: {
    conf: string;
    users: string;
    baseDir: string;
    stateDir: string;
    mail: string;
    lmtpSocket: string;
    authSocket: string;
    log: string;
    pidFile: string;
  };
  postfix: { etc: string; queue: string; data: string; log: string; pidFile: string; stderr: string };
  radicale: { conf: string; users: string; rights: string; storage: string; log: string; pidFile: string };
  apache: {
    root: string;
    conf: string;
    htdocs: string;
    dav: string;
    lockDir: string;
    runDir: string;
    htpasswd: string;
    errorLog: string;
    accessLog: string;
    pidFile: string;
  };
  dns: { conf: string; log: string; pidFile: string };
  /** Prosody: `data` and `run` belong to the prosody user (it drops privileges before writing there). */
  prosody: { conf: string; data: string; run: string; tls: string; log: string; errorLog: string; pidFile: string };
}

export function runLayout(dir: string): RunLayout {
  const p = (...parts: string[]): string => path.join(dir, ...parts);
  const logs = p('logs');
  return {
    dir,
    serversJson: p('servers.json'),
    logs,
    tls: {
      dir: p('tls'),
      caKey: p('tls', 'ca.key'),
      caCert: p('tls', 'ca.crt'),
      key: p('tls', 'server.key'),
      cert: p('tls', 'server.crt'),
    },
    dovecot: {
      conf: p('dovecot', 'dovecot.conf'),
      users: p('dovecot', 'users'),
      baseDir: p('dovecot', 'run'),
      stateDir: p('dovecot', 'state'),
      mail: p('mail'),
      lmtpSocket: p('dovecot', 'run', 'lmtp'),
      authSocket: p('dovecot', 'run', 'auth-postfix'),
      log: path.join(logs, 'dovecot.log'),
      pidFile: p('dovecot', 'run', 'master.pid'),
    },
    postfix: {
      etc: p('postfix', 'etc'),
      queue: p('postfix', 'queue'),
      data: p('postfix', 'data'),
      log: path.join(logs, 'postfix.log'),
      pidFile: p('postfix', 'queue', 'pid', 'master.pid'),
      stderr: path.join(logs, 'postfix-start.log'),
    },
    radicale: {
      conf: p('radicale', 'radicale.conf'),
      users: p('radicale', 'users'),
      rights: p('radicale', 'rights'),
      storage: p('radicale', 'collections'),
      log: path.join(logs, 'radicale.log'),
      pidFile: p('radicale', 'radicale.pid'),
    },
    apache: {
      root: p('apache'),
      conf: p('apache', 'httpd.conf'),
      htdocs: p('apache', 'htdocs'),
      dav: p('apache', 'dav'),
      lockDir: p('apache', 'lock'),
      runDir: p('apache', 'run'),
      htpasswd: p('apache', 'htpasswd'),
      errorLog: path.join(logs, 'apache-error.log'),
      accessLog: path.join(logs, 'apache-access.log'),
      pidFile: p('apache', 'run', 'httpd.pid'),
    },
    dns: { conf: p('dns', 'zone.json'), log: path.join(logs, 'dns.log'), pidFile: p('dns', 'dns.pid') },
    prosody: {
      conf: p('prosody', 'prosody.cfg.lua'),
      data: p('prosody', 'data'),
      run: p('prosody', 'run'),
      tls: p('prosody', 'tls'),
      log: p('prosody', 'run', 'prosody.log'),
      errorLog: p('prosody', 'run', 'prosody.err'),
      pidFile: p('prosody', 'run', 'prosody.pid'),
    },
  };
}
