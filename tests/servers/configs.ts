/**
 * Configuration files of every daemon of a run, generated from the run layout and ports.
 * Nothing here reads or writes the system-wide configs in /etc.
 */
import { createHash } from 'node:crypto';
import type { RunLayout } from './layout.js';
import type { TestUser } from './types.js';
import { TEST_DOMAIN } from './users.js';

export interface RunPorts {
  dns: number;
  imap: number;
  imaps: number;
  submission: number;
  submissions: number;
  radicale: number;
  apache: number;
  /** Dovecot ManageSieve (Pigeonhole), STARTTLS. */
  managesieve: number;
  /** Postfix listener without AUTH that only accepts local recipients: Pigeonhole's way out for automatic answers. */
  relay: number;
  xmpp: number;
  xmppHttps: number;
}

/** Folder under /dav/ every agent may read and write: the organisation's shared root of the espaces de travail. */
export const SHARED_DAV_FOLDER = 'partage';
/** Collection of Radicale every agent may read and make calendars in: the shared CalDAV root of the espaces de travail. */
export const SHARED_CALDAV_FOLDER = 'partage';
/** Calendars of an agent's home whose name starts so are read-only to the agent (radicaleRights). */
export const READ_ONLY_CALENDAR_PREFIX = 'lecture-seule';
export const MUC_SERVICE = `conference.${TEST_DOMAIN}`;
export const UPLOAD_SERVICE = `upload.${TEST_DOMAIN}`;

export function dovecotConf(l: RunLayout, ports: RunPorts, vmail: { uid: number; gid: number }): string {
  return `# Ostal test run: standalone Dovecot, generated.
base_dir = ${l.dovecot.baseDir}
state_dir = ${l.dovecot.stateDir}
instance_name = ostal-${ports.imap}
log_path = ${l.dovecot.log}
info_log_path = ${l.dovecot.log}
protocols = imap lmtp sieve
listen = 127.0.0.1
ssl = yes
ssl_cert = <${l.tls.cert}
ssl_key = <${l.tls.key}
ssl_dh = </usr/share/dovecot/dh.pem
ssl_min_protocol = TLSv1.2
disable_plaintext_auth = yes
auth_mechanisms = plain login
auth_username_format = %Lu
auth_failure_delay = 0
default_internal_user = dovecot
default_internal_group = dovecot
default_login_user = dovenull
first_valid_uid = ${vmail.uid}
last_valid_uid = ${vmail.uid}
first_valid_gid = ${vmail.gid}
mail_uid = ${vmail.uid}
mail_gid = ${vmail.gid}
mail_location = maildir:~/Maildir
mail_attribute_dict =
imap_capability = +SPECIAL-USE
mail_max_userip_connections = 50
login_greeting = Ostal test IMAP ready.
shutdown_clients = yes
version_ignore = yes

passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%Lu ${l.dovecot.users}
}
userdb {
  driver = static
  args = uid=${vmail.uid} gid=${vmail.gid} home=${l.dovecot.mail}/%Ld/%Ln
}

namespace inbox {
  inbox = yes
  separator = /
  mailbox Drafts {
    special_use = \\Drafts
    auto = subscribe
  }
  mailbox Sent {
    special_use = \\Sent
    auto = subscribe
  }
  mailbox Trash {
    special_use = \\Trash
    auto = subscribe
  }
  mailbox Junk {
    special_use = \\Junk
    auto = subscribe
  }
  mailbox Archive {
    special_use = \\Archive
    auto = subscribe
  }
}

service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = ${ports.imap}
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = ${ports.imaps}
    ssl = yes
  }
  service_count = 0
  process_min_avail = 1
}
service pop3-login {
  inet_listener pop3 {
    port = 0
  }
  inet_listener pop3s {
    port = 0
  }
}
service lmtp {
  unix_listener lmtp {
    mode = 0666
  }
}
service auth {
  unix_listener auth-userdb {
    mode = 0600
  }
  unix_listener auth-postfix {
    mode = 0666
  }
}
service stats {
  unix_listener stats-reader {
    mode = 0666
  }
  unix_listener stats-writer {
    mode = 0666
  }
}
service anvil {
  unix_listener anvil {
    mode = 0666
  }
  # No auth penalty socket: Dovecot then skips its growing delay after a failed login from
  # 127.0.0.1 (tests log in with wrong passwords on purpose, then right away with good ones).
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}
protocol lmtp {
  postmaster_address = postmaster@${TEST_DOMAIN}
  # Pigeonhole: each user's active Sieve script runs at delivery (automatic answers, rules).
  mail_plugins = $mail_plugins sieve
}
service managesieve-login {
  inet_listener sieve {
    address = 127.0.0.1
    port = ${ports.managesieve}
  }
}
# Dovecot 2.3 cannot log in to submission_host: Postfix's relay listener takes local recipients only.
submission_host = 127.0.0.1:${ports.relay}
plugin {
  sieve = file:~/sieve;active=~/.dovecot.sieve
  # Tests send several messages from one sender in a row: no minimum between two answers.
  sieve_vacation_min_period = 0
}
protocol imap {
  mail_max_userip_connections = 50
}
`;
}

