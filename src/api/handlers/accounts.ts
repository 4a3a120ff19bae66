/** API handlers of Réglages › Comptes and the first-run assistant. */
import type { CoreContext } from '../../context.js';
import { parseSieveUrl } from '../../mail/sieve/client.js';
import type { HandlerMap } from '../handler-types.js';
import type { EndpointCheck, ServerSettings } from '../../shared/contract.js';
import { OstalError } from '../../errors.js';
import { t } from '../../i18n/index.js';
import { AccountRepository } from '../../store/account-repository.js';
import { accountPasswordKey } from '../../secrets/index.js';
import type { ServerField } from '../../policy/index.js';
import { checkEndpoints } from '../../accounts/checks.js';
import { discoverAccount, emailDomain } from '../../accounts/discovery.js';
import { parseEndpoint, parseXmppEndpoint } from '../../accounts/endpoints.js';
import { accountSummary, loadAccountCredentials } from '../../accounts/account-rows.js';
import { requirePasswordForNewServers } from '../../accounts/server-change.js';

function checkDomainAllowed(ctx: CoreContext, email: string): string {
  const domain = emailDomain(email);
  const { policy } = ctx;
  if (!policy.allowOtherDomains && !policy.presetFor(domain)) {
    throw new OstalError('disabled_by_policy', t('errors.domainNotAllowed', { domains: policy.view().presetDomains.join(', ') }));
  }
  return domain;
}

const fieldLabel = (field: ServerField) => (field === 'username' ? t('accounts.fields.username') : t(`accounts.endpoints.${field}`));

const same = (a: string | null | undefined, b: string | null | undefined) => (a?.trim() || null) === (b?.trim() || null);

/** Fill and check the fields IT locked for this domain: a different value is refused. */
function applyPolicyLocks(ctx: CoreContext, email: string, settings: ServerSettings): ServerSettings {
  const preset = ctx.policy.serversFor(email);
  if (!preset) return settings;
  const out: ServerSettings = { ...settings };
  for (const field of preset.locked) {
    const fixed = preset.settings[field];
    if (fixed === undefined) continue;
    const given = settings[field];
    if (given !== undefined && !same(given, fixed)) {
      throw new OstalError('locked_by_policy', t('errors.serverLockedByPolicy', { field: fieldLabel(field), domain: emailDomain(email) }));
    }
    (out as unknown as Record<ServerField, string | null>)[field] = fixed;
  }
  return out;
}

/** Trim and validate every URL; `invalid_input` (French) on the first bad one. */
function normalizeSettings(input: ServerSettings): ServerSettings {
  const out: ServerSettings = {
    imap: parseEndpoint(input.imap, 'imap').url,
    smtp: parseEndpoint(input.smtp, 'smtp').url,
    caldav: null,
    carddav: null,
    webdav: null,
    sieve: input.sieve?.trim() ? parseSieveUrl(input.sieve).url : null,
    username: input.username?.trim() || null,
  };
  for (const k of ['caldav', 'carddav', 'webdav'] as const) {
    const v = input[k]?.trim();
    if (v) out[k] = parseEndpoint(v, k).url;
  }
  const xmpp = input.xmpp?.trim();
  if (xmpp) out.xmpp = parseXmppEndpoint(xmpp).url;
  return out;
}

function firstFailure(checks: EndpointCheck[]): OstalError | null {
  const bad = checks.find((c) => !c.ok && c.error);
  return bad?.error
    ? new OstalError(bad.error.code, bad.error.message, { details: { ...(bad.error.details ?? {}), kind: bad.kind } })
    : null;
}

export const accountHandlers: Pick<
  HandlerMap,
  'accounts.list' | 'accounts.discover' | 'accounts.test' | 'accounts.add' | 'accounts.update' | 'accounts.remove'
> = {
  'accounts.list': (ctx) => new AccountRepository(ctx.db).list().map((a) => accountSummary(ctx, a)),

  'accounts.discover': async (ctx, { email }) => {
    checkDomainAllowed(ctx, email);
    return discoverAccount(email.trim(), { policy: ctx.policy, log: ctx.log });
  },

  'accounts.test': async (ctx, params) => {
    const email = params.email.trim();
    emailDomain(email);
    if (!params.password) throw new OstalError('invalid_input', t('errors.passwordRequired'));
    const settings = normalizeSettings(params.settings);
    return checkEndpoints(email, params.password, settings, { pinnedCertificates: params.pinnedCertificates, log: ctx.log });
  },

  'accounts.add': async (ctx, params) => {
    const email = params.email.trim();
    checkDomainAllowed(ctx, email);
    if (!params.password) throw new OstalError('invalid_input', t('errors.passwordRequired'));
    const repo = new AccountRepository(ctx.db);
    if (repo.findByEmail(email)) throw new OstalError('already_exists', t('errors.accountExists', { email }));
    const pins = params.pinnedCertificates ?? [];
    const requested = params.settings ?? (await discoverAccount(email, { policy: ctx.policy, log: ctx.log })).settings;
    const settings = normalizeSettings(applyPolicyLocks(ctx, email, requested));
    const failure = firstFailure(await checkEndpoints(email, params.password, settings, { pinnedCertificates: pins, log: ctx.log }));
    if (failure) throw failure;
    const account = repo.insert({ email, name: params.name?.trim() || email, settings, pinnedCertificates: pins });
    try {
      await ctx.secrets.set(accountPasswordKey(account.id), params.password);
    } catch (err) {
      repo.remove(account.id);
      throw err;
    }
    ctx.log.info('account added', { id: account.id, email });
    ctx.emit('accounts.changed', { accountIds: [account.id] });
    return accountSummary(ctx, account);
  },

  'accounts.update': async (ctx, params) => {
    const repo = new AccountRepository(ctx.db);
    const current = repo.get(params.id);
    if (!current) throw new OstalError('not_found', t('errors.accountNotFound'));
    const pins = params.pinnedCertificates;
    let settings = current.settings;
    // Locked fields must keep the value IT fixed (applyPolicyLocks refuses any other).
    // A client that does not know the `sieve` field (older renderer forms) leaves it as it was.
    if (params.settings) {
      const given = params.settings.sieve === undefined ? { ...params.settings, sieve: current.settings.sieve ?? null } : params.settings;
      settings = normalizeSettings(applyPolicyLocks(ctx, current.email, given));
    }
    requirePasswordForNewServers(current.settings, settings, params.password);
    const connectionChanged = !!params.password || !!params.settings || pins !== undefined;
    if (connectionChanged) {
      const password = params.password || (await loadAccountCredentials(ctx, current.id)).password;
      const failure = firstFailure(
        await checkEndpoints(current.email, password, settings, { pinnedCertificates: pins ?? current.pinnedCertificates, log: ctx.log }),
      );
      if (failure) throw failure;
    }
    const updated = repo.update(current.id, { name: params.name?.trim() || undefined, settings, pinnedCertificates: pins })!;
    if (params.password) await ctx.secrets.set(accountPasswordKey(current.id), params.password);
    ctx.emit('accounts.changed', { accountIds: [current.id] });
    return accountSummary(ctx, updated);
  },

  'accounts.remove': async (ctx, { id }) => {
    const repo = new AccountRepository(ctx.db);
    if (!repo.remove(id)) throw new OstalError('not_found', t('errors.accountNotFound'));
    await ctx.secrets.delete(accountPasswordKey(id));
    ctx.connections.forget(id);
    ctx.log.info('account removed', { id });
    ctx.emit('accounts.changed', { accountIds: [id] });
    return { removed: true };
  },
};
