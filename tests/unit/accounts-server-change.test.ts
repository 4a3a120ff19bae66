import { describe, expect, it } from 'vitest';
import { requirePasswordForNewServers } from '../../src/accounts/server-change.js';
import { newServerDestinations } from '../../src/shared/server-change.js';

import { OstalError } from '../../src/errors.js';

const base = {
  imap: 'imaps://imap.mairie.fr:993',
  smtp: 'smtp://smtp.mairie.fr:587',
  caldav: 'https://dav.mairie.fr/',
  carddav: null,
  webdav: null,
  username: null,
};

describe('a new server address needs the password again', () => {
  it.each([
    [{ imap: 'imaps://imap.ailleurs.fr:993' }, ['imap']],
    [{ imap: 'imap://imap.mairie.fr:143' }, ['imap']],
    [{ smtp: 'smtps://smtp.mairie.fr:465' }, ['smtp']],
    [{ caldav: 'https://dav.ailleurs.fr/' }, ['caldav']],
    [{ webdav: 'https://fichiers.mairie.fr/dav/' }, ['webdav']],
    [{ carddav: 'https://dav.mairie.fr:8443/' }, ['carddav']],
    // The ManageSieve server receives the password too (« Réponse automatique », « Règles »).
    [{ sieve: 'sieve://filtres.ailleurs.fr:4190' }, ['sieve']],
    [{ sieve: null }, []],
    [{ caldav: 'https://DAV.mairie.fr/autre/chemin/' }, []],
    [{ caldav: null }, []],
    [{ username: 'autre' }, []],
    [{}, []],
  ])('%j → %j (one rule, src/shared/, for the core and the renderer)', (change, fields) => {
    const after = { ...base, ...change };
    expect(newServerDestinations(base, after)).toEqual(fields);
  });

  it('refuses without the password, in French; accepts with it', () => {
    const after = { ...base, imap: 'imaps://imap.ailleurs.fr:993', webdav: 'https://fichiers.ailleurs.fr/' };
    expect(() => requirePasswordForNewServers(base, after, undefined)).toThrow(OstalError);
    expect(() => requirePasswordForNewServers(base, after, '')).toThrow(
      /serveur de courrier entrant \(IMAP\), serveur de fichiers \(WebDAV\)\u00a0: saisissez à nouveau le mot de passe/,
    );
    expect(() => requirePasswordForNewServers(base, after, 'secret')).not.toThrow();
    expect(() => requirePasswordForNewServers(base, base, undefined)).not.toThrow();
    expect(() => requirePasswordForNewServers(base, { ...base, sieve: 'sieve://pirate.exemple:4190' }, undefined)).toThrow(
      /serveur de filtres \(ManageSieve\)/,
    );
  });
});