export function dovecotUsers(users: readonly TestUser[]): string {
  return users.map((u) => `${u.username}:{PLAIN}${u.password}::::::\n`).join('');
}

export function postfixMain(l: RunLayout): string {
  return `# Ostal test run: private Postfix instance, generated.
compatibility_level = 3.6
queue_directory = ${l.postfix.queue}
data_directory = ${l.postfix.data}
command_directory = /usr/sbin
daemon_directory = /usr/lib/postfix/sbin
shlib_directory = /usr/lib/postfix
meta_directory = /etc/postfix
mail_owner = postfix
setgid_group = postdrop
maillog_file = ${l.postfix.log}
# maillog_file must start with one of these prefixes (default /var, /dev/stdout)
maillog_file_prefixes = ${l.logs}
myhostname = mail.${TEST_DOMAIN}
mydomain = ${TEST_DOMAIN}
myorigin = ${TEST_DOMAIN}
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.1/32
relay_domains =
relayhost =
alias_maps =
alias_database =
local_transport = error:local delivery is disabled
virtual_mailbox_domains = ${TEST_DOMAIN}
# Users a test file adds to Dovecot's passwd-file on the fly (test-…@) are accepted too.
virtual_mailbox_maps = texthash:${l.postfix.etc}/vmailbox, regexp:${l.postfix.etc}/vmailbox-tests
virtual_transport = lmtp:unix:${l.dovecot.lmtpSocket}
smtpd_tls_cert_file = ${l.tls.cert}
smtpd_tls_key_file = ${l.tls.key}
smtpd_tls_security_level = may
smtpd_tls_loglevel = 0
smtpd_sasl_type = dovecot
smtpd_sasl_path = ${l.dovecot.authSocket}
smtpd_sasl_auth_enable = no
smtpd_relay_restrictions = permit_sasl_authenticated, reject_unauth_destination
smtpd_recipient_restrictions = permit_sasl_authenticated, reject
smtpd_peername_lookup = no
smtp_dns_support_level = disabled
smtputf8_enable = yes
biff = no
append_dot_mydomain = no
message_size_limit = 52428800
smtpd_banner = $myhostname ESMTP Ostal test
delay_warning_time = 0
queue_run_delay = 10s
minimal_backoff_time = 10s
maximal_backoff_time = 60s
`;
}

export function postfixMaster(ports: RunPorts): string {
  const sub = [
    '  -o smtpd_tls_security_level=encrypt',
    '  -o smtpd_sasl_auth_enable=yes',
    '  -o smtpd_tls_auth_only=yes',
    '  -o smtpd_client_restrictions=permit_sasl_authenticated,reject',
    '  -o smtpd_relay_restrictions=permit_sasl_authenticated,reject',
    '  -o smtpd_recipient_restrictions=permit_sasl_authenticated,reject',
  ];
  return `# Ostal test run: services, generated. No chroot (paths live in the run folder).
127.0.0.1:${ports.submission} inet n - n - - smtpd
  -o syslog_name=postfix/submission
${sub.join('\n')}
127.0.0.1:${ports.submissions} inet n - n - - smtpd
  -o syslog_name=postfix/submissions
  -o smtpd_tls_wrappermode=yes
${sub.join('\n')}
127.0.0.1:${ports.relay} inet n - n - - smtpd
  -o syslog_name=postfix/relay
  -o smtpd_sasl_auth_enable=no
  -o smtpd_client_restrictions=permit_mynetworks,reject
  -o smtpd_relay_restrictions=reject_unauth_destination
  -o smtpd_recipient_restrictions=reject_unauth_destination,permit
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
proxywrite unix -       -       n       -       1       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
virtual   unix  -       n       n       -       -       virtual
lmtp      unix  -       -       n       -       -       lmtp
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
`;
}

