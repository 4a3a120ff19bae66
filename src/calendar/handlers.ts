import type { CalendarEventSummary } from '../api/contract.js';
import { OstalError } from '../api/errors.js';
import type { CoreContext, HandlerMap } from '../core.js';
import { t } from '../i18n/index.js';
import { expandCalendarObject, windowBound } from './icalendar.js';
import { DavRepository } from './repository.js';

/** Occurrences of every stored event overlapping [from, to), sorted by start. Reads the store only. */
export function listOccurrences(ctx: Pick<CoreContext, 'db' | 'log'>, from: string, to: string): CalendarEventSummary[] {
  let fromMs: number;
  let toMs: number;
  try {
    fromMs = windowBound(from);
    toMs = windowBound(to);
  } catch {
    throw new OstalError('invalid_input', t('dav.errors.invalidWindow'));
  }
  if (toMs <= fromMs) throw new OstalError('invalid_input', t('dav.errors.invalidWindow'));
  const out: (CalendarEventSummary & { startMs: number })[] = [];
  for (const obj of new DavRepository(ctx.db).objectsOfKind('calendar')) {
    try {
      for (const o of expandCalendarObject(obj.raw, fromMs, toMs)) {
        out.push({ uid: o.uid, recurrenceId: o.recurrenceId, start: o.start, end: o.end, allDay: o.allDay, summary: o.summary, calendar: obj.collectionName, startMs: o.startMs });
      }
    } catch (err) {
      ctx.log.warn('calendar object skipped: cannot expand', { href: obj.href, err: err as Error });
    }
  }
  out.sort((a, b) => a.startMs - b.startMs || a.summary.localeCompare(b.summary, 'fr'));
  return out.map(({ startMs: _startMs, ...rest }) => rest);
}

export const calendarHandlers: Pick<HandlerMap, 'calendar.list'> = {
  'calendar.list': (ctx, params) => {
    if (!params || typeof params.from !== 'string' || typeof params.to !== 'string') throw new OstalError('invalid_input', t('dav.errors.invalidWindow'));
    return listOccurrences(ctx, params.from, params.to);
  },
};
