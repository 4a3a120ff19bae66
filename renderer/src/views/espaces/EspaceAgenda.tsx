/**
 * « Agenda » of a space: its next events (the space's calendar on the organisation's shared CalDAV root, synced as a
 * calendar of the account, so it is also in Agenda) and « Ajouter un événement ».
 */
import { useId, useMemo, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { Workspace } from '../../../../src/shared/contract';
import { ApiCallError } from '../../api/client';
import { useApiQuery, useClient } from '../../api/react';
import { Busy, ErrorAlert } from '../../components/common';
import { clockText, frDate, isoDate, newEventSlot, parseClock, todayKey } from '../agenda/dates';

const DAY_MS = 86_400_000;
const SHOWN = 8;

/** The form's first values: the next half hour today, for an hour (as Agenda's « Nouvel événement »), never a past slot. */
function firstSlot(now: Date = new Date()): { day: string; start: string; end: string } {
  const slot = newEventSlot(todayKey(now), now);
  return { day: frDate(slot.day), start: clockText(slot.minutes), end: clockText(Math.min(slot.minutes + 60, 23 * 60 + 59)) };
}

/** « 07/12/2026 » and « 9:30 » (or « 9h30 ») → the local moment, or null when either is not a real date or time. */
function localMoment(day: string, time: string): Date | null {
  const iso = isoDate(day);
  const minutes = parseClock(time);
  if (!iso || minutes === null) return null;
  const [y, m, d] = iso.split('-').map(Number);
  return new Date(y!, m! - 1, d!, Math.floor(minutes / 60), minutes % 60);
}

export function EspaceAgenda({ space }: { space: Workspace }) {
  const { t } = useTranslation();
  const client = useClient();
  const agenda = useApiQuery('workspaces.agenda', { workspaceId: space.id }, { refreshOn: ['workspaces.changed'] });
  const range = useMemo(() => {
    const from = new Date();
    from.setHours(0, 0, 0, 0);
    return { from: from.toISOString(), to: new Date(from.getTime() + 90 * DAY_MS).toISOString() };
  }, []);
  const href = agenda.data?.calendarHref ?? null;
  const occurrences = useApiQuery('calendar.occurrences', href ? range : null, { refreshOn: ['dav.changed'], refreshAfterSync: true });
  const [title, setTitle] = useState('');
  const [first] = useState(firstSlot);
  const [day, setDay] = useState(first.day);
  const [start, setStart] = useState(first.start);
  const [end, setEnd] = useState(first.end);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const ids = { title: useId(), day: useId(), start: useId(), end: useId() };
  const when = new Intl.DateTimeFormat('fr-FR', { weekday: 'long', day: 'numeric', month: 'long', hour: '2-digit', minute: '2-digit' });

  if (agenda.loading && !agenda.data) return <Busy text={t('espacesAgenda.loading')} />;
  if (agenda.error) return <ErrorAlert message={agenda.error.message} />;
  const a = agenda.data;
  if (!a?.url) return <p className="muted">{t('espacesAgenda.noRoot')}</p>;
  if (!a.hasCaldav) return <p className="muted">{t('espacesAgenda.noCaldav')}</p>;
  if (!href) return <p className="muted">{t('espacesAgenda.notYet')}</p>;

  const next = (occurrences.data ?? [])
    .filter((o) => o.calendarHref === href && o.accountId === a.accountId && Date.parse(o.end) > Date.now())
    .slice(0, SHOWN);

  const add = async (e: FormEvent) => {
    e.preventDefault();
    const from = localMoment(day, start);
    const to = localMoment(day, end);
    if (!from || !to || to <= from) {
      setProblem(t('espacesAgenda.badTimes'));
      return;
    }
    if (to.getTime() <= Date.now()) {
      // It would be added, then missing from « Prochains événements »: say why instead.
      setProblem(t('espacesAgenda.past'));
      return;
    }
    setBusy(true);
    setProblem(null);
    try {
      await client.call('calendar.createEvent', {
        accountId: a.accountId,
        calendarHref: href,
        event: { summary: title.trim(), start: from.toISOString(), end: to.toISOString(), allDay: false },
      });
      setTitle('');
      occurrences.reload();
    } catch (err) {
      setProblem(err instanceof ApiCallError ? err.message : t('errors.unexpected'));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="espace-agenda" data-testid="space-agenda">
      {occurrences.error ? <ErrorAlert message={occurrences.error.message} /> : null}
      {occurrences.data && next.length === 0 ? <p className="muted">{t('espacesAgenda.empty')}</p> : null}
      {next.length > 0 ? (
        <ul className="espace-agenda-list" aria-label={t('espacesAgenda.listLabel')}>
          {next.map((o) => (
            <li key={`${o.uid}-${o.recurrenceId ?? ''}`} data-testid="space-event">
              <span className="espace-agenda-title">{o.summary || t('espacesAgenda.untitled')}</span>
              <time className="muted" dateTime={o.start}>
                {when.format(new Date(o.start))}
              </time>
            </li>
          ))}
        </ul>
      ) : null}
      <form className="espace-agenda-form" onSubmit={(e) => void add(e)}>
        <label htmlFor={ids.title}>{t('espacesAgenda.title')}</label>
        <input
          id={ids.title}
          type="text"
          value={title}
          onChange={(e) => setTitle(e.target.value)}
          required
          maxLength={200}
          data-testid="space-event-title"
        />
        <label htmlFor={ids.day}>{t('espacesAgenda.day')}</label>
        <input
          id={ids.day}
          type="text"
          inputMode="numeric"
          placeholder={t('espacesAgenda.datePlaceholder')}
          value={day}
          onChange={(e) => setDay(e.target.value)}
          required
          data-testid="space-event-day"
        />
        <label htmlFor={ids.start}>{t('espacesAgenda.start')}</label>
        <input
          id={ids.start}
          type="text"
          inputMode="numeric"
          placeholder={t('espacesAgenda.timePlaceholder')}
          value={start}
          onChange={(e) => setStart(e.target.value)}
          required
          data-testid="space-event-start"
        />
        <label htmlFor={ids.end}>{t('espacesAgenda.end')}</label>
        <input
          id={ids.end}
          type="text"
          inputMode="numeric"
          placeholder={t('espacesAgenda.timePlaceholder')}
          value={end}
          onChange={(e) => setEnd(e.target.value)}
          required
          data-testid="space-event-end"
        />
        {problem ? <ErrorAlert message={problem} /> : null}
        <button type="submit" className="button" disabled={busy || !title.trim()} data-testid="space-event-add">
          {busy ? t('espacesAgenda.adding') : t('espacesAgenda.add')}
        </button>
      </form>
      <p className="muted">{t('espacesAgenda.alsoInAgenda')}</p>
    </div>
  );
}
