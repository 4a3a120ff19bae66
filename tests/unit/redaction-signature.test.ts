import { describe, expect, it } from 'vitest';
import type { SettingEntry } from '../../src/shared/contract.js';
import {
  composeFormatFor,
  fillTemplate,
  lockedTemplateHtml,
  withLockedSignature,
  signatureBlock,
  signatureHtml,
  signatureSettings,
  signatureText,
} from '../../renderer/src/lib/signature.js';

const account = { id: 'a1', name: 'Lou Garnier', email: 'lou.garnier@mairie.example' };

function entries(own: Record<string, string>, template: string, locked: boolean): SettingEntry[] {
  return [
    { key: 'mail.signatures', value: JSON.stringify(own), locked: false, hidden: false },
    { key: 'mail.signatureTemplate', value: template, locked, hidden: false },
  ] as SettingEntry[];
}

describe('signatures', () => {
  it('fills the organisation template from the account and the agent’s fields, values escaped', () => {
    expect(
      fillTemplate('<p><b>{prénom} {nom}</b><br>{fonction} – {service}<br>{telephone} · {courriel} {inconnu}</p>', account, {
        fonction: 'Chargée <de> l’accueil',
        service: 'Population',
        telephone: '05 61 00 00 00',
      }),
    ).toBe(
      '<p><b>Lou Garnier</b><br>Chargée &lt;de&gt; l’accueil – Population<br>05 61 00 00 00 · lou.garnier@mairie.example {inconnu}</p>',
    );
  });

  it('a locked template always comes first and the agent only completes it; unlocked, the agent’s own wins', () => {
    const template = '<p>{prenom} {nom}, {fonction}</p>';
    const own = { a1: '<p>Permanence le mardi</p>', 'a1#fonction': 'Secrétaire générale' };
    expect(signatureHtml(account, signatureSettings(entries(own, template, true)))).toBe(
      '<p>Lou Garnier, Secrétaire générale</p><p>Permanence le mardi</p>',
    );
    expect(signatureHtml(account, signatureSettings(entries({ a1: '' }, template, true)))).toBe('<p>Lou Garnier, </p>');
    expect(signatureHtml(account, signatureSettings(entries(own, template, false)))).toBe('<p>Permanence le mardi</p>');
    expect(signatureHtml(account, signatureSettings(entries({}, template, false)))).toBe('<p>Lou Garnier, </p>');
    expect(signatureHtml(account, signatureSettings(entries({}, '', false)))).toBe('');
  });

  it('is preceded by the « -- » separator, kept with its space in the text part', () => {
    expect(signatureBlock('<p>Lou</p>')).toBe('<p>--&nbsp;</p><p>Lou</p>');
    expect(signatureBlock('')).toBe('');
    expect(signatureText('<p><strong>Lou Garnier</strong></p><p>Mairie</p>')).toBe('-- \nLou Garnier\n\nMairie');
  });

  it('writes formatted by default; « Texte brut » is chosen per account unless IT locks the format', () => {
    const format = (value: string | undefined, locked: boolean, own: Record<string, string>) =>
      [
        ...(value === undefined ? [] : [{ key: 'mail.composeFormat', value, locked, hidden: false }]),
        { key: 'mail.signatures', value: JSON.stringify(own), locked: false, hidden: false },
      ] as SettingEntry[];
    expect(composeFormatFor('a1', format('html', false, {}))).toBe('html');
    expect(composeFormatFor('a1', format(undefined, false, {}))).toBe('html');
    expect(composeFormatFor('a1', format('html', false, { 'a1#format': 'text' }))).toBe('text');
    expect(composeFormatFor('a2', format('html', false, { 'a1#format': 'text' }))).toBe('html');
    expect(composeFormatFor('a1', format('text', false, { 'a1#format': 'html' }))).toBe('html');
    expect(composeFormatFor('a1', format('html', true, { 'a1#format': 'text' }))).toBe('html');
    expect(composeFormatFor('a1', format('text', true, { 'a1#format': 'html' }))).toBe('text');
  });

  it('puts IT’s locked template back at the end of a message the agent took it out of', () => {
    const s = signatureSettings(entries({ 'a1#fonction': 'Secrétaire générale' }, '<p>{prenom} {nom}, {fonction}</p>', true));
    const locked = lockedTemplateHtml(account, s);
    expect(locked).toBe('<p>Lou Garnier, Secrétaire générale</p>');
    expect(lockedTemplateHtml(account, signatureSettings(entries({}, '<p>{nom}</p>', false)))).toBe('');
    const kept = { text: '', html: '<p>Bonjour</p><p>--&nbsp;</p><p>Lou  Garnier, Secrétaire générale</p>' };
    expect(withLockedSignature(kept, locked)).toEqual(kept);
    expect(withLockedSignature({ text: '', html: '<p>Bonjour</p>' }, locked).html).toBe(
      '<p>Bonjour</p><p>--&nbsp;</p><p>Lou Garnier, Secrétaire générale</p>',
    );
    expect(withLockedSignature({ text: 'Bonjour\n\n' }, locked).text).toBe('Bonjour\n\n-- \nLou Garnier, Secrétaire générale');
    expect(withLockedSignature({ text: 'Bonjour' }, '').text).toBe('Bonjour');
  });
});