export function postfixVirtualMailboxes(users: readonly TestUser[]): string {
  return users.map((u) => `${u.email} ok\n`).join('') + `postmaster@${TEST_DOMAIN} ok\n`;
}

/** Recipients named `test-…@<domain>`: users a test file adds on the fly (Dovecot still checks they exist). */
export function postfixTestMailboxes(): string {
  return `/^test-[a-z0-9.-]+@${TEST_DOMAIN.replace(/\./g, '\\.')}$/ ok\n`;
}

export function radicaleConf(l: RunLayout, ports: RunPorts): string {
  return `# Ostal test run: Radicale, generated.
[server]
hosts = 127.0.0.1:${ports.radicale}
ssl = True
certificate = ${l.tls.cert}
key = ${l.tls.key}
max_connections = 40

[encoding]
request = utf-8
stock = utf-8

[auth]
type = htpasswd
htpasswd_filename = ${l.radicale.users}
htpasswd_encryption = plain
delay = 0
realm = Ostal test CalDAV/CardDAV

[rights]
type = from_file
file = ${l.radicale.rights}

[storage]
filesystem_folder = ${l.radicale.storage}

[web]
type = none

[logging]
level = warning
mask_passwords = True
`;
}

/**
 * Radicale rights: owner_only (root listed, each agent's own principal and collections), plus the organisation's
 * shared root: every agent lists it and reads and writes the calendars in it (one per espace de travail). A
 * calendar of an agent's home named `${READ_ONLY_CALENDAR_PREFIX}…` is read-only to that agent (only DAV:read in its
 * current-user-privilege-set), as a calendar shared to the agent in read-only shows on Nextcloud or SOGo; a test
 * puts it and its events in Radicale's storage (tests/integration/read-only-fixture.ts), no seeded agent has one.
 */
export function radicaleRights(): string {
  return `# Ostal test run: Radicale rights, generated.
[root]
user: .+
collection:
permissions: R

[principal]
user: .+
collection: {user}
permissions: RW

[lecture-seule]
user: .+
collection: {user}/${READ_ONLY_CALENDAR_PREFIX}[^/]*
permissions: r

[calendars]
user: .+
collection: {user}/[^/]+
permissions: rw

[partage]
user: .+
collection: ${SHARED_CALDAV_FOLDER}
permissions: R

[partage-agendas]
user: .+
collection: ${SHARED_CALDAV_FOLDER}/[^/]+
permissions: rw
`;
}

export function radicaleUsers(users: readonly TestUser[]): string {
  return users.map((u) => `${u.username}:${u.password}\n`).join('');
}

/** Apache `{SHA}` password lines: fast to check on every request (bcrypt would cost ~50 ms each). */
export function apacheHtpasswd(users: readonly TestUser[]): string {
  return users.map((u) => `${u.username}:{SHA}${createHash('sha1').update(u.password, 'utf8').digest('base64')}\n`).join('');
}

