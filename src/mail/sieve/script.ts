/**
 * Ostal's own Sieve script (named `ostal` on the server), generated from structured settings, and read back.
 *
 * The settings travel inside the script, as a comment line `# ostal-data: <base64 of JSON>`, so that every computer
 * of the agent (and a second Ostal profile) reads the same « Réponse automatique » and « Règles » from the server;
 * nothing is stored locally.
 *
 * Order in the script: the automatic answer (RFC 5230 `vacation`, dates by RFC 5260 `currentdate`), then the rules
 * in the user's order (`fileinto :create` RFC 5228/5490, `addflag` and `:flags` RFC 5232, `redirect :copy` RFC
 * 3894), then `include :personal :optional "<script>"` (RFC 6609) of the script that was active before Ostal's, so
 * filters written in a webmail or by IT keep running, unchanged, after Ostal's.
 */
import { z } from 'zod';
import type { MailRule, MailRuleCondition, VacationSettings } from '../../shared/contract.js';
import { mailRuleSchema, once, vacationSettingsSchema } from '../../shared/api-schema.js';

export const OSTAL_SCRIPT = 'ostal';

export interface OstalSieveData {
  vacation: VacationSettings;
  rules: MailRule[];
  /** Name of the script included at the end (the one active before Ostal's), or null. */
  include: string | null;
}

export const DEFAULT_VACATION: VacationSettings = { enabled: false, from: null, to: null, subject: '', message: '', externalMessage: null };

/** Made at its first use, like the API's schemas it is made of. */
const dataSchema = once(() =>
  z.object({
    v: z.literal(1),
    vacation: vacationSettingsSchema(),
    rules: z.array(mailRuleSchema()),
    include: z.string().nullable(),
  }),
);

const DATA_PREFIX = '# ostal-data: ';

/** What the generator needs besides the settings. */
export interface ScriptContext {
  /** The account's addresses (vacation `:addresses`). */
  addresses: string[];
  /** Domains of the organisation: their senders get `vacation.message`, the others `externalMessage`. */
  organisationDomains: string[];
  /** The Trash folder path (rule action « delete » moves there). */
  trashFolder: string;
  /** Default subject of the answer (French, from the translations). */
  defaultSubject: string;
  /** Script header comment (French, from the translations). */
  header: string;
}

/** A Sieve quoted string (RFC 5228 §2.4.2): `"` and `\` escaped; line breaks kept as CRLF. */
export function sieveString(value: string): string {
  return `"${value
    .replace(/\r\n?/g, '\n')
    .replace(/[\\"]/g, (c) => `\\${c}`)
    .replace(/\n/g, '\r\n')}"`;
}

function stringList(values: readonly string[]): string {
  return values.length === 1 ? sieveString(values[0] as string) : `[${values.map(sieveString).join(', ')}]`;
}

/** The settings found in an Ostal script, or null when there is none (or it was edited beyond recognition). */
export function readOstalData(script: string): OstalSieveData | null {
  const line = script.split(/\r?\n/).find((l) => l.startsWith(DATA_PREFIX));
  if (!line) return null;
  try {
    const json: unknown = JSON.parse(Buffer.from(line.slice(DATA_PREFIX.length).trim(), 'base64').toString('utf8'));
    const parsed = dataSchema().safeParse(json);
    if (!parsed.success) return null;
    return { vacation: parsed.data.vacation, rules: parsed.data.rules, include: parsed.data.include };
  } catch {
    return null;
  }
}

/** Extensions a script of these settings needs (checked against the server's SIEVE capability). */
export function requiredExtensions(data: OstalSieveData): string[] {
  const ext = new Set<string>();
  const v = data.vacation;
  if (v.enabled) {
    ext.add('vacation');
    if (v.from || v.to) {
      ext.add('date');
      ext.add('relational');
    }
    if (v.externalMessage) ext.add('envelope');
  }
  for (const r of data.rules) {
    if (!r.enabled) continue;
    for (const a of r.actions) {
      if (a.type === 'move' || a.type === 'delete') {
        ext.add('fileinto');
        ext.add('mailbox');
      }
      if (a.type === 'read' || a.type === 'flag') ext.add('imap4flags');
      if (a.type === 'redirect') ext.add('copy');
    }
  }
  if (data.include) ext.add('include');
  return [...ext].sort();
}

