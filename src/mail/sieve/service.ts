/**
 * « Réponse automatique » and « Règles » on the account's ManageSieve server: read the Ostal script's settings,
 * change them, write the script back and make it the active one, keeping the script that was active before
 * (written in a webmail or by IT) running through `include` (see script.ts).
 *
 * The server is the only copy: without it, nothing is changed and the user reads why in French.
 */
import type { MailRule, SieveState, VacationSettings } from '../../shared/contract.js';
import type { CoreContext } from '../../context.js';
import { OstalError } from '../../errors.js';
import { t } from '../../i18n/index.js';
import type { MailAccount } from '../imap-client.js';
import { parseImapUrl } from '../imap-client.js';
import { MailRepository } from '../repository.js';
import { ManageSieveClient, parseSieveUrl, SIEVE_DEFAULT_PORT, sieveUrl, type SieveEndpoint } from './client.js';
import { DEFAULT_VACATION, generateScript, OSTAL_SCRIPT, readOstalData, requiredExtensions, type OstalSieveData } from './script.js';

/** Where the account's ManageSieve server is: the account's `sieve` setting, else the IMAP host on port 4190. */
export function sieveEndpoint(account: Pick<MailAccount, 'settings'>): SieveEndpoint {
  if (account.settings.sieve) {
    const { host, port } = parseSieveUrl(account.settings.sieve);
    return { host, port };
  }
  return { host: parseImapUrl(account.settings.imap).host, port: SIEVE_DEFAULT_PORT };
}

function domainOf(email: string): string {
  return email.slice(email.lastIndexOf('@') + 1).toLowerCase();
}

/** The organisation is the account's mail domain: its senders get the internal message and may be redirected to. */
export function organisationDomains(account: Pick<MailAccount, 'email'>): string[] {
  return [domainOf(account.email)];
}

type Ctx = Pick<CoreContext, 'db' | 'log'>;

async function open(ctx: Ctx, account: MailAccount): Promise<{ client: ManageSieveClient; endpoint: SieveEndpoint }> {
  const endpoint = sieveEndpoint(account);
  try {
    const client = await ManageSieveClient.connect({
      endpoint,
      username: account.settings.username || account.email,
      password: account.password,
      pinnedCertificates: account.pinnedCertificates,
      log: ctx.log,
    });
    return { client, endpoint };
  } catch (e) {
    if (e instanceof OstalError && e.code === 'connection_refused') {
      // The usual case of a server without ManageSieve: say so rather than « connexion refusée ».
      throw new OstalError('not_configured', t('mail.sieve.errors.noServer', { host: endpoint.host, port: endpoint.port }), { cause: e });
    }
    throw e;
  }
}

interface Loaded {
  data: OstalSieveData;
  /** The active script when it is not Ostal's (to include), else the one Ostal already includes. */
  keep: string | null;
}

async function load(ctx: Ctx, client: ManageSieveClient, accountId: string): Promise<Loaded> {
  const scripts = await client.listScripts();
  const ours = scripts.find((s) => s.name === OSTAL_SCRIPT);
  let data: OstalSieveData | null = null;
  if (ours) {
    const text = await client.getScript(OSTAL_SCRIPT);
    data = text === null ? null : readOstalData(text);
    if (text !== null && data === null) ctx.log.warn('sieve: the ostal script holds no readable settings, starting afresh', { accountId });
  }
  data ??= { vacation: { ...DEFAULT_VACATION }, rules: [], include: null };
  const active = scripts.find((s) => s.active);
  let keep = data.include;
  if (active && active.name !== OSTAL_SCRIPT) keep = active.name;
  if (keep && !scripts.some((s) => s.name === keep)) keep = null;
  return { data: { ...data, include: keep }, keep };
}

function isActiveToday(v: VacationSettings, now = new Date()): boolean {
  if (!v.enabled) return false;
  const p = (n: number) => String(n).padStart(2, '0');
  const today = `${now.getFullYear()}-${p(now.getMonth() + 1)}-${p(now.getDate())}`;
  return (!v.from || v.from <= today) && (!v.to || today <= v.to);
}

function state(account: MailAccount, endpoint: SieveEndpoint, loaded: Loaded): SieveState {
  return {
    accountId: account.id,
    server: sieveUrl(endpoint),
    vacation: loaded.data.vacation,
    rules: loaded.data.rules,
    keptScript: loaded.keep,
    vacationActiveNow: isActiveToday(loaded.data.vacation),
    organisationDomains: organisationDomains(account),
  };
}

/** The account's « Réponse automatique » and « Règles » as the server holds them. */
export async function readSieve(ctx: Ctx, account: MailAccount): Promise<SieveState> {
  const { client, endpoint } = await open(ctx, account);
  try {
    return state(account, endpoint, await load(ctx, client, account.id));
  } finally {
    await client.logout();
  }
}

