/** API handler of the « Agenda » of the espaces de travail (src/workspaces/calendar-roots.ts). */
import { OstalError } from '../../errors.js';
import { t } from '../../i18n/index.js';
import { DavRepository } from '../../calendar/repository.js';
import { AccountRepository } from '../../store/account-repository.js';
import { spaceCalendarHrefs, spaceCalendarUrl } from '../../workspaces/calendar-roots.js';
import type { HandlerContext, HandlerMap } from '../handler-types.js';
import type { WorkspaceAgenda } from '../../shared/contract.js';

function agendaOf(ctx: HandlerContext, workspaceId: string): WorkspaceAgenda {
  const w = ctx.services.workspaces.list().find((x) => x.id === workspaceId);
  if (!w) throw new OstalError('not_found', t('workspaces.errors.notFound'));
  const url = spaceCalendarUrl(ctx, w.id);
  const account = new AccountRepository(ctx.db).get(w.accountId);
  const base = account?.settings.caldav ? String(account.settings.caldav) : null;
  const href = base ? (spaceCalendarHrefs(ctx, w.accountId, base).find((c) => c.room === w.id)?.href ?? null) : null;
  const synced = !!href && new DavRepository(ctx.db).collections(w.accountId, 'calendar').some((c) => c.href === href);
  return { workspaceId: w.id, accountId: w.accountId, url, calendarHref: synced ? href : null, hasCaldav: !!base };
}

export const workspaceAgendaHandlers: Pick<HandlerMap, 'workspaces.agenda'> = {
  'workspaces.agenda': async (ctx, { workspaceId }) => {
    const first = agendaOf(ctx, workspaceId);
    if (first.calendarHref || !first.url || !first.hasCaldav) return first;
    // Not synced yet (space just created or found): one calendar sync of the account brings it.
    await ctx.sync.run({ accountId: first.accountId, only: 'calendar' });
    return agendaOf(ctx, workspaceId);
  },
};
