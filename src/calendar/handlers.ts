import type { HandlerMap } from '../core.js';

/** Agenda: filled by the CalDAV sync (Agenda issue); until then the store holds no event. */
export const calendarHandlers: Pick<HandlerMap, 'calendar.list'> = {
  'calendar.list': () => [],
};