export function apacheConf(l: RunLayout, ports: RunPorts, users: readonly TestUser[]): string {
  const mods = [
    ['mpm_event_module', 'mod_mpm_event.so'],
    ['authn_core_module', 'mod_authn_core.so'],
    ['authn_file_module', 'mod_authn_file.so'],
    ['authz_core_module', 'mod_authz_core.so'],
    ['authz_user_module', 'mod_authz_user.so'],
    ['auth_basic_module', 'mod_auth_basic.so'],
    ['alias_module', 'mod_alias.so'],
    ['mime_module', 'mod_mime.so'],
    ['dir_module', 'mod_dir.so'],
    ['headers_module', 'mod_headers.so'],
    ['socache_shmcb_module', 'mod_socache_shmcb.so'],
    ['ssl_module', 'mod_ssl.so'],
    ['dav_module', 'mod_dav.so'],
    ['dav_fs_module', 'mod_dav_fs.so'],
  ];
  const userBlocks = users
    .map(
      (u) => `<Directory "${l.apache.dav}/${u.username}">
  Dav On
  Options None
  AllowOverride None
  AuthType Basic
  AuthName "Ostal WebDAV"
  AuthBasicProvider file
  AuthUserFile "${l.apache.htpasswd}"
  Require user ${u.username}
</Directory>`,
    )
    .join('\n');
  return `# Ostal test run: Apache httpd, generated.
ServerRoot "${l.apache.root}"
${mods.map(([n, f]) => `LoadModule ${n} /usr/lib/apache2/modules/${f}`).join('\n')}
DefaultRuntimeDir "${l.apache.runDir}"
PidFile "${l.apache.pidFile}"
Mutex file:${l.apache.runDir} default
User www-data
Group www-data
ServerName localhost
ServerAdmin postmaster@${TEST_DOMAIN}
Listen 127.0.0.1:${ports.apache}
StartServers 1
ServerLimit 4
ThreadsPerChild 25
MinSpareThreads 5
MaxSpareThreads 50
MaxRequestWorkers 100
KeepAlive On
Timeout 60
ErrorLog "${l.apache.errorLog}"
LogLevel warn
LogFormat "%h %l %u %t \\"%r\\" %>s %b" common
CustomLog "${l.apache.accessLog}" common
TypesConfig /etc/mime.types
AddType application/xml .xml
AddDefaultCharset utf-8
ServerTokens Prod
ServerSignature Off

SSLEngine on
SSLCertificateFile "${l.tls.cert}"
SSLCertificateKeyFile "${l.tls.key}"
SSLProtocol all -SSLv3 -TLSv1 -TLSv1.1
SSLSessionCache "shmcb:${l.apache.runDir}/ssl_scache(512000)"
SSLRandomSeed startup builtin

DavLockDB "${l.apache.lockDir}/DavLock"
DocumentRoot "${l.apache.htdocs}"

<Directory />
  Options None
  AllowOverride None
  Require all denied
</Directory>
<Directory "${l.apache.htdocs}">
  Options None
  AllowOverride None
  Require all granted
</Directory>
<Directory "${l.apache.dav}">
  Options None
  AllowOverride None
  Require all denied
</Directory>
${userBlocks}
<Directory "${l.apache.dav}/${SHARED_DAV_FOLDER}">
  Dav On
  Options None
  AllowOverride None
  AuthType Basic
  AuthName "Ostal WebDAV"
  AuthBasicProvider file
  AuthUserFile "${l.apache.htpasswd}"
  Require valid-user
</Directory>

Alias /.well-known/autoconfig/mail/config-v1.1.xml "${l.apache.htdocs}/mail/config-v1.1.xml"
Alias /dav/ "${l.apache.dav}/"
`;
}

/** Thunderbird autoconfig file (clientConfig v1.1) for ostal.test. */
export function autoconfigXml(ports: RunPorts): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<clientConfig version="1.1">
  <emailProvider id="${TEST_DOMAIN}">
    <domain>${TEST_DOMAIN}</domain>
    <displayName>Ostal (serveurs de test)</displayName>
    <displayShortName>Ostal</displayShortName>
    <incomingServer type="imap">
      <hostname>localhost</hostname>
      <port>${ports.imap}</port>
      <socketType>STARTTLS</socketType>
      <username>%EMAILADDRESS%</username>
      <authentication>password-cleartext</authentication>
    </incomingServer>
    <incomingServer type="imap">
      <hostname>localhost</hostname>
      <port>${ports.imaps}</port>
      <socketType>SSL</socketType>
      <username>%EMAILADDRESS%</username>
      <authentication>password-cleartext</authentication>
    </incomingServer>
    <outgoingServer type="smtp">
      <hostname>localhost</hostname>
      <port>${ports.submission}</port>
      <socketType>STARTTLS</socketType>
      <username>%EMAILADDRESS%</username>
      <authentication>password-cleartext</authentication>
    </outgoingServer>
    <outgoingServer type="smtp">
      <hostname>localhost</hostname>
      <port>${ports.submissions}</port>
      <socketType>SSL</socketType>
      <username>%EMAILADDRESS%</username>
      <authentication>password-cleartext</authentication>
    </outgoingServer>
  </emailProvider>
