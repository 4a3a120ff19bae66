/**
 * The checks that keep the files of the Discussions on the account's own server: which addresses count as the
 * server's, which messages show as a file card, the slot headers kept, and the French refusal of a slot elsewhere.
 */
import { describe, expect, it } from 'vitest';
import { xml } from '@xmpp/client';
import { chatFileOf, checkSlotHost, checkUploadName, fileNameOf, isOwnServerUrl } from '../../src/workspaces/chat-files.js';
import { readSlot } from '../../src/workspaces/xmpp/upload.js';

const own = { domain: 'mairie.example', xmppHost: 'xmpp.hebergeur.example' };

describe('fichiers des discussions', () => {
  it('takes only https addresses on the mail domain, below it, or on the XMPP host', () => {
    expect(isOwnServerUrl('https://mairie.example/f/a.pdf', own)).toBe(true);
    expect(isOwnServerUrl('https://upload.mairie.example:5281/file_share/x/a.pdf', own)).toBe(true);
    expect(isOwnServerUrl('https://xmpp.hebergeur.example/file_share/x/a.pdf', own)).toBe(true);
    expect(isOwnServerUrl('http://upload.mairie.example/file_share/x/a.pdf', own)).toBe(false);
    expect(isOwnServerUrl('https://upload.mairie.example.evil.example/a.pdf', own)).toBe(false);
    expect(isOwnServerUrl('https://evilmairie.example/a.pdf', own)).toBe(false);
    expect(isOwnServerUrl('https://agent:secret@upload.mairie.example/a.pdf', own)).toBe(false);
    expect(isOwnServerUrl('pas une adresse', own)).toBe(false);
  });

  it('a message is a file only when its whole text is one address of the server', () => {
    expect(chatFileOf('https://upload.mairie.example/file_share/u1/Compte%20rendu%20%C3%A9t%C3%A9.pdf', own)).toEqual({
      url: 'https://upload.mairie.example/file_share/u1/Compte%20rendu%20%C3%A9t%C3%A9.pdf',
      name: 'Compte rendu été.pdf',
    });
    expect(chatFileOf('Voir https://upload.mairie.example/file_share/u1/a.pdf', own)).toBeNull();
    expect(chatFileOf('https://ailleurs.example/file_share/u1/a.pdf', own)).toBeNull();
    // A name that would escape the download folder is replaced.
    expect(fileNameOf('https://upload.mairie.example/file_share/u1/..%2F..%2Fbashrc')).toBe('fichier');
    expect(fileNameOf('https://upload.mairie.example/file_share/u1/')).toBe('fichier');
  });

  it('keeps only the headers XEP-0363 allows, and refuses a slot elsewhere in French', () => {
    const slot = readSlot(
      xml(
        'iq',
        { type: 'result' },
        xml(
          'slot',
          { xmlns: 'urn:xmpp:http:upload:0' },
          xml(
            'put',
            { url: 'https://upload.mairie.example/put' },
            xml('header', { name: 'Authorization' }, 'Bearer abc'),
            xml('header', { name: 'X-Autre' }, 'non'),
            xml('header', { name: 'Cookie' }, 'a=1\r\nX-Injecte: oui'),
          ),
          xml('get', { url: 'https://upload.mairie.example/get' }),
        ),
      ),
    );
    expect(slot).toEqual({
      put: 'https://upload.mairie.example/put',
      headers: { Authorization: 'Bearer abc' },
      get: 'https://upload.mairie.example/get',
    });
    expect(() => checkSlotHost('https://stockage.ailleurs.example/put/a.pdf', own)).toThrow(
      'Le serveur a proposé de déposer le fichier sur «\u00a0stockage.ailleurs.example\u00a0», qui n’est pas votre serveur (mairie.example)\u00a0: le fichier n’a pas été envoyé.',
    );
    expect(() => checkSlotHost('https://upload.mairie.example/put', own)).not.toThrow();
    expect(() => checkUploadName('../a.pdf')).toThrow(/n’est pas un nom de fichier/);
  });
});
