/**
 * « À venir »: the occurrences of the next days as a list grouped by day (« Aujourd’hui », « Demain »,
 * « lundi 7 décembre »). Keyboard: ↑ ↓ (and Début, Fin) move between the events, Entrée opens the details.
 */
import { useRef, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { CalendarOccurrence } from '../../../../src/shared/contract';
import { addDays, coveredDays, dayHeading, clockParts } from './dates';

export function UpcomingList({
  days,
  today,
  occurrences,
  onOpen,
}: {
  days: string[];
  today: string;
  occurrences: CalendarOccurrence[];
  onOpen(o: CalendarOccurrence): void;
}) {
  const { t } = useTranslation();
  const list = useRef<HTMLDivElement>(null);
  const shown = new Set(days);
  const byDay = new Map<string, CalendarOccurrence[]>();
  for (const o of occurrences) {
    for (const day of coveredDays(o.start, o.end, o.allDay)) {
      if (!shown.has(day)) continue;
      if (!byDay.has(day)) byDay.set(day, []);
      byDay.get(day)!.push(o);
    }
  }
  const groups = days.filter((d) => byDay.has(d));
  const heading = (day: string) =>
    day === today ? t('agenda.upcomingToday') : day === addDays(today, 1) ? t('agenda.upcomingTomorrow') : dayHeading(day, today);

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    const items = [...(list.current?.querySelectorAll<HTMLButtonElement>('button.agenda-upcoming-item') ?? [])];
    const index = items.indexOf(document.activeElement as HTMLButtonElement);
    const target = (() => {
      if (event.key === 'ArrowDown') return items[Math.min(items.length - 1, index + 1)];
      if (event.key === 'ArrowUp') return items[Math.max(0, index - 1)];
      if (event.key === 'Home') return items[0];
      if (event.key === 'End') return items[items.length - 1];
      return undefined;
    })();
    if (target) {
      event.preventDefault();
      target.focus();
    }
  };

  return (
    <div
      className="agenda-upcoming"
      ref={list}
      onKeyDown={onKeyDown}
      data-testid="agenda-upcoming"
      aria-label={t('agenda.upcomingList')}
      role="region"
    >
      {groups.map((day) => {
        const headingId = `upcoming-${day}`;
        return (
          <section key={day} className="agenda-upcoming-day" aria-labelledby={headingId} data-testid="upcoming-day" data-day={day}>
            <h3 id={headingId} className={`agenda-upcoming-heading${day === today ? ' is-today' : ''}`}>
              {heading(day)}
            </h3>
            <ul className="agenda-upcoming-items">
              {byDay.get(day)!.map((o) => {
                const time = o.allDay
                  ? t('agenda.allDay')
                  : t('agenda.timeRange', { start: clockParts(o.start).time, end: clockParts(o.end).time });
                const title = o.summary || t('agenda.noTitle');
                const label = [
                  heading(day),
                  time,
                  title,
                  o.location,
                  o.meetingUrl ? t('agenda.hasVisio') : '',
                  o.pending ? t('agenda.pending') : '',
                ]
                  .filter(Boolean)
                  .join(', ');
                return (
                  <li key={`${o.uid}|${o.recurrenceId ?? ''}`}>
                    <button
                      type="button"
                      className={`agenda-upcoming-item${o.pending ? ' is-pending' : ''}`}
                      data-testid="agenda-event"
                      data-uid={o.uid}
                      aria-label={label}
                      onClick={() => onOpen(o)}
                      style={o.color ? { borderLeftColor: o.color } : undefined}
                    >
                      <span className="agenda-upcoming-time">{time}</span>
                      <span className="agenda-upcoming-title">{title}</span>
                      {o.location ? <span className="agenda-upcoming-place">{o.location}</span> : null}
                      {o.meetingUrl ? <span className="agenda-event-badge">{t('agenda.visioBadge')}</span> : null}
                    </button>
                  </li>
                );
              })}
            </ul>
          </section>
        );
      })}
    </div>
  );
}