</clientConfig>
`;
}

/** The zone the tiny DNS server answers for (read by dns.ts). */
export interface DnsZone {
  port: number;
  domain: string;
  a: Record<string, string>;
  srv: Record<string, { target: string; port: number; priority: number; weight: number }>;
  txt: Record<string, string[]>;
}

export function dnsZone(ports: RunPorts): DnsZone {
  const d = TEST_DOMAIN;
  const srv = (port: number) => ({ target: 'localhost', port, priority: 0, weight: 1 });
  return {
    port: ports.dns,
    domain: d,
    a: { [d]: '127.0.0.1', [`autoconfig.${d}`]: '127.0.0.1', [`mail.${d}`]: '127.0.0.1' },
    srv: {
      [`_imap._tcp.${d}`]: srv(ports.imap),
      [`_imaps._tcp.${d}`]: srv(ports.imaps),
      [`_submission._tcp.${d}`]: srv(ports.submission),
      [`_submissions._tcp.${d}`]: srv(ports.submissions),
      [`_sieve._tcp.${d}`]: srv(ports.managesieve),
      [`_caldavs._tcp.${d}`]: srv(ports.radicale),
      [`_carddavs._tcp.${d}`]: srv(ports.radicale),
      [`_xmpp-client._tcp.${d}`]: srv(ports.xmpp),
    },
    txt: { [`_caldavs._tcp.${d}`]: ['path=/'], [`_carddavs._tcp.${d}`]: ['path=/'] },
  };
}

/** Lua string literal (the paths and passwords here hold no quote, but stay safe). */
const lua = (v: string): string => JSON.stringify(v);

/**
 * Prosody 0.12: one virtual host (the mail domain, same agents and passwords), a MUC component with archives
 * (members-only persistent rooms by default), file sharing over HTTPS, MAM, carbons, stream management, XEP-0402
 * bookmarks. No server-to-server. Flat-file storage (tests hold small archives); archives never expire.
 */
export function prosodyConf(l: RunLayout, ports: RunPorts): string {
  const ssl = `{ certificate = ${lua(`${l.prosody.tls}/server.crt`)}; key = ${lua(`${l.prosody.tls}/server.key`)} }`;
  return `-- Ostal test run: Prosody, generated.
pidfile = ${lua(l.prosody.pidFile)}
data_path = ${lua(l.prosody.data)}
certificates = ${lua(l.prosody.tls)}
log = { info = ${lua(l.prosody.log)}; error = ${lua(l.prosody.errorLog)} }
daemonize = true
admin_socket = ${lua(`${l.prosody.run}/admin.sock`)}
interfaces = { "127.0.0.1" }
c2s_ports = { ${ports.xmpp} }
c2s_direct_tls_ports = {}
s2s_ports = {}
component_ports = {}
http_ports = {}
http_interfaces = { "127.0.0.1" }
https_ports = { ${ports.xmppHttps} }
https_interfaces = { "127.0.0.1" }
modules_enabled = {
  "roster"; "saslauth"; "tls"; "disco"; "carbons"; "pep"; "private"; "bookmarks"; "vcard4"; "vcard_legacy";
  "version"; "uptime"; "time"; "ping"; "mam"; "smacks"; "csi_simple"; "offline"; "posix";
}
modules_disabled = { "s2s" }
authentication = "internal_plain"
storage = "internal"
c2s_require_encryption = true
allow_registration = false
archive_expires_after = "never"
max_archive_query_results = 500
ssl = ${ssl}
https_ssl = ${ssl}

VirtualHost ${lua(TEST_DOMAIN)}

Component ${lua(MUC_SERVICE)} "muc"
  modules_enabled = { "muc_mam" }
  restrict_room_creation = "local"
  muc_log_by_default = true
  muc_log_all_rooms = true
  muc_log_expires_after = "never"
  muc_room_default_persistent = true
  muc_room_default_members_only = true
  muc_room_default_public = false
  muc_room_default_history_length = 50
  muc_tombstones = false

Component ${lua(UPLOAD_SERVICE)} "http_file_share"
  http_file_share_size_limit = 10 * 1024 * 1024
  -- Default daily quota is 10 × the size limit per agent: the test files share a few agents, give them room.
  http_file_share_daily_quota = 1024 * 1024 * 1024
  http_host = "localhost"
  http_external_url = "https://localhost:${ports.xmppHttps}/"
`;
}

/** One account file of Prosody's internal_plain storage (data/<host>/accounts/<user>.dat). */
export function prosodyAccount(user: TestUser): { file: string; text: string } {
  const local = user.email.slice(0, user.email.indexOf('@'));
  return { file: `${local}.dat`, text: `return {\n\t["password"] = ${lua(user.password)};\n};\n` };
}
