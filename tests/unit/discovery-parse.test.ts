import { describe, expect, it } from 'vitest';
import { OstalError } from '../../src/errors.js';
import { parseAutoconfig } from '../../src/accounts/autoconfig.js';
import { hostPort, parseEndpoint } from '../../src/accounts/endpoints.js';
import { describeConnectionError } from '../../src/accounts/checks.js';
import { emailDomain } from '../../src/accounts/discovery.js';
import { networkEnv } from '../../src/net/dns.js';

const FULL = `<?xml version="1.0" encoding="UTF-8"?>
<clientConfig version="1.1">
  <emailProvider id="autre.fr">
    <domain>autre.fr</domain>
    <incomingServer type="imap"><hostname>imap.autre.fr</hostname><port>993</port><socketType>SSL</socketType><username>%EMAILADDRESS%</username></incomingServer>
    <outgoingServer type="smtp"><hostname>smtp.autre.fr</hostname><port>465</port><socketType>SSL</socketType></outgoingServer>
  </emailProvider>
  <emailProvider id="ville-exemple.fr">
    <domain>ville-exemple.fr</domain>
    <domain>mairie-exemple.fr</domain>
    <displayName>Ville d’Exemple</displayName>
    <!-- plain text first: must be skipped -->
    <incomingServer type="imap">
      <hostname>imap.ville-exemple.fr</hostname><port>143</port><socketType>plain</socketType>
      <username>%EMAILADDRESS%</username><authentication>password-cleartext</authentication>
    </incomingServer>
    <incomingServer type="pop3">
      <hostname>pop.ville-exemple.fr</hostname><port>995</port><socketType>SSL</socketType>
    </incomingServer>
    <incomingServer type="imap">
      <hostname>imap.%EMAILDOMAIN%</hostname><port>143</port><socketType>STARTTLS</socketType>
      <username>%EMAILLOCALPART%</username>
    </incomingServer>
    <outgoingServer type="smtp">
      <hostname>smtp.ville-exemple.fr</hostname><port>587</port><socketType>STARTTLS</socketType>
      <username>%EMAILADDRESS%</username>
    </outgoingServer>
  </emailProvider>
  <calendar type="caldav"><serverURL>https://dav.ville-exemple.fr/calendars/%EMAILADDRESS%/</serverURL></calendar>
  <addressBook type="carddav"><serverURL>https://dav.ville-exemple.fr/</serverURL></addressBook>
</clientConfig>`;

describe('parseAutoconfig', () => {
  it('picks the provider of the domain, skips plain text and POP, fills placeholders', () => {
    expect(parseAutoconfig(FULL, 'camille.martin@ville-exemple.fr')).toEqual({
      imap: 'imap://imap.ville-exemple.fr:143',
      smtp: 'smtp://smtp.ville-exemple.fr:587',
      username: 'camille.martin',
      caldav: 'https://dav.ville-exemple.fr/calendars/camille.martin@ville-exemple.fr/',
      carddav: 'https://dav.ville-exemple.fr/',
    });
  });

  it('keeps implicit TLS and drops a username equal to the address', () => {
    expect(parseAutoconfig(FULL, 'x@autre.fr')).toMatchObject({
      imap: 'imaps://imap.autre.fr:993',
      smtp: 'smtps://smtp.autre.fr:465',
      username: null,
    });
  });

  it('returns null for broken, foreign or incomplete documents', () => {
    expect(parseAutoconfig('<clientConfig><emailProvider>', 'a@b.fr')).toBeNull();
    expect(parseAutoconfig('<html><body>404</body></html>', 'a@b.fr')).toBeNull();
    expect(parseAutoconfig('not xml at all', 'a@b.fr')).toBeNull();
    const onlyPlain =
      '<clientConfig><emailProvider id="p"><incomingServer type="imap"><hostname>h</hostname><port>143</port><socketType>plain</socketType></incomingServer><outgoingServer type="smtp"><hostname>h</hostname><port>25</port><socketType>plain</socketType></outgoingServer></emailProvider></clientConfig>';
    expect(parseAutoconfig(onlyPlain, 'a@b.fr')).toBeNull();
    const badPort = FULL.replace(/<port>143<\/port><socketType>STARTTLS/, '<port>99999</port><socketType>STARTTLS');
    expect(parseAutoconfig(badPort, 'a@ville-exemple.fr')).toBeNull();
  });

  it('decodes XML entities', () => {
    const xml =
      '<clientConfig><emailProvider id="p"><incomingServer type="IMAP"><hostname>imap.b.fr</hostname><port>993</port><socketType>SSL</socketType><username>a&amp;b</username></incomingServer><outgoingServer type="smtp"><hostname>smtp.b.fr</hostname><port>465</port><socketType>SSL</socketType></outgoingServer></emailProvider></clientConfig>';
    expect(parseAutoconfig(xml, 'a@b.fr')?.username).toBe('a&b');
  });
});

