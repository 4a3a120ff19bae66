/**
 * The agent's calendars under the Agenda's toolbar, each with its colour; one shared in read-only (a colleague's
 * agenda, the town's public holidays) carries a lock and « lecture seule », as Thunderbird and Outlook show it.
 * Shown when there is more than one calendar, or a read-only one.
 */
import { useTranslation } from 'react-i18next';
import type { CalendarInfo } from '../../../../src/shared/contract';
import { Icon } from '../../components/icons';

export function CalendarList({ calendars }: { calendars: CalendarInfo[] }) {
  const { t } = useTranslation();
  if (calendars.length < 2 && !calendars.some((c) => c.readOnly)) return null;
  return (
    <ul className="agenda-calendars" aria-label={t('agenda.calendars')} data-testid="agenda-calendars">
      {calendars.map((c) => (
        <li
          key={`${c.accountId}${c.href}`}
          className={c.readOnly ? 'is-read-only' : undefined}
          data-testid="agenda-calendar"
          data-read-only={c.readOnly ? 'true' : 'false'}
          title={c.readOnly ? t('agenda.readOnlyCalendar', { name: c.name }) : undefined}
        >
          <span className="agenda-calendar-swatch" style={c.color ? { background: c.color } : undefined} aria-hidden="true" />
          <span className="agenda-calendar-name">{c.name}</span>
          {c.readOnly ? (
            <span className="agenda-calendar-lock" data-testid="agenda-calendar-lock">
              <Icon name="lock" />
              <span>{t('agenda.readOnly')}</span>
            </span>
          ) : null}
        </li>
      ))}
    </ul>
  );
}