function checkVacation(v: VacationSettings): VacationSettings {
  const message = v.message.trim();
  if (v.enabled && !message) throw new OstalError('invalid_input', t('mail.sieve.errors.emptyMessage'));
  if (v.from && v.to && v.to < v.from) throw new OstalError('invalid_input', t('mail.sieve.errors.datesReversed'));
  for (const d of [v.from, v.to]) {
    if (d && Number.isNaN(Date.parse(`${d}T00:00:00Z`)))
      throw new OstalError('invalid_input', t('mail.sieve.errors.invalidDate', { value: d }));
  }
  const external = v.externalMessage?.trim() ? v.externalMessage : null;
  return {
    enabled: v.enabled,
    from: v.from ?? null,
    to: v.to ?? null,
    subject: v.subject?.trim() ?? '',
    message: v.message,
    externalMessage: external,
  };
}

const ADDRESS = /^[^\s@<>()[\]\\,;:"]+@[^\s@<>()[\]\\,;:"]+\.[^\s@<>()[\]\\,;:"]+$/;

function checkRules(rules: MailRule[], account: MailAccount): MailRule[] {
  const org = new Set(organisationDomains(account));
  return rules.map((r) => {
    for (const c of r.conditions) {
      if (c.field === 'size') {
        if (!/^\d{1,9}$/.test(c.value.trim()) || (c.op !== 'over' && c.op !== 'under'))
          throw new OstalError('invalid_input', t('mail.sieve.errors.invalidSize', { rule: r.name || '—' }));
      } else if (!c.value.trim() || (c.op !== 'contains' && c.op !== 'is')) {
        throw new OstalError('invalid_input', t('mail.sieve.errors.emptyCondition', { rule: r.name || '—' }));
      }
    }
    for (const a of r.actions) {
      if (a.type !== 'redirect') continue;
      const to = a.to.trim().toLowerCase();
      if (!ADDRESS.test(to)) throw new OstalError('invalid_input', t('mail.sieve.errors.invalidRedirect', { address: a.to }));
      // Forwarding the organisation's mail outside it is a data leak: only inside the organisation.
      if (!org.has(domainOf(to)))
        throw new OstalError('invalid_input', t('mail.sieve.errors.externalRedirect', { address: a.to, domain: [...org].join(', ') }));
      if (to === account.email.toLowerCase()) throw new OstalError('invalid_input', t('mail.sieve.errors.selfRedirect'));
    }
    return r;
  });
}

/** Changes the settings (vacation, rules or both), writes Ostal's script and makes it active; returns the new state. */
export async function writeSieve(
  ctx: Ctx,
  account: MailAccount,
  change: { vacation?: VacationSettings; rules?: MailRule[] },
): Promise<SieveState> {
  const vacation = change.vacation ? checkVacation(change.vacation) : undefined;
  const rules = change.rules ? checkRules(change.rules, account) : undefined;
  const { client, endpoint } = await open(ctx, account);
  try {
    const loaded = await load(ctx, client, account.id);
    const data: OstalSieveData = {
      vacation: vacation ?? loaded.data.vacation,
      rules: rules ?? loaded.data.rules,
      include: loaded.keep,
    };
    const missing = requiredExtensions(data).filter((e) => !client.extensions.has(e));
    if (missing.length > 0) {
      ctx.log.warn('sieve: server lacks extensions', { accountId: account.id, missing });
      throw new OstalError('server_error', t('mail.sieve.errors.unsupported', { host: endpoint.host, list: missing.join(', ') }));
    }
    const trash = new MailRepository(ctx.db).folderInfos(account.id).find((f) => f.specialUse === '\\Trash')?.path ?? 'Trash';
    const script = generateScript(data, {
      addresses: [account.email],
      organisationDomains: organisationDomains(account),
      trashFolder: trash,
      defaultSubject: t('mail.sieve.defaultSubject'),
      header: t('mail.sieve.scriptHeader'),
    });
    await client.putScript(OSTAL_SCRIPT, script);
    await client.setActive(OSTAL_SCRIPT);
    const redirects = data.rules.flatMap((r) => (r.enabled ? r.actions.flatMap((a) => (a.type === 'redirect' ? [a.to] : [])) : []));
    ctx.log.info('sieve: script written', {
      accountId: account.id,
      server: `${endpoint.host}:${endpoint.port}`,
      vacation: data.vacation.enabled,
      rules: data.rules.length,
      redirects,
      kept: data.include,
    });
    return state(account, endpoint, { data, keep: data.include });
  } finally {
    await client.logout();
  }
}
