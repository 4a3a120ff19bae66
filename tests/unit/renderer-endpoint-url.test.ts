import { describe, expect, it } from 'vitest';
import {
  buildMailServerUrl,
  describeEndpoint,
  normaliseDavUrl,
  parseMailServerUrl,
  validateMailServer,
} from '../../renderer/src/lib/endpoint-url';

describe('mail server URL from the manual fields', () => {
  it.each([
    ['imap', 'mail.exemple.fr', '993', 'tls', 'imaps://mail.exemple.fr:993'],
    ['imap', 'mail.exemple.fr', '143', 'starttls', 'imap://mail.exemple.fr:143'],
    ['smtp', 'smtp.exemple.fr', '587', 'starttls', 'smtp://smtp.exemple.fr:587'],
    ['smtp', 'smtp.exemple.fr', '465', 'tls', 'smtps://smtp.exemple.fr:465'],
    ['imap', '  Mail.Exemple.FR ', ' 10143 ', 'starttls', 'imap://mail.exemple.fr:10143'],
    ['imap', '127.0.0.1', '', 'tls', 'imaps://127.0.0.1:993'],
    ['smtp', 'localhost', '', 'starttls', 'smtp://localhost:587'],
    ['imap', '::1', '1993', 'tls', 'imaps://[::1]:1993'],
    ['imap', '[::1]', '1993', 'tls', 'imaps://[::1]:1993'],
  ] as const)('%s %s port %s %s → %s', (protocol, host, port, security, url) => {
    expect(buildMailServerUrl(protocol, { host, port, security })).toBe(url);
  });

  it.each([
    [{ host: '', port: '993', security: 'tls' }, 'host_missing'],
    [{ host: '   ', port: '993', security: 'tls' }, 'host_missing'],
    [{ host: 'mail exemple.fr', port: '993', security: 'tls' }, 'host_invalid'],
    [{ host: 'imaps://mail.exemple.fr', port: '993', security: 'tls' }, 'host_invalid'],
    [{ host: '-mail.exemple.fr', port: '993', security: 'tls' }, 'host_invalid'],
    [{ host: 'mail.exemple.fr', port: '0', security: 'tls' }, 'port_invalid'],
    [{ host: 'mail.exemple.fr', port: '65536', security: 'tls' }, 'port_invalid'],
    [{ host: 'mail.exemple.fr', port: '99a', security: 'tls' }, 'port_invalid'],
  ] as const)('refuses %j (%s)', (fields, problem) => {
    expect(validateMailServer(fields)).toBe(problem);
    expect(() => buildMailServerUrl('imap', fields)).toThrow(problem);
  });

  it('parses URLs back into fields, with default ports', () => {
    expect(parseMailServerUrl('imaps://mail.exemple.fr:993')).toEqual({
      protocol: 'imap',
      host: 'mail.exemple.fr',
      port: '993',
      security: 'tls',
    });
    expect(parseMailServerUrl('imap://mail.exemple.fr')).toEqual({
      protocol: 'imap',
      host: 'mail.exemple.fr',
      port: '143',
      security: 'starttls',
    });
    expect(parseMailServerUrl('smtps://smtp.exemple.fr')).toEqual({
      protocol: 'smtp',
      host: 'smtp.exemple.fr',
      port: '465',
      security: 'tls',
    });
    expect(parseMailServerUrl('smtp://[::1]:10587/')).toEqual({ protocol: 'smtp', host: '[::1]', port: '10587', security: 'starttls' });
    expect(parseMailServerUrl('https://dav.exemple.fr/')).toBeNull();
    expect(parseMailServerUrl('')).toBeNull();
  });

  it('round-trips build → parse → build', () => {
    for (const url of ['imaps://a.b.fr:993', 'imap://127.0.0.1:10143', 'smtp://x.fr:587', 'smtps://[::1]:465']) {
      const fields = parseMailServerUrl(url)!;
      expect(buildMailServerUrl(fields.protocol, fields)).toBe(url);
    }
  });
});

describe('DAV addresses', () => {
  it('accepts https and adds the scheme when missing', () => {
    expect(normaliseDavUrl('https://dav.exemple.fr/dav/')).toEqual({ url: 'https://dav.exemple.fr/dav/', problem: null });
    expect(normaliseDavUrl('dav.exemple.fr')).toEqual({ url: 'https://dav.exemple.fr/', problem: null });
    expect(normaliseDavUrl('https://127.0.0.1:5232/agent1/')).toEqual({ url: 'https://127.0.0.1:5232/agent1/', problem: null });
  });
  it('treats an empty field as « not used »', () => {
    expect(normaliseDavUrl('  ')).toEqual({ url: null, problem: null });
  });
  it('refuses clear-text and malformed addresses', () => {
    expect(normaliseDavUrl('http://dav.exemple.fr/').problem).toBe('url_not_https');
    expect(normaliseDavUrl('https://dav exemple.fr/').problem).toBe('url_invalid');
    expect(normaliseDavUrl('https://').problem).toBe('url_invalid');
  });
  it('describes any endpoint by host and port', () => {
    expect(describeEndpoint('https://dav.exemple.fr/x')).toEqual({ host: 'dav.exemple.fr', port: '443', secure: true });
    expect(describeEndpoint('imaps://m.fr:993')).toEqual({ host: 'm.fr', port: '993', secure: true });
    expect(describeEndpoint('xmpp://chat.exemple.fr:5223')).toEqual({ host: 'chat.exemple.fr', port: '5223', secure: true });
    expect(describeEndpoint('xmpp://chat.exemple.fr')).toEqual({ host: 'chat.exemple.fr', port: '5222', secure: true });
    expect(describeEndpoint('pas une adresse')).toBeNull();
  });
});
