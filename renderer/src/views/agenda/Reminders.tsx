/**
 * Reminders of the Agenda (VALARM) while Ostal is open, whatever the view: a notice in a corner of the window
 * with « Rappeler dans 5 min », « Fermer » and « Rejoindre » for a visio. Checked every 30 seconds from
 * the local store (works offline). Closed reminders are remembered for the session. On the desktop too (issue 18):
 * in Electron the notification has the « Rappeler dans 5 min » button, whose action goes through the same
 * applyReminderAction as the notice's; in browser mode the web notification has no button (the notice keeps it).
 */
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { CalendarOccurrence } from '../../../../src/shared/contract';
import { useApiEvent, useClient } from '../../api/react';
import { addDays, clockParts, todayKey } from './dates';
import {
  REMINDER_ACTIONS,
  applyReminderAction,
  dueReminders,
  remindersToNotify,
  reminderKey,
} from '../../../../src/shared/notification-rules';
import { notifyDesktop, readNotificationPrefs } from '../../desktop/notifications';
import './agenda.css';

const keyOf = (o: CalendarOccurrence) => reminderKey(o);

/** « Rejoindre »: the Visio view reads the meeting link from the page address (?salle=<link>). */
export function putMeetingLinkInAddress(link: string): void {
  const url = new URL(window.location.href);
  url.searchParams.set('salle', link);
  window.history.replaceState(window.history.state, '', url);
}

/** The clock by default: one function for every render (a new one each time made the effect below run again forever). */
const systemNow = (): number => Date.now();

/** Same reminders, same order: the state is kept (a new empty array each check would render again for nothing). */
function sameReminders(a: CalendarOccurrence[], b: CalendarOccurrence[]): boolean {
  return a.length === b.length && JSON.stringify(a) === JSON.stringify(b);
}

export function AgendaReminders({ onJoinMeeting, now = systemNow }: { onJoinMeeting?(link: string): void; now?: () => number }) {
  const { t } = useTranslation();
  const client = useClient();
  const [due, setDue] = useState<CalendarOccurrence[]>([]);
  const [closed, setClosed] = useState<Record<string, number>>({});
  const [tick, setTick] = useState(0);
  /** key → when it was last shown on the desktop (issue 18: reminders also reach a window in the background). */
  const shown = useRef<Record<string, number>>({});

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
        const dueNow = dueReminders(list, at, closed);
        setDue((prev) => (sameReminders(prev, dueNow) ? prev : dueNow));
        if (!readNotificationPrefs().reminders) return;
        for (const o of remindersToNotify(dueNow, shown.current, closed)) {
          shown.current[keyOf(o)] = at;
          const when = o.allDay ? t('desktopNotifications.allDay') : t('agenda.reminders.at', { time: clockParts(o.start).time });
          const key = keyOf(o);
          notifyDesktop({
            title: o.summary || t('agenda.noTitle'),
            body: o.location ? `${when}\n${o.location}` : when,
            tag: `ostal-reminder-${key}`,
            actions: REMINDER_ACTIONS.map((id) => ({ id, label: t('agenda.reminders.snooze') })),
            onAction: (action) => setClosed((prev) => applyReminderAction(prev, key, action, now())),
          });
        }
      },
      () => undefined,
    );
    return () => {
      current = false;
    };
  }, [client, tick, closed, now, t]);

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
              {o.allDay
                ? t('desktopNotifications.allDay')
                : started
                  ? t('agenda.reminders.started', { time: start.time })
                  : t('agenda.reminders.at', { time: start.time })}
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
                onClick={() => setClosed((prev) => applyReminderAction(prev, keyOf(o), 'snooze', now()))}
                data-testid="reminder-snooze"
              >
                {t('agenda.reminders.snooze')}
              </button>
              <button
                type="button"
                className="button button-quiet"
                onClick={() => setClosed((prev) => applyReminderAction(prev, keyOf(o), 'close', now()))}
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