describe('parseEndpoint', () => {
  it('understands the URL schemes of the CLI and the policy', () => {
    expect(parseEndpoint('imap://mail.exemple.fr', 'imap')).toEqual({
      protocol: 'imap',
      host: 'mail.exemple.fr',
      port: 143,
      implicitTls: false,
      url: 'imap://mail.exemple.fr:143',
    });
    expect(parseEndpoint('imaps://mail.exemple.fr', 'imap')).toMatchObject({ port: 993, implicitTls: true });
    expect(parseEndpoint(' IMAPS://Mail.Exemple.fr:1993/ ', 'imap')).toMatchObject({
      host: 'mail.exemple.fr',
      port: 1993,
      url: 'imaps://mail.exemple.fr:1993',
    });
    expect(parseEndpoint('smtp://smtp.exemple.fr', 'smtp')).toMatchObject({ port: 587, implicitTls: false });
    expect(parseEndpoint('smtps://smtp.exemple.fr', 'smtp')).toMatchObject({ port: 465, implicitTls: true });
    expect(parseEndpoint('smtp://127.0.0.1:2587', 'smtp')).toMatchObject({ host: '127.0.0.1', port: 2587 });
    expect(parseEndpoint('https://dav.exemple.fr/dav/agent1', 'webdav')).toEqual({
      protocol: 'dav',
      host: 'dav.exemple.fr',
      port: 443,
      implicitTls: true,
      url: 'https://dav.exemple.fr/dav/agent1/',
    });
    expect(parseEndpoint('https://localhost:5232/', 'caldav')).toMatchObject({ port: 5232, url: 'https://localhost:5232/' });
    expect(hostPort(parseEndpoint('imaps://[::1]:993', 'imap'))).toBe('[::1]:993');
  });

  it('refuses wrong schemes and plain HTTP to remote hosts, in French', () => {
    for (const [url, kind] of [
      ['smtp://mail.exemple.fr', 'imap'],
      ['pop3://mail.exemple.fr', 'imap'],
      ['imap://user:pw@mail.exemple.fr', 'imap'],
      ['imaps://mail.exemple.fr/INBOX', 'imap'],
      ['http://dav.exemple.fr/', 'caldav'],
      ['ftp://dav.exemple.fr/', 'webdav'],
      ['pas une adresse', 'smtp'],
    ] as const) {
      try {
        parseEndpoint(url, kind);
        expect.unreachable(url);
      } catch (err) {
        expect(err).toBeInstanceOf(OstalError);
        expect((err as OstalError).code).toBe('invalid_input');
        expect((err as OstalError).message).toMatch(/^L’adresse «\u00a0.*\u00a0» ne convient pas pour le serveur /);
      }
    }
  });
});

describe('emailDomain and network env', () => {
  it('validates addresses', () => {
    expect(emailDomain(' Agent1@Ostal.TEST ')).toBe('ostal.test');
    expect(() => emailDomain('agent1')).toThrow(/n’est pas une adresse de courriel valable/);
    expect(() => emailDomain('a@b')).toThrow(OstalError);
  });

  it('reads OSTAL_DNS_SERVERS and OSTAL_DISCOVERY_HTTPS_PORT', () => {
    expect(networkEnv({})).toEqual({ dnsServers: null, discoveryHttpsPort: 443 });
    expect(networkEnv({ OSTAL_DNS_SERVERS: '127.0.0.1:5353, 10.0.0.1', OSTAL_DISCOVERY_HTTPS_PORT: '8443' })).toEqual({
      dnsServers: ['127.0.0.1:5353', '10.0.0.1'],
      discoveryHttpsPort: 8443,
    });
    expect(networkEnv({ OSTAL_DISCOVERY_HTTPS_PORT: 'abc' }).discoveryHttpsPort).toBe(443);
  });
});

describe('describeConnectionError', () => {
  const ep = parseEndpoint('imaps://imap.exemple.fr:993', 'imap');
  const sys = (code: string) => Object.assign(new Error(`connect ${code} 1.2.3.4:993`), { code });
  it('maps system and TLS errors to French messages with host:port', () => {
    expect(describeConnectionError(sys('ECONNREFUSED'), 'imap', ep).toApiError()).toEqual({
      code: 'connection_refused',
      message: expect.stringContaining('imap.exemple.fr:993'),
    });
    expect(describeConnectionError(sys('ENOTFOUND'), 'imap', ep).code).toBe('unreachable');
    expect(describeConnectionError(sys('EHOSTUNREACH'), 'imap', ep).code).toBe('unreachable');
    expect(describeConnectionError(sys('ETIMEDOUT'), 'imap', ep).code).toBe('timeout');
    expect(describeConnectionError(sys('ERR_TLS_CERT_ALTNAME_INVALID'), 'imap', ep).code).toBe('tls_hostname');
    expect(describeConnectionError(sys('CERT_HAS_EXPIRED'), 'imap', ep).message).toContain('a expiré');
    // nodemailer wraps the system code
    expect(describeConnectionError(Object.assign(new Error('x'), { code: 'ESOCKET', originalCode: 'ECONNREFUSED' }), 'smtp', ep).code).toBe(
      'connection_refused',
    );
    expect(describeConnectionError(Object.assign(new Error('Invalid login'), { code: 'EAUTH' }), 'smtp', ep).code).toBe('auth_failed');
    expect(describeConnectionError(Object.assign(new Error('x'), { authenticationFailed: true }), 'imap', ep).message).toMatch(
      /^Le mot de passe ou l’identifiant est refusé par le serveur de courrier entrant \(IMAP\) sur/,
    );
  });

  it('shows the fingerprint of an untrusted certificate', () => {
    const cert = { subject: 'CN=x', issuer: 'CN=y', validFrom: '', validTo: '', fingerprint256: 'AA:BB', pem: '' };
    const err = describeConnectionError(sys('SELF_SIGNED_CERT_IN_CHAIN'), 'imap', ep, cert);
    expect(err.code).toBe('tls_untrusted');
    expect(err.message).toContain('AA:BB');
    expect(err.details).toEqual({ certificate: cert });
  });
});
