/** The one classifier of network and TLS errors (src/net/errors.ts): one cause, one code and one French message. */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { OstalError } from '../../src/errors.js';
import { coreMessages } from '../../src/i18n/index.js';
import { imapErrorToOstal } from '../../src/mail/errors.js';
import { classifyNetworkError, errorCodes, isConnectivityError, networkFailure, NETWORK_FAILURES } from '../../src/net/errors.js';

const NNBSP = '\u202f';
const NBSP = '\u00a0';
const target = { host: 'dav.mairie.fr', port: 443 };
const sys = (code: string, message = `connect ${code}`) => Object.assign(new Error(message), { code });

describe('classifyNetworkError', () => {
  it.each([
    [
      'CERT_HAS_EXPIRED',
      'tls_untrusted',
      `Le certificat de sécurité du serveur dav.mairie.fr a expiré ou n’est pas encore valable. Ostal refuse la connexion pour protéger vos données${NNBSP}; prévenez votre service informatique.`,
    ],
    [
      'CERT_NOT_YET_VALID',
      'tls_untrusted',
      `Le certificat de sécurité du serveur dav.mairie.fr a expiré ou n’est pas encore valable. Ostal refuse la connexion pour protéger vos données${NNBSP}; prévenez votre service informatique.`,
    ],
    [
      'DEPTH_ZERO_SELF_SIGNED_CERT',
      'tls_untrusted',
      `Le certificat de sécurité du serveur dav.mairie.fr n’est pas reconnu comme sûr. Ostal refuse la connexion pour protéger vos données${NNBSP}; prévenez votre service informatique.`,
    ],
    [
      'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
      'tls_untrusted',
      `Le certificat de sécurité du serveur dav.mairie.fr n’est pas reconnu comme sûr. Ostal refuse la connexion pour protéger vos données${NNBSP}; prévenez votre service informatique.`,
    ],
    [
      'SELF_SIGNED_CERT_IN_CHAIN',
      'tls_untrusted',
      `Le certificat de sécurité du serveur dav.mairie.fr n’est pas reconnu comme sûr. Ostal refuse la connexion pour protéger vos données${NNBSP}; prévenez votre service informatique.`,
    ],
    [
      'ERR_TLS_CERT_ALTNAME_INVALID',
      'tls_hostname',
      `Le certificat de sécurité présenté par dav.mairie.fr est établi pour un autre nom de serveur. Ostal refuse la connexion pour protéger vos données${NNBSP}; vérifiez l’adresse du serveur dans Réglages › Comptes.`,
    ],
    [
      'ECONNREFUSED',
      'connection_refused',
      `Le serveur dav.mairie.fr (port 443) refuse la connexion. Vos données restent disponibles sur cet ordinateur${NNBSP}; Ostal réessaiera automatiquement.`,
    ],
    [
      'ETIMEDOUT',
      'timeout',
      `Le serveur dav.mairie.fr (port 443) ne répond pas. Vos données restent disponibles sur cet ordinateur${NNBSP}; Ostal réessaiera automatiquement.`,
    ],
    [
      'ENOTFOUND',
      'unreachable',
      `Le serveur dav.mairie.fr est introuvable${NBSP}: vérifiez votre connexion au réseau et l’adresse du serveur dans Réglages › Comptes. Vos données restent disponibles sur cet ordinateur.`,
    ],
    [
      'EAI_AGAIN',
      'unreachable',
      `Le serveur dav.mairie.fr est introuvable${NBSP}: vérifiez votre connexion au réseau et l’adresse du serveur dans Réglages › Comptes. Vos données restent disponibles sur cet ordinateur.`,
    ],
    [
      'ENETUNREACH',
      'unreachable',
      `Le serveur dav.mairie.fr est injoignable. Vos données restent disponibles sur cet ordinateur${NNBSP}; Ostal réessaiera dès que la connexion reviendra.`,
    ],
    [
      'ECONNRESET',
      'unreachable',
      `La connexion au serveur dav.mairie.fr a été interrompue. Vos données restent disponibles sur cet ordinateur${NNBSP}; Ostal réessaiera automatiquement.`,
    ],
    [
      'EPROTO',
      'server_error',
      `La connexion sécurisée au serveur dav.mairie.fr (port 443) a échoué${NBSP}: le port ne correspond peut-être pas au mode de sécurité choisi. Vérifiez-le dans Réglages › Comptes${NNBSP}; vos données restent disponibles sur cet ordinateur.`,
    ],
  ])('%s → %s, in French', (code, expected, message) => {
    const err = classifyNetworkError(sys(code), target);
    expect(err).toBeInstanceOf(OstalError);
    expect(err.toApiError()).toEqual({ code: expected, message });
    expect((err.cause as Error).message).toBe(`connect ${code}`);
  });

  it('finds the cause under the libraries’ wrappers (imapflow _err, nodemailer originalCode, cause, message)', () => {
    expect(networkFailure(Object.assign(new Error('x'), { code: 'NoConnection', _err: sys('ENOTFOUND') }))).toBe('not_found');
    expect(networkFailure(Object.assign(new Error('x'), { code: 'ESOCKET', originalCode: 'ECONNREFUSED' }))).toBe('refused');
    expect(networkFailure(new Error('outer', { cause: sys('CERT_HAS_EXPIRED') }))).toBe('tls_expired');
    expect(networkFailure(new Error('certificate has expired: CERT_HAS_EXPIRED'))).toBe('tls_expired');
    expect(networkFailure(new Error('Greeting never received: timed out'))).toBe('timeout');
    expect(networkFailure(new Error('socket hang up'))).toBe('interrupted');
    expect(networkFailure(Object.assign(new Error('x'), { code: 'ERR_SSL_WRONG_VERSION_NUMBER' }))).toBe('tls_failed');
    expect(errorCodes(Object.assign(new Error('x'), { code: 'NoConnection', _err: sys('ENOTFOUND') }))).toEqual([
      'ENOTFOUND',
      'NoConnection',
      'ENOTFOUND',
    ]);
  });

  it('keeps an OstalError as it is; an error of no known cause counts as an unreachable server', () => {
    const mine = new OstalError('auth_failed', 'déjà en français');
    expect(classifyNetworkError(mine, target)).toBe(mine);
    expect(networkFailure(new Error('???'))).toBeNull();
    expect(classifyNetworkError(new Error('???'), target).code).toBe('unreachable');
  });

  it('is what mail uses for network causes; mail keeps its own words for a refused password and server failures', () => {
    for (const code of ['CERT_HAS_EXPIRED', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'ECONNREFUSED', 'ETIMEDOUT', 'ECONNRESET']) {
      expect(imapErrorToOstal(sys(code), 'dav.mairie.fr', 443).toApiError()).toEqual(classifyNetworkError(sys(code), target).toApiError());
    }
    expect(
      imapErrorToOstal(Object.assign(new Error('Authentication failed'), { authenticationFailed: true }), 'imap.mairie.fr', 993).code,
    ).toBe('auth_failed');
    expect(imapErrorToOstal(Object.assign(new Error('Command failed'), { responseStatus: 'NO' }), 'imap.mairie.fr', 993)).toMatchObject({
      code: 'server_error',
      message: expect.stringContaining('serveur de courrier'),
    });
  });

  it('tells connectivity errors (try again later) from the ones that need the user', () => {
    const codeOf = (c: string) => classifyNetworkError(sys(c), target);
    expect(['ECONNREFUSED', 'ETIMEDOUT', 'ENOTFOUND', 'ECONNRESET'].every((c) => isConnectivityError(codeOf(c)))).toBe(true);
    expect(
      ['CERT_HAS_EXPIRED', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'ERR_TLS_CERT_ALTNAME_INVALID', 'EPROTO'].some((c) =>
        isConnectivityError(codeOf(c)),
      ),
    ).toBe(false);
  });

  it('has one message per cause in fr.json, naming no domain', () => {
    const net = (coreMessages.net as { errors: Record<string, string> }).errors;
    expect(Object.keys(net).sort()).toEqual(
      [...new Set(Object.values(NETWORK_FAILURES).map((f) => f.message.replace('net.errors.', '')))].sort(),
    );
    for (const m of Object.values(net)) expect(m).not.toMatch(/courrier|agenda|contacts|fichiers/i);
  });
});

describe('layers', () => {
  const root = path.resolve(import.meta.dirname, '..', '..', 'src');
  // net/ sits below dav/: it may not import it.
  const below = { net: 'shared|errors|i18n|log|store', dav: 'shared|errors|i18n|log|store|net' };
  it.each(['net', 'dav'] as const)('src/%s/ imports no domain', (layer) => {
    const allowed = new RegExp(`^(\\./|\\.\\./(${below[layer]})[/.])|^(node:|fast-xml-parser$)`);
    for (const file of fs.readdirSync(path.join(root, layer))) {
      const source = fs.readFileSync(path.join(root, layer, file), 'utf8');
      for (const m of source.matchAll(/(?:^|\n)\s*(?:import|export)[^;]*?from\s+'([^']+)'/g))
        expect(m[1], `${layer}/${file}`).toMatch(allowed);
    }
  });
});
