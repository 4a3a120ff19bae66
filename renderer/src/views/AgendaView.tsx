/** Agenda: the events of one week (Monday first), from the local store. */
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { CalendarEventSummary } from '../../../src/api/contract';
import { useApiQuery } from '../api/react';
import { Busy, EmptyState, ErrorAlert, PageHeader } from '../components/common';
import { SyncButton } from '../components/SyncButton';
import { formatClockTime, formatLongDate, formatShortDate, weekRange } from '../lib/format';

export function AgendaView() {
  const { t } = useTranslation();
  const [offset, setOffset] = useState(0);
  const range = useMemo(() => {
    const base = new Date();
    base.setDate(base.getDate() + offset * 7);
    return weekRange(base);
  }, [offset]);
  const events = useApiQuery('calendar.list', { from: range.from.toISOString(), to: range.to.toISOString() }, { refreshOn: ['accounts.changed'], refreshAfterSync: true });
  const days = groupByDay(events.data ?? []);

  return (
    <section className="view" aria-labelledby="agenda-title">
      <PageHeader id="agenda-title" title={t('agenda.title')}>
        <SyncButton only="calendar" />
      </PageHeader>
      <div className="toolbar" role="group" aria-label={t('agenda.weekNavigation')}>
        <button type="button" className="button" onClick={() => setOffset(offset - 1)}>
          {t('agenda.previousWeek')}
        </button>
        <button type="button" className="button" onClick={() => setOffset(0)} disabled={offset === 0}>
          {t('agenda.thisWeek')}
        </button>
        <button type="button" className="button" onClick={() => setOffset(offset + 1)}>
          {t('agenda.nextWeek')}
        </button>
        <h2 className="toolbar-title">{t('agenda.weekOf', { date: formatLongDate(range.from) })}</h2>
      </div>
      {events.error ? <ErrorAlert message={events.error.message} /> : null}
      {events.loading && !events.data ? <Busy text={t('agenda.loading')} /> : null}
      {events.data && events.data.length === 0 ? (
        <EmptyState title={offset === 0 ? t('agenda.emptyThisWeek') : t('agenda.emptyWeek')} text={t('agenda.emptyText')} />
      ) : null}
      {days.map((day) => (
        <section key={day.key} className="day" aria-labelledby={`day-${day.key}`}>
          <h3 id={`day-${day.key}`}>{formatLongDate(day.date)}</h3>
          <ul className="event-list">
            {day.events.map((event) => (
              <li key={`${event.uid}:${event.recurrenceId ?? ''}`} className="event" data-testid="event">
                <span className="event-time">
                  {event.allDay ? t('agenda.allDay') : t('agenda.timeRange', { start: formatClockTime(event.start), end: formatClockTime(event.end) })}
                </span>
                <span className="event-summary">{event.summary || t('agenda.noTitle')}</span>
                <span className="muted event-calendar">{event.calendar}</span>
              </li>
            ))}
          </ul>
        </section>
      ))}
    </section>
  );
}

function groupByDay(events: CalendarEventSummary[]): { key: string; date: Date; events: CalendarEventSummary[] }[] {
  const days = new Map<string, { key: string; date: Date; events: CalendarEventSummary[] }>();
  const sorted = [...events].sort((a, b) => a.start.localeCompare(b.start));
  for (const event of sorted) {
    const date = new Date(event.start);
    const key = formatShortDate(date).split('/').reverse().join('-');
    if (!days.has(key)) days.set(key, { key, date, events: [] });
    days.get(key)!.events.push(event);
  }
  return [...days.values()];
}
