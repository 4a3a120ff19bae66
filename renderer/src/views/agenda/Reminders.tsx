/**
 * Reminders of the Agenda (VALARM) while Ostal is open, whatever the view: a notice in a corner of the window
 * with « Répéter dans 5 minutes », « Fermer » and « Rejoindre » for a visio. Checked every 30 seconds from
 * the local store (works offline). Closed reminders are remembered for the session.
 */
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { CalendarOccurrence } from '../../../../src/shared/contract';
import { useApiEvent, useClient } from '../../api/react';
import { addDays, clockParts, todayKey } from './dates';
import './agenda.css';

const SNOOZE_MS = 5 * 60_000;
const keyOf = (o: CalendarOccurrence) => `${o.uid}|${o.recurrenceId ?? ''}|${o.start}`;

/** « Rejoindre »: the Visio view reads the meeting link from the page address (?salle=<link>). */
export function putMeetingLinkInAddress(link: string): void {
  const url = new URL(window.location.href);
  url.searchParams.set('salle', link);
  window.history.replaceState(window.history.state, '', url);
}

export function AgendaReminders({ onJoinMeeting, now = () => Date.now() }: { onJoinMeeting?(link: string): void; now?: () => number }) {
  const { t } = useTranslation();
  const client = useClient();
  const [due, setDue] = useState<CalendarOccurrence[]>([]);
  const [closed, setClosed] = useState<Record<string, number>>({});
  const [tick, setTick] = useState(0);

  useApiEvent('dav.changed', () => setTick((n) => n + 1));
  useEffect(() => {
    const timer = setInterval(() => setTick((n) => n + 1), 30_000);
    return () => clearInterval(timer);
  }, []);

  useEffect(() => {
    let current = true;
    const today = todayKey();
    client.call('calendar.occurrences', { from: addDays(today, -1), to: addDays(today, 2) }).then(
      (list) => {
        if (!current) return;
        const at = now();
        setDue(
          list.filter((o) => {
            if (o.reminderMinutes === null || o.allDay) return false;
            const start = Date.parse(o.start);
            const fireAt = start - o.reminderMinutes * 60_000;
            const until = closed[keyOf(o)];
            return at >= fireAt && at < Math.max(Date.parse(o.end), start + 60_000) && (until === undefined || (until > 0 && at >= until));
          }),
        );
      },
      () => undefined,
    );
    return () => {
      current = false;
    };
  }, [client, tick, closed, now]);

  if (!due.length) return null;
  return (
    <div className="agenda-reminders" role="region" aria-label={t('agenda.reminders.label')} data-testid="agenda-reminders">
      {due.map((o) => {
        const start = clockParts(o.start);
        const started = now() >= Date.parse(o.start);
        return (
          <div key={keyOf(o)} className="agenda-reminder" role="alert">
            <p className="agenda-reminder-title">{o.summary || t('agenda.noTitle')}</p>
            <p className="muted">
              {started ? t('agenda.reminders.started', { time: start.time }) : t('agenda.reminders.at', { time: start.time })}
            </p>
            {o.location ? <p className="muted">{o.location}</p> : null}
            <div className="form-actions">
              {o.meetingUrl ? (
                <button type="button" className="button button-primary" onClick={() => onJoinMeeting?.(o.meetingUrl!)}>
                  {t('agenda.details.join')}
                </button>
              ) : null}
              <button
                type="button"
                className="button"
                onClick={() => setClosed({ ...closed, [keyOf(o)]: now() + SNOOZE_MS })}
                data-testid="reminder-snooze"
              >
                {t('agenda.reminders.snooze')}
              </button>
              <button
                type="button"
                className="button button-quiet"
                onClick={() => setClosed({ ...closed, [keyOf(o)]: 0 })}
                data-testid="reminder-close"
              >
                {t('common.close')}
              </button>
            </div>
          </div>
        );
      })}
    </div>
  );
}
