import type { HandlerMap } from '../handler-types.js';
import { listConflicts, resolveConflict } from '../../calendar/dav-writes.js';
import { importFile } from '../../calendar/import.js';
import { DavRepository } from '../../calendar/repository.js';
import {
  createEvent,
  deleteEvent,
  eventWithPlace,
  listDetailedOccurrences,
  listOccurrences,
  newMeetingLink,
  removeCancelled,
  requestDavReplay,
  respondToInvitation,
  updateEvent,
} from '../../calendar/agenda.js';

export const calendarHandlers: Pick<
  HandlerMap,
  | 'calendar.list'
  | 'calendar.calendars'
  | 'calendar.occurrences'
  | 'calendar.event'
  | 'calendar.createEvent'
  | 'calendar.updateEvent'
  | 'calendar.deleteEvent'
  | 'calendar.newMeetingLink'
  | 'dav.conflicts'
  | 'dav.resolveConflict'
  | 'dav.import'
  | 'calendar.respondToInvitation'
  | 'calendar.removeCancelled'
> = {
  'calendar.list': (ctx, params) => listOccurrences(ctx, params.from, params.to),
  'calendar.occurrences': (ctx, params) => listDetailedOccurrences(ctx, params.from, params.to),
  'calendar.calendars': (ctx) =>
    new DavRepository(ctx.db)
      .allCollections('calendar')
      .map((c) => ({ accountId: c.accountId, href: c.href, name: c.displayName, color: c.color, readOnly: c.readOnly })),
  'calendar.event': (ctx, params) => eventWithPlace(ctx, params),
  'calendar.createEvent': (ctx, params) => createEvent(ctx, ctx.services.outbox, params),
  'calendar.updateEvent': (ctx, params) => updateEvent(ctx, ctx.services.outbox, params),
  'calendar.deleteEvent': (ctx, params) => deleteEvent(ctx, ctx.services.outbox, params),
  'calendar.newMeetingLink': (ctx) => newMeetingLink(ctx),
  'calendar.respondToInvitation': (ctx, params) => respondToInvitation(ctx, ctx.services.outbox, params),
  'calendar.removeCancelled': (ctx, params) => removeCancelled(ctx, params),
  'dav.conflicts': (ctx) => listConflicts(ctx),
  'dav.import': (ctx, params) => {
    const result = importFile(ctx, params);
    if (result.imported > 0) requestDavReplay(ctx, result.accountId, result.kind);
    return result;
  },
  'dav.resolveConflict': (ctx, params) => {
    const { accountId, kind } = resolveConflict(ctx, params.id, params.action);
    if (params.action === 'reapply' && kind) requestDavReplay(ctx, accountId, kind);
    return { resolved: true };
  },
};
