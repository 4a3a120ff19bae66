/**
 * ManageSieve wire format (src/mail/sieve/protocol.ts) and Ostal's Sieve script (src/mail/sieve/script.ts).
 * The exchange with a real server is in tests/integration/mail-sieve.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { encodeString, parseResponse, scriptList, SieveProtocolError, capabilities } from '../../src/mail/sieve/protocol.js';
import { parseSieveUrl } from '../../src/mail/sieve/client.js';
import { generateScript, readOstalData, requiredExtensions, sieveString, type OstalSieveData } from '../../src/mail/sieve/script.js';

const b = (s: string) => Buffer.from(s, 'utf8');

describe('ManageSieve response parser', () => {
  it('reads a greeting of capabilities, quoted strings with escapes, literals both ways', () => {
    const r = parseResponse(b('"IMPLEMENTATION" "Dovecot \\"x\\""\r\n"SIEVE" {13}\r\nfileinto vaca\r\n"STARTTLS"\r\nOK "prêt"\r\n'));
    expect(r).not.toBeNull();
    const caps = capabilities(r!.response);
    expect(caps.get('IMPLEMENTATION')).toBe('Dovecot "x"');
    expect(caps.get('SIEVE')).toBe('fileinto vaca');
    expect(caps.has('STARTTLS')).toBe(true);
    expect(r!.response.status).toBe('OK');
    expect(r!.response.text).toBe('prêt');
  });

  it('waits for more bytes at every cut of a response, then gives the same result', () => {
    const full = b('"ostal" ACTIVE\r\n"webmail"\r\n{5+}\r\nab\r\nc\r\nNO (QUOTA/MAXSIZE) {3}\r\nnon\r\n');
    for (let cut = 0; cut < full.length; cut++) expect(parseResponse(full.subarray(0, cut))).toBeNull();
    const r = parseResponse(full)!;
    expect(r.used).toBe(full.length);
    expect(r.response.status).toBe('NO');
    expect(r.response.code).toBe('QUOTA/MAXSIZE');
    expect(r.response.text).toBe('non');
  });

  it('LISTSCRIPTS: names and the active one', () => {
    const r = parseResponse(b('"ostal" ACTIVE\r\n"Secrétariat"\r\nOK\r\n'))!;
    expect(scriptList(r.response)).toEqual([
      { name: 'ostal', active: true },
      { name: 'Secrétariat', active: false },
    ]);
  });

  it('refuses hostile or malformed answers instead of buffering them', () => {
    expect(() => parseResponse(b('{99999999999}\r\n'))).toThrow(SieveProtocolError);
    expect(() => parseResponse(b('{2000000}\r\n'))).toThrow(/over the limit/);
    expect(() => parseResponse(b('"a\rb"\r\nOK\r\n'))).toThrow(SieveProtocolError);
    expect(() => parseResponse(b('OK ((("x")))\r\n'))).toThrow(SieveProtocolError);
    expect(() => parseResponse(b('OK "a" "b"\r\n'))).toThrow(SieveProtocolError);
    expect(() => parseResponse(b('"x" \x01\r\n'))).toThrow(SieveProtocolError);
    expect(() => parseResponse(Buffer.alloc(2 * 1024 * 1024, 0x61))).toThrow(SieveProtocolError);
    expect(() => parseResponse(b('{12'.padEnd(40, '3')))).toThrow(SieveProtocolError);
  });

  it('encodes arguments: quoted when plain, a non-synchronising literal otherwise', () => {
    expect(encodeString('ostal')).toBe('"ostal"');
    expect(encodeString('a"b')).toBe('{3+}\r\na"b');
    expect(encodeString('é\r\n')).toBe('{4+}\r\né\r\n');
  });

  it('sieve:// addresses', () => {
    expect(parseSieveUrl('sieve://Filtres.Mairie.fr')).toEqual({
      host: 'filtres.mairie.fr',
      port: 4190,
      url: 'sieve://filtres.mairie.fr:4190',
    });
    expect(parseSieveUrl('sieve://localhost:2000/')).toEqual({ host: 'localhost', port: 2000, url: 'sieve://localhost:2000' });
    expect(() => parseSieveUrl('https://filtres.mairie.fr')).toThrow(/sieve:\/\//);
  });
});

describe('Ostal’s Sieve script', () => {
  const ctx = {
    addresses: ['camille@mairie.fr'],
    organisationDomains: ['mairie.fr'],
    trashFolder: 'Trash',
    defaultSubject: 'Réponse automatique',
    header: 'Script d’Ostal',
  };
  const data: OstalSieveData = {
    vacation: {
      enabled: true,
      from: '2026-12-20',
      to: '2027-01-04',
      subject: '',
      message: 'Je suis absente.\nUrgences : « accueil » \\ 12',
      externalMessage: 'Absente jusqu’au 4 janvier.',
    },
    rules: [
      {
        id: 'r1',
        name: 'Secrétariat',
        enabled: true,
        match: 'all',
        conditions: [{ field: 'from', op: 'contains', value: 'secretariat@' }],
        actions: [{ type: 'move', folder: 'Secrétariat' }, { type: 'read' }],
        stop: true,
      },
      {
        id: 'r2',
        name: 'Listes',
        enabled: true,
        match: 'any',
        conditions: [
          { field: 'list', op: 'contains', value: 'agents.mairie.fr' },
          { field: 'size', op: 'over', value: '2048' },
        ],
        actions: [{ type: 'flag' }, { type: 'redirect', to: 'archives@mairie.fr' }],
        stop: false,
      },
      { id: 'r3', name: 'Éteinte', enabled: false, match: 'all', conditions: [], actions: [{ type: 'delete' }], stop: false },
    ],
    include: 'roundcube',
  };

  it('vacation between the dates, the other message for outside senders, rules in order, the kept script last', () => {
    const s = generateScript(data, ctx);
    expect(s).toContain('require ["copy", "date", "envelope", "fileinto", "imap4flags", "include", "mailbox", "relational", "vacation"];');
    expect(s).toContain('if allof(currentdate :value "ge" "date" "2026-12-20", currentdate :value "le" "date" "2027-01-04") {');
    expect(s).toContain('if envelope :domain :is "from" "mairie.fr" {');
    expect(s).toContain(
      'vacation :days 1 :subject "Réponse automatique" :addresses "camille@mairie.fr" "Je suis absente.\r\nUrgences : « accueil » \\\\ 12";',
    );
    expect(s).toContain('fileinto :create :flags "\\\\Seen" "Secrétariat";\r\n  stop;');
    expect(s).toContain('if anyof(header :contains "list-id" "agents.mairie.fr", size :over 2048K) {');
    expect(s).toContain('addflag "\\\\Flagged";\r\n  redirect :copy "archives@mairie.fr";');
    expect(s).not.toContain('Éteinte {');
    expect(s).not.toContain('"Trash"');
    expect(s.indexOf('vacation :days')).toBeLessThan(s.indexOf('Secrétariat";'));
    expect(s.trimEnd().endsWith('include :personal :optional "roundcube";')).toBe(true);
    expect(readOstalData(s)).toEqual(data);
  });

  it('only what is used is required; a script edited by hand reads as no settings', () => {
    expect(requiredExtensions({ vacation: { ...data.vacation, enabled: false }, rules: [], include: null })).toEqual([]);
    expect(readOstalData('require "vacation";\r\nvacation "x";')).toBeNull();
    expect(readOstalData('# ostal-data: bm90IGpzb24=\r\n')).toBeNull();
  });

  it('strings cannot break out of their quotes', () => {
    expect(sieveString('a"; discard; "')).toBe('"a\\"; discard; \\""');
    expect(sieveString('x\\')).toBe('"x\\\\"');
  });
});
