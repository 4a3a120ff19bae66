import { describe, expect, it } from 'vitest';
import { newServerDestinations, requirePasswordForNewServers } from '../../src/accounts/server-change.js';
import { changedServerAddresses } from '../../renderer/src/lib/server-change';
import { OstalError } from '../../src/errors.js';

const base = { imap: 'imaps://imap.mairie.fr:993', smtp: 'smtp://smtp.mairie.fr:587', caldav: 'https://dav.mairie.fr/', carddav: null, webdav: null, username: null };

describe('a new server address needs the password again', () => {
  it.each([
    [{ imap: 'imaps://imap.ailleurs.fr:993' }, ['imap']],
    [{ imap: 'imap://imap.mairie.fr:143' }, ['imap']],
    [{ smtp: 'smtps://smtp.mairie.fr:465' }, ['smtp']],
    [{ caldav: 'https://dav.ailleurs.fr/' }, ['caldav']],
    [{ webdav: 'https://fichiers.mairie.fr/dav/' }, ['webdav']],
    [{ carddav: 'https://dav.mairie.fr:8443/' }, ['carddav']],
    [{ caldav: 'https://DAV.mairie.fr/autre/chemin/' }, []],
    [{ caldav: null }, []],
    [{ username: 'autre' }, []],
    [{}, []],
  ])('%j → %j (core and renderer agree)', (change, fields) => {
    const after = { ...base, ...change };
    expect(newServerDestinations(base, after)).toEqual(fields);
    expect(changedServerAddresses(base, after)).toEqual(fields);
  });

  it('refuses without the password, in French; accepts with it', () => {
    const after = { ...base, imap: 'imaps://imap.ailleurs.fr:993', webdav: 'https://fichiers.ailleurs.fr/' };
    expect(() => requirePasswordForNewServers(base, after, undefined)).toThrow(OstalError);
    expect(() => requirePasswordForNewServers(base, after, '')).toThrow(/serveur de courrier entrant \(IMAP\), serveur de fichiers \(WebDAV\)\u00a0: saisissez à nouveau le mot de passe/);
    expect(() => requirePasswordForNewServers(base, after, 'secret')).not.toThrow();
    expect(() => requirePasswordForNewServers(base, base, undefined)).not.toThrow();
  });
});
