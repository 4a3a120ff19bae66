/**
 * Signatures (pure functions): the agent's own signature per account is kept in the setting 'mail.signatures' (a JSON
 * object account id → HTML; the fields of the organisation's template under « id#fonction », « id#service »,
 * « id#telephone »). IT's template ('mail.signatureTemplate') has placeholders filled from the account and those
 * fields; when IT locks it, it always comes first and the agent's own text can only complete it.
 */
import type { AccountSummary, SettingEntry } from '../../../src/shared/contract';
import { escapeHtml, htmlToPlainText, textToHtml } from '../../../src/shared/html-text';

export type SignatureField = 'fonction' | 'service' | 'telephone';
export const SIGNATURE_FIELDS: readonly SignatureField[] = ['fonction', 'service', 'telephone'];

export function parseSignatures(value: string | undefined): Record<string, string> {
  if (!value) return {};
  try {
    const parsed: unknown = JSON.parse(value);
    if (typeof parsed !== 'object' || parsed === null) return {};
    return Object.fromEntries(Object.entries(parsed).filter((e): e is [string, string] => typeof e[1] === 'string'));
  } catch {
    return {};
  }
}

/** The template with its placeholders filled (HTML-escaped values); unknown placeholders left as written. */
export function fillTemplate(
  template: string,
  account: Pick<AccountSummary, 'name' | 'email'>,
  fields: Partial<Record<SignatureField, string>>,
): string {
  const name = (account.name ?? '').trim();
  const space = name.indexOf(' ');
  const values: Record<string, string> = {
    prenom: space > 0 ? name.slice(0, space) : name,
    prénom: space > 0 ? name.slice(0, space) : name,
    nom: space > 0 ? name.slice(space + 1) : '',
    fonction: fields.fonction ?? '',
    service: fields.service ?? '',
    telephone: fields.telephone ?? '',
    téléphone: fields.telephone ?? '',
    courriel: account.email,
  };
  return template.replace(/\{([a-zé]+)\}/gi, (whole, key: string) => {
    const v = values[key.toLowerCase()];
    return v === undefined ? whole : escapeHtml(v);
  });
}

export interface SignatureSettings {
  own: Record<string, string>;
  template: string;
  locked: boolean;
}

export function signatureSettings(entries: SettingEntry[] | undefined): SignatureSettings {
  const own = entries?.find((e) => e.key === 'mail.signatures');
  const template = entries?.find((e) => e.key === 'mail.signatureTemplate');
  const templateValue = typeof template?.value === 'string' ? template.value : '';
  return {
    own: parseSignatures(typeof own?.value === 'string' ? own.value : ''),
    template: templateValue,
    locked: !!template?.locked && templateValue.trim() !== '',
  };
}

/** The signature of an account as HTML ('' for none): IT's locked template then the agent's text, else the agent's, else the template. */
export function signatureHtml(account: Pick<AccountSummary, 'id' | 'name' | 'email'>, s: SignatureSettings): string {
  const fields = {
    fonction: s.own[`${account.id}#fonction`],
    service: s.own[`${account.id}#service`],
    telephone: s.own[`${account.id}#telephone`],
  };
  const own = (s.own[account.id] ?? '').trim();
  const template = s.template.trim() ? fillTemplate(s.template, account, fields) : '';
  if (s.locked) return [template, own].filter(Boolean).join('');
  return own || template;
}

/** IT's locked template filled for the account, '' when there is none or it is not locked. */
export function lockedTemplateHtml(account: Pick<AccountSummary, 'id' | 'name' | 'email'>, s: SignatureSettings): string {
  if (!s.locked) return '';
  return fillTemplate(s.template, account, {
    fonction: s.own[`${account.id}#fonction`],
    service: s.own[`${account.id}#service`],
    telephone: s.own[`${account.id}#telephone`],
  }).trim();
}

const flat = (text: string) => text.replace(/\s+/g, ' ').trim();

/**
 * What is sent when IT locked the organisation's template: the body as written when the template's text is still in
 * it, else the body with the template put back at the end (under « -- »). The agent can complete it, not remove it.
 */
export function withLockedSignature<T extends { html?: string; text: string }>(body: T, locked: string): T {
  if (!locked) return body;
  const needle = flat(htmlToPlainText(locked));
  if (!needle) return body;
  if (body.html !== undefined) {
    if (flat(htmlToPlainText(body.html)).includes(needle)) return body;
    return { ...body, html: `${body.html}${signatureBlock(locked)}` };
  }
  if (flat(body.text).includes(needle)) return body;
  return { ...body, text: `${body.text.replace(/\s+$/, '')}\n\n${signatureText(locked)}` };
}

/** The block inserted in the composer: « -- » (the usual separator, kept in the text part) then the signature. */
export function signatureBlock(html: string): string {
  return html ? `<p>--&nbsp;</p>${html}` : '';
}

/**
 * How new messages of an account are written: the agent's choice for that account (« id#format » in 'mail.signatures'),
 * else the general setting 'mail.composeFormat' (formatted by default); a value IT locked wins over the agent's choice.
 */
export function composeFormatFor(accountId: string, entries: SettingEntry[] | undefined): 'html' | 'text' {
  const general = entries?.find((e) => e.key === 'mail.composeFormat');
  const base = general?.value === 'text' ? 'text' : 'html';
  if (general?.locked) return base;
  const own = signatureSettings(entries).own[`${accountId}#format`];
  return own === 'text' || own === 'html' ? own : base;
}

export function signatureText(html: string): string {
  return html ? `-- \n${htmlToPlainText(html)}` : '';
}

export { textToHtml };