/** The whole script. */
export function generateScript(data: OstalSieveData, ctx: ScriptContext): string {
  const payload = Buffer.from(JSON.stringify({ v: 1, ...data }), 'utf8').toString('base64');
  const out: string[] = [];
  for (const l of ctx.header.split('\n')) out.push(`# ${l}`);
  out.push(`${DATA_PREFIX}${payload}`);
  const req = requiredExtensions(data);
  if (req.length > 0) out.push(`require ${stringList(req)};`);
  out.push('');
  const v = data.vacation;
  if (v.enabled) out.push(...vacationBlock(v, ctx));
  for (const rule of data.rules) if (rule.enabled) out.push(...ruleBlock(rule, ctx));
  if (data.include) out.push(`include :personal :optional ${sieveString(data.include)};`);
  return out.join('\r\n') + '\r\n';
}

function vacationBlock(v: VacationSettings, ctx: ScriptContext): string[] {
  const out: string[] = [];
  const dates: string[] = [];
  if (v.from) dates.push(`currentdate :value "ge" "date" ${sieveString(v.from)}`);
  if (v.to) dates.push(`currentdate :value "le" "date" ${sieveString(v.to)}`);
  let indent = '';
  if (dates.length > 0) {
    out.push(`if ${dates.length === 1 ? dates[0] : `allof(${dates.join(', ')})`} {`);
    indent = '  ';
  }
  // No `variables` (RFC 5229) for the received subject: it would also expand any « ${…} » of the agent's text.
  const subject = sieveString(v.subject?.trim() || ctx.defaultSubject);
  const vacation = (text: string) =>
    `vacation :days 1 :subject ${subject} :addresses ${stringList(ctx.addresses.length > 0 ? ctx.addresses : [''])} ${sieveString(text)};`;
  if (v.externalMessage && ctx.organisationDomains.length > 0) {
    out.push(`${indent}if envelope :domain :is "from" ${stringList(ctx.organisationDomains)} {`);
    out.push(`${indent}  ${vacation(v.message)}`);
    out.push(`${indent}} else {`);
    out.push(`${indent}  ${vacation(v.externalMessage)}`);
    out.push(`${indent}}`);
  } else {
    out.push(`${indent}${vacation(v.message)}`);
  }
  if (dates.length > 0) out.push('}');
  return out;
}

function test(c: MailRuleCondition): string {
  const value = c.value.trim();
  switch (c.field) {
    case 'from':
      return c.op === 'is' ? `address :all :is "from" ${sieveString(value)}` : `header :contains "from" ${sieveString(value)}`;
    case 'to':
      return c.op === 'is' ? `address :all :is ["to", "cc"] ${sieveString(value)}` : `header :contains ["to", "cc"] ${sieveString(value)}`;
    case 'subject':
      return `header :${c.op === 'is' ? 'is' : 'contains'} "subject" ${sieveString(value)}`;
    case 'list':
      return `header :${c.op === 'is' ? 'is' : 'contains'} "list-id" ${sieveString(value)}`;
    case 'size': {
      const kb = Math.max(0, Math.floor(Number(value) || 0));
      return `size :${c.op === 'under' ? 'under' : 'over'} ${kb}K`;
    }
  }
}

function ruleBlock(rule: MailRule, ctx: ScriptContext): string[] {
  const tests = rule.conditions.map(test);
  const cond =
    tests.length === 0
      ? 'true'
      : tests.length === 1
        ? (tests[0] as string)
        : `${rule.match === 'any' ? 'anyof' : 'allof'}(${tests.join(', ')})`;
  const flags: string[] = [];
  if (rule.actions.some((a) => a.type === 'read')) flags.push('\\Seen');
  if (rule.actions.some((a) => a.type === 'flag')) flags.push('\\Flagged');
  const body: string[] = [];
  const moves: string[] = [];
  for (const a of rule.actions) {
    if (a.type === 'move') moves.push(a.folder);
    if (a.type === 'delete') moves.push(ctx.trashFolder);
  }
  if (moves.length > 0) {
    // `:create` first: Pigeonhole 0.5.19 ignores it when written after `:flags`.
    for (const folder of [...new Set(moves)]) {
      body.push(`fileinto :create${flags.length > 0 ? ` :flags ${stringList(flags)}` : ''} ${sieveString(folder)};`);
    }
  } else if (flags.length > 0) {
    body.push(`addflag ${stringList(flags)};`);
  }
  for (const a of rule.actions) if (a.type === 'redirect') body.push(`redirect :copy ${sieveString(a.to.trim())};`);
  if (rule.stop) body.push('stop;');
  const title = rule.name.replace(/[\r\n]/g, ' ').slice(0, 120);
  return [`# ${title}`, `if ${cond} {`, ...body.map((l) => `  ${l}`), '}'];
}
