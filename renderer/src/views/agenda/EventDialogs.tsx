/** « Nouvel événement » / « Modifier l’événement » and the details of an event (with « Rejoindre » for a visio). */
import { useId, useState, type FormEvent, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { CalendarEventDetails, CalendarEventInput, CalendarInfo, RecurrenceScope } from '../../../../src/shared/contract';
import { ApiCallError } from '../../api/client';
import { useApiQuery, useClient } from '../../api/react';
import { ErrorAlert, useModalDialog } from '../../components/common';
import { Icon } from '../../components/icons';
import { addDays, clockText, frDate, isoDate, longDay, parseClock, weekdayIndex, weekdayName } from './dates';
import { designate } from '../../contacts-lookup';
import { useContactsList, useKnownName, usePersonText } from '../../people';
import { DatePickerButton } from './DatePicker';

const DAY_CODES = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'];
const REMINDERS = [null, 0, 5, 15, 30, 60, 1440];

/** Repetition choices for an event starting on `day`, as in Outlook: value = RRULE. */
function repetitionOptions(
  t: (k: string, o?: Record<string, unknown>) => string,
  day: string,
  current: string | null,
): { value: string; label: string; kind: string }[] {
  const code = DAY_CODES[weekdayIndex(day)]!;
  const dom = Number(day.slice(8, 10));
  const nth = Math.ceil(dom / 7);
  const isLast = Number(addDays(day, 7).slice(8, 10)) < dom;
  const weekday = weekdayName(day);
  const options = [
    { value: '', label: t('agenda.editor.repeatNone'), kind: 'none' },
    { value: 'FREQ=DAILY', label: t('agenda.editor.repeatDaily'), kind: 'daily' },
    { value: 'FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR', label: t('agenda.editor.repeatWorkdays'), kind: 'workdays' },
    { value: `FREQ=WEEKLY;BYDAY=${code}`, label: t('agenda.editor.repeatWeekly', { weekday }), kind: 'weekly' },
    {
      value: `FREQ=MONTHLY;BYDAY=${nth <= 4 ? nth : -1}${code}`,
      label: t('agenda.editor.repeatMonthlyNth', { ordinal: ordinal(t, nth), weekday }),
      kind: nth <= 4 ? 'monthlyNth' : 'monthlyLast',
    },
    ...(isLast && nth <= 4
      ? [
          {
            value: `FREQ=MONTHLY;BYDAY=-1${code}`,
            label: t('agenda.editor.repeatMonthlyNth', { ordinal: t('agenda.editor.ordinalLast'), weekday }),
            kind: 'monthlyLast',
          },
        ]
      : []),
    { value: `FREQ=MONTHLY;BYMONTHDAY=${dom}`, label: t('agenda.editor.repeatMonthlyDay', { day: dom }), kind: 'monthlyDay' },
    { value: 'FREQ=YEARLY', label: t('agenda.editor.repeatYearly'), kind: 'yearly' },
  ];
  if (current && !options.some((o) => o.value === current))
    options.push({ value: current, label: t('agenda.editor.repeatCustom'), kind: 'custom' });
  return options;
}

function ordinal(t: (k: string) => string, nth: number): string {
  if (nth === 1) return t('agenda.editor.ordinal1');
  if (nth === 2) return t('agenda.editor.ordinal2');
  if (nth === 3) return t('agenda.editor.ordinal3');
  if (nth === 4) return t('agenda.editor.ordinal4');
  return t('agenda.editor.ordinalLast');
}

function reminderLabel(t: (k: string, o?: Record<string, unknown>) => string, minutes: number | null): string {
  if (minutes === null) return t('agenda.editor.reminderNone');
  if (minutes === 0) return t('agenda.editor.reminderAtStart');
  if (minutes % 1440 === 0) return t('agenda.editor.reminderDays', { count: minutes / 1440 });
  if (minutes % 60 === 0) return t('agenda.editor.reminderHours', { count: minutes / 60 });
  return t('agenda.editor.reminderMinutes', { count: minutes });
}

/** « 8h30 » shown as « 08:30 » once the box is left; a time that cannot be read stays as typed, marked invalid. */
const normalClock = (text: string) => {
  const minutes = parseClock(text);
  return minutes === null ? text : clockText(minutes);
};

export interface EditorTarget {
  /** Editing an existing event (its details, for the occurrence or the series). */
  details?: CalendarEventDetails;
  /** For a new event: the day and start minute clicked. */
  day?: string;
  minutes?: number | null;
  recurring?: boolean;
}

export function EventEditor({
  target,
  calendars,
  onClose,
  onSaved,
}: {
  target: EditorTarget;
  calendars: CalendarInfo[];
  onClose(): void;
  onSaved(message: string): void;
}) {
  const { t } = useTranslation();
  const client = useClient();
  const ref = useModalDialog();
  const contacts = useContactsList();
  const d = target.details;
  const startDay = d ? d.start.slice(0, 10) : (target.day ?? '');
  const startMin = target.minutes ?? 9 * 60;
  const [summary, setSummary] = useState(d?.summary ?? '');
  // Dates and hours are typed in French form (JJ/MM/AAAA, HH:MM, 24 h): native pickers follow the system's language.
  const [dateText, setDateText] = useState(frDate(startDay));
  const [endDateText, setEndDateText] = useState(frDate(d ? (d.allDay ? addDays(d.end.slice(0, 10), -1) : d.end.slice(0, 10)) : startDay));
  const date = isoDate(dateText) ?? '';
  const endDate = isoDate(endDateText) ?? '';
  const changeStartDate = (next: string) => {
    const nextIso = isoDate(next);
    if (nextIso && date && nextIso !== date) {
      // The same choice for the new day (« Toutes les semaines le mardi » becomes « … le mercredi »).
      const kind = repetitionOptions(t, date, null).find((o) => o.value === rrule)?.kind;
      const nextOptions = repetitionOptions(t, nextIso, null);
      const same =
        kind && kind !== 'none'
          ? (nextOptions.find((o) => o.kind === kind) ?? nextOptions.find((o) => kind === 'monthlyLast' && o.kind === 'monthlyNth'))
          : undefined;
      if (same) setRrule(same.value);
    }
    if (nextIso && (endDateText === dateText || !endDate || endDate < nextIso)) setEndDateText(next);
    setDateText(next);
  };
  const [startTime, setStartTime] = useState(d && !d.allDay ? d.start.slice(11, 16) : clockText(startMin));
  const [endTime, setEndTime] = useState(d && !d.allDay ? d.end.slice(11, 16) : clockText(Math.min(startMin + 60, 23 * 60 + 59)));
  const [allDay, setAllDay] = useState(d?.allDay ?? target.minutes === null);
  const [location, setLocation] = useState(d?.location ?? '');
  const [description, setDescription] = useState(d?.description ?? '');
  const [attendees, setAttendees] = useState<string[]>(d?.attendees ?? []);
  const [attendeeText, setAttendeeText] = useState('');
  const [rrule, setRrule] = useState(d?.rrule ?? '');
  const [reminder, setReminder] = useState<number | null>(d ? (d.reminderMinutes ?? null) : 15);
  const [meetingUrl, setMeetingUrl] = useState<string | null>(d?.meetingUrl ?? null);
  // A new event goes to a calendar the agent may write in (one shared in read-only is not offered).
  const writable = calendars.filter((c) => !c.readOnly);
  const [calendarHref, setCalendarHref] = useState(d?.calendarHref ?? writable[0]?.href ?? '');
  const [scope, setScope] = useState<RecurrenceScope>(d?.recurrenceId ? 'occurrence' : 'series');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [titleMissing, setTitleMissing] = useState(false);
  const ids = { title: useId(), list: useId(), attendees: useId(), error: useId() };
  // A participant shows as « Nom (adresse) » when the agent's accounts or contacts name it (the address stays: it is
  // where the invitation goes).
  const personText = usePersonText(d?.attendeeStatus);
  const onlyOccurrence = !!d?.recurrenceId && scope === 'occurrence';

  /**
   * Adds whom `raw` designates (an address, « Nom <adresse> », or the one contact a name such as « Bernard » names, as
   * Courrier's « À ») and returns that address; null, with the French reason shown, when nobody or several are named.
   */
  const addAttendee = (raw: string): string | null => {
    const found = designate(contacts, raw);
    if (!('address' in found)) {
      const value = (/<([^>]+)>/.exec(raw)?.[1] ?? raw).trim();
      setError('several' in found ? t('agenda.editor.severalContacts', { value }) : t('agenda.editor.badAttendee', { value }));
      return null;
    }
    if (!attendees.some((a) => a.toLowerCase() === found.address)) setAttendees([...attendees, found.address]);
    setAttendeeText('');
    setError(null);
    return found.address;
  };

  const addVisio = async () => {
    try {
      const { url } = await client.call('calendar.newMeetingLink', {});
      setMeetingUrl(url);
    } catch (err) {
      setError(err instanceof ApiCallError ? err.message : t('errors.unexpected'));
    }
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!summary.trim()) {
      setTitleMissing(true);
      return;
    }
    const startClock = parseClock(startTime);
    const endClock = parseClock(endTime);
    if (!date || !endDate || (!allDay && (startClock === null || endClock === null))) {
      setError(t('agenda.editor.badDateOrTime'));
      return;
    }
    // What is still in the field counts (saved without Entrée): the address it designates, not the text typed.
    const pending = attendeeText.trim() ? addAttendee(attendeeText) : undefined;
    if (pending === null) return;
    const input: CalendarEventInput = {
      summary: summary.trim(),
      start: allDay ? date : `${date}T${clockText(startClock ?? 0)}`,
      end: allDay ? addDays(endDate < date ? date : endDate, 1) : `${endDate < date ? date : endDate}T${clockText(endClock ?? 0)}`,
      allDay,
      location,
      description,
      attendees: pending && !attendees.some((a) => a.toLowerCase() === pending) ? [...attendees, pending] : attendees,
      rrule: onlyOccurrence ? null : rrule || null,
      reminderMinutes: reminder,
      meetingUrl,
    };
    if (!allDay && input.end <= input.start) {
      setError(t('agenda.editor.endBeforeStart'));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      if (d) onSaved(await saveEventChange(client, t, d, { ...input, rrule: rrule || null }, scope));
      else {
        const cal = writable.find((c) => c.href === calendarHref);
        await client.call('calendar.createEvent', { event: input, calendarHref, accountId: cal?.accountId });
        onSaved(t('agenda.editor.created'));
      }
    } catch (err) {
      setError(err instanceof ApiCallError ? err.message : t('errors.unexpected'));
      setBusy(false);
    }
  };

  const onAttendeeKey = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === 'Enter' || event.key === ',' || event.key === ';') {
      event.preventDefault();
      if (attendeeText.trim()) addAttendee(attendeeText);
    }
  };

  const options = repetitionOptions(t, date || startDay, rrule || d?.rrule || null);
  const suggestions = contacts.flatMap((c) => c.emails.map((e) => ({ value: `${c.fn} <${e}>`, key: `${c.uid}${e}` })));

  return (
    <dialog ref={ref} className="dialog agenda-editor" aria-labelledby={ids.title} onClose={onClose} data-testid="event-editor">
      <h2 id={ids.title}>{d ? t('agenda.editor.editTitle') : t('agenda.editor.newTitle')}</h2>
      <form onSubmit={(e) => void submit(e)} noValidate>
        <div className="agenda-editor-fields">
          <div className="field">
            <label htmlFor="ev-summary">{t('agenda.editor.summary')}</label>
            <input
              id="ev-summary"
              type="text"
              value={summary}
              autoFocus
              aria-invalid={titleMissing}
              aria-describedby={titleMissing ? ids.error : undefined}
              onChange={(e) => {
                setSummary(e.target.value);
                setTitleMissing(false);
              }}
            />
            {titleMissing ? (
              <span className="field-error" id={ids.error}>
                {t('agenda.editor.summaryRequired')}
              </span>
            ) : null}
          </div>
          {d?.recurrenceId ? <ScopeChoice scope={scope} onChange={setScope} /> : null}
          <div className="agenda-editor-when">
            <div className="field">
              <label htmlFor="ev-date">{t('agenda.editor.startDate')}</label>
              <div className="date-input">
                <input
                  id="ev-date"
                  type="text"
                  inputMode="numeric"
                  placeholder={t('agenda.editor.datePlaceholder')}
                  value={dateText}
                  aria-invalid={!date}
                  onChange={(e) => changeStartDate(e.target.value)}
                  required
                />
                <DatePickerButton
                  value={date}
                  onPick={(day) => changeStartDate(frDate(day))}
                  label={t('agenda.datePicker.startDate')}
                  testId="ev-date-pick"
                />
              </div>
            </div>
            {!allDay ? (
              <div className="field">
                <label htmlFor="ev-start">{t('agenda.editor.startTime')}</label>
                <input
                  id="ev-start"
                  type="text"
                  inputMode="numeric"
                  placeholder={t('agenda.editor.timePlaceholder')}
                  value={startTime}
                  aria-invalid={parseClock(startTime) === null}
                  onChange={(e) => setStartTime(e.target.value)}
                  onBlur={() => setStartTime((text) => normalClock(text))}
                  required
                />
              </div>
            ) : null}
            <div className="field">
              <label htmlFor="ev-end-date">{t('agenda.editor.endDate')}</label>
              <div className="date-input">
                <input
                  id="ev-end-date"
                  type="text"
                  inputMode="numeric"
                  placeholder={t('agenda.editor.datePlaceholder')}
                  value={endDateText}
                  aria-invalid={!endDate}
                  onChange={(e) => setEndDateText(e.target.value)}
                  required
                />
                <DatePickerButton
                  value={endDate}
                  onPick={(day) => setEndDateText(frDate(day))}
                  label={t('agenda.datePicker.endDate')}
                  testId="ev-end-date-pick"
                />
              </div>
            </div>
            {!allDay ? (
              <div className="field">
                <label htmlFor="ev-end">{t('agenda.editor.endTime')}</label>
                <input
                  id="ev-end"
                  type="text"
                  inputMode="numeric"
                  placeholder={t('agenda.editor.timePlaceholder')}
                  value={endTime}
                  aria-invalid={parseClock(endTime) === null}
                  onChange={(e) => setEndTime(e.target.value)}
                  onBlur={() => setEndTime((text) => normalClock(text))}
                  required
                />
              </div>
            ) : null}
          </div>
          <label className="agenda-checkbox">
            <input type="checkbox" checked={allDay} onChange={(e) => setAllDay(e.target.checked)} /> {t('agenda.editor.allDay')}
          </label>
          <div className="field">
            <label htmlFor="ev-location">{t('agenda.editor.location')}</label>
            <input id="ev-location" type="text" value={location} onChange={(e) => setLocation(e.target.value)} />
          </div>
          <div className="agenda-visio">
            {meetingUrl ? (
              <>
                <span className="agenda-visio-link" data-testid="editor-meeting-link">
                  {t('agenda.editor.visioAdded')} <code>{meetingUrl}</code>
                </span>
                <button type="button" className="button button-quiet" onClick={() => setMeetingUrl(null)}>
                  {t('agenda.editor.removeVisio')}
                </button>
              </>
            ) : (
              <button type="button" className="button" onClick={() => void addVisio()} data-testid="add-visio">
                {t('agenda.editor.addVisio')}
              </button>
            )}
          </div>
          <div className="field">
            <label htmlFor={ids.attendees}>{t('agenda.editor.attendees')}</label>
            {attendees.length ? (
              <ul className="agenda-chips" aria-label={t('agenda.editor.attendeeList')}>
                {attendees.map((a) => (
                  <li key={a} className="agenda-chip">
                    <span>{personText(a)}</span>
                    <button
                      type="button"
                      className="agenda-chip-remove"
                      aria-label={t('agenda.editor.removeAttendee', { email: a })}
                      onClick={() => setAttendees(attendees.filter((x) => x !== a))}
                    >
                      ×
                    </button>
                  </li>
                ))}
              </ul>
            ) : null}
            <input
              id={ids.attendees}
              type="text"
              list={ids.list}
              value={attendeeText}
              placeholder={t('agenda.editor.attendeesPlaceholder')}
              onChange={(e) => {
                const v = e.target.value;
                // A suggestion picked from the list comes whole: add it at once.
                if (suggestions.some((s) => s.value === v)) addAttendee(v);
                else setAttendeeText(v);
              }}
              onKeyDown={onAttendeeKey}
            />
            <datalist id={ids.list}>
              {suggestions.map((s) => (
                <option key={s.key} value={s.value} />
              ))}
            </datalist>
            <span className="hint">{t('agenda.editor.attendeesHint')}</span>
          </div>
          <div className="agenda-editor-row">
            <div className="field">
              <label htmlFor="ev-repeat">{t('agenda.editor.repeat')}</label>
              <select id="ev-repeat" value={rrule} onChange={(e) => setRrule(e.target.value)} disabled={onlyOccurrence}>
                {options.map((o) => (
                  <option key={o.value} value={o.value}>
                    {o.label}
                  </option>
                ))}
              </select>
            </div>
            <div className="field">
              <label htmlFor="ev-reminder">{t('agenda.editor.reminder')}</label>
              <select
                id="ev-reminder"
                value={reminder === null ? '' : String(reminder)}
                onChange={(e) => setReminder(e.target.value === '' ? null : Number(e.target.value))}
              >
                {REMINDERS.map((m) => (
                  <option key={String(m)} value={m === null ? '' : String(m)}>
                    {reminderLabel(t, m)}
                  </option>
                ))}
              </select>
            </div>
          </div>
          {!d && writable.length > 1 ? (
            <div className="field">
              <label htmlFor="ev-calendar">{t('agenda.editor.calendar')}</label>
              <select id="ev-calendar" value={calendarHref} onChange={(e) => setCalendarHref(e.target.value)}>
                {writable.map((c) => (
                  <option key={`${c.accountId}${c.href}`} value={c.href}>
                    {c.name}
                  </option>
                ))}
              </select>
            </div>
          ) : null}
          <div className="field">
            <label htmlFor="ev-description">{t('agenda.editor.description')}</label>
            <textarea id="ev-description" rows={3} value={description} onChange={(e) => setDescription(e.target.value)} />
          </div>
        </div>
        {error ? <ErrorAlert message={error} /> : null}
        <div className="form-actions agenda-editor-actions">
          <button type="button" className="button" onClick={onClose} disabled={busy}>
            {t('common.cancel')}
          </button>
          <button type="submit" className="button button-primary" disabled={busy} data-testid="save-event">
            {t('common.save')}
          </button>
        </div>
      </form>
    </dialog>
  );
}

type Client = ReturnType<typeof useClient>;
type T = (k: string, o?: Record<string, unknown>) => string;

/**
 * Saves a change of an existing event as the editor does: one occurrence (no repetition of its own), this one and the
 * following (the series split there), or the whole series (the core keeps the series' first day, with the new hours).
 * `input.rrule` is the series' repetition. Returns the French notice to show.
 */
export async function saveEventChange(
  client: Client,
  t: T,
  d: CalendarEventDetails,
  input: CalendarEventInput,
  scope: RecurrenceScope,
): Promise<string> {
  if (d.recurrenceId && scope === 'series') {
    await client.call('calendar.updateEvent', { uid: d.uid, event: input, scope: 'series', recurrenceId: d.recurrenceId });
    return t('agenda.editor.updated');
  }
  if (d.recurrenceId && scope === 'following') {
    await client.call('calendar.updateEvent', { uid: d.uid, event: input, scope: 'following', recurrenceId: d.recurrenceId });
    return t('agenda.editor.updatedFollowing');
  }
  await client.call('calendar.updateEvent', {
    uid: d.uid,
    event: d.recurrenceId ? { ...input, rrule: null } : input,
    scope: d.recurrenceId ? 'occurrence' : 'series',
    recurrenceId: d.recurrenceId,
  });
  return t('agenda.editor.updated');
}

/**
 * The participants a change tells by mail (an iTIP REQUEST or CANCEL): the others than the agent, when the agent
 * organises the event (or nobody is named as organiser). Empty when nobody is told.
 */
export function participantsTold(details: CalendarEventDetails, me: string | null): CalendarEventDetails['attendeeStatus'] {
  const others = details.attendeeStatus.filter((a) => a.email.toLowerCase() !== me);
  return !details.organizer || details.organizer.toLowerCase() === me ? others : [];
}

/** « Cet événement / Cet événement et les suivants / Tous les événements » for a change of a repeated event. */
function ScopeChoice({ scope, onChange }: { scope: RecurrenceScope; onChange(scope: RecurrenceScope): void }) {
  const { t } = useTranslation();
  return (
    <fieldset className="fieldset agenda-scope">
      <legend>{t('agenda.editor.scopeLegend')}</legend>
      <label>
        <input type="radio" name="scope" checked={scope === 'occurrence'} onChange={() => onChange('occurrence')} />{' '}
        {t('agenda.editor.scopeOccurrence')}
      </label>
      <label>
        <input type="radio" name="scope" checked={scope === 'following'} onChange={() => onChange('following')} />{' '}
        {t('agenda.editor.scopeFollowing')}
      </label>
      <label>
        <input type="radio" name="scope" checked={scope === 'series'} onChange={() => onChange('series')} />{' '}
        {t('agenda.editor.scopeSeries')}
      </label>
    </fieldset>
  );
}

/**
 * An event dragged in the grid, before it is saved: for a repeated one, the editor's question (this one, this one and
 * the following, all); for a meeting the agent organises, who will receive the change by mail. « Déplacer » saves.
 */
export function MoveEventDialog({
  details,
  input,
  told,
  onClose,
  onSaved,
}: {
  details: CalendarEventDetails;
  input: CalendarEventInput;
  told: CalendarEventDetails['attendeeStatus'];
  onClose(): void;
  onSaved(message: string): void;
}) {
  const { t } = useTranslation();
  const client = useClient();
  const ref = useModalDialog();
  const known = useKnownName();
  const titleId = useId();
  const [scope, setScope] = useState<RecurrenceScope>(details.recurrenceId ? 'occurrence' : 'series');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const day = input.start.slice(0, 10);
  const lastDay = addDays(input.end.slice(0, 10), -1);
  const when = input.allDay
    ? lastDay > day
      ? t('agenda.details.allDayRange', { from: longDay(day), to: longDay(lastDay) })
      : t('agenda.details.allDayOn', { day: longDay(day) })
    : input.end.slice(0, 10) === day
      ? t('agenda.details.sameDay', { day: longDay(day), start: input.start.slice(11, 16), end: input.end.slice(11, 16) })
      : t('agenda.details.range', {
          from: longDay(day),
          start: input.start.slice(11, 16),
          to: longDay(input.end.slice(0, 10)),
          end: input.end.slice(11, 16),
        });
  const save = async () => {
    setBusy(true);
    setError(null);
    try {
      onSaved(await saveEventChange(client, t, details, input, scope));
    } catch (err) {
      setError(err instanceof ApiCallError ? err.message : t('errors.unexpected'));
      setBusy(false);
    }
  };
  return (
    <dialog ref={ref} className="dialog agenda-move" aria-labelledby={titleId} onClose={onClose} data-testid="move-event">
      <h2 id={titleId}>{t('agenda.move.title')}</h2>
      <p>{t('agenda.move.when', { title: details.summary || t('agenda.noTitle'), when })}</p>
      {details.recurrenceId ? <ScopeChoice scope={scope} onChange={setScope} /> : null}
      {told.length ? (
        <p data-testid="move-notify">
          {t('agenda.move.notify', {
            count: told.length,
            names: told.map((a) => known(a.email) ?? (a.name?.trim() || a.email)).join(', '),
          })}
        </p>
      ) : null}
      {error ? <ErrorAlert message={error} /> : null}
      <div className="form-actions">
        <button type="button" className="button" onClick={onClose} disabled={busy}>
          {t('common.cancel')}
        </button>
        <button
          type="button"
          className="button button-primary"
          onClick={() => void save()}
          disabled={busy}
          data-testid="move-confirm"
          autoFocus
        >
          {told.length ? t('agenda.move.confirmNotify') : t('agenda.move.confirm')}
        </button>
      </div>
    </dialog>
  );
}

function statusLabel(t: (k: string) => string, status: string): string {
  if (status === 'ACCEPTED') return t('agenda.details.accepted');
  if (status === 'TENTATIVE') return t('agenda.details.tentative');
  if (status === 'DECLINED') return t('agenda.details.declined');
  return t('agenda.details.needsAction');
}

export function EventDetailsDialog({
  details,
  onClose,
  onEdit,
  onDeleted,
  onJoin,
}: {
  details: CalendarEventDetails;
  onClose(): void;
  onEdit(): void;
  onDeleted(message: string): void;
  onJoin(link: string): void;
}) {
  const { t } = useTranslation();
  const client = useClient();
  const ref = useModalDialog();
  const titleId = useId();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const recurring = !!details.rrule || !!details.recurrenceId;
  // Deleting a meeting one organises tells its participants (a cancellation by mail): asked first, as Outlook does.
  const accounts = useApiQuery('accounts.list', {});
  const me = accounts.data?.find((a) => a.id === details.accountId)?.email.toLowerCase() ?? null;
  const others = details.attendeeStatus.filter((a) => a.email.toLowerCase() !== me);
  // A participant is named by the agent's own accounts or contacts, else by the name the event gives (CN).
  const personText = usePersonText(details.attendeeStatus);
  const known = useKnownName();
  const tellsOthers = participantsTold(details, me).length > 0;
  const [confirming, setConfirming] = useState<RecurrenceScope | null>(null);
  const ask = (scope: RecurrenceScope) => (tellsOthers ? setConfirming(scope) : void remove(scope));

  const when = (() => {
    if (details.allDay) {
      const last = addDays(details.end.slice(0, 10), -1);
      return last > details.start
        ? t('agenda.details.allDayRange', { from: longDay(details.start), to: longDay(last) })
        : t('agenda.details.allDayOn', { day: longDay(details.start) });
    }
    const sDay = details.start.slice(0, 10);
    const eDay = details.end.slice(0, 10);
    if (sDay === eDay)
      return t('agenda.details.sameDay', { day: longDay(sDay), start: details.start.slice(11, 16), end: details.end.slice(11, 16) });
    return t('agenda.details.range', {
      from: longDay(sDay),
      start: details.start.slice(11, 16),
      to: longDay(eDay),
      end: details.end.slice(11, 16),
    });
  })();

  const remove = async (scope: RecurrenceScope) => {
    setBusy(true);
    try {
      await client.call('calendar.deleteEvent', { uid: details.uid, scope, recurrenceId: details.recurrenceId });
      onDeleted(
        scope === 'occurrence'
          ? t('agenda.details.deletedOccurrence')
          : scope === 'following'
            ? t('agenda.details.deletedFollowing')
            : t('agenda.details.deleted'),
      );
    } catch (err) {
      setError(err instanceof ApiCallError ? err.message : t('errors.unexpected'));
      setBusy(false);
    }
  };

  return (
    <dialog ref={ref} className="dialog agenda-details" aria-labelledby={titleId} onClose={onClose} data-testid="event-details">
      <h2 id={titleId}>{details.summary || t('agenda.noTitle')}</h2>
      <p className="agenda-details-when">{when}</p>
      {recurring ? <p className="muted">{details.recurrenceId ? t('agenda.details.partOfSeries') : t('agenda.details.series')}</p> : null}
      {details.location ? (
        <p>
          <strong>{t('agenda.details.location')}</strong> {details.location}
        </p>
      ) : null}
      {details.meetingUrl ? (
        <div className="agenda-details-visio">
          <button type="button" className="button button-primary" onClick={() => onJoin(details.meetingUrl!)} data-testid="join-meeting">
            {t('agenda.details.join')}
          </button>
          <code className="muted">{details.meetingUrl}</code>
        </div>
      ) : null}
      {details.attendeeStatus.length ? (
        <div>
          <strong>{t('agenda.details.attendees')}</strong>
          <ul className="agenda-details-attendees">
            {details.attendeeStatus.map((a) => (
              <li key={a.email}>
                {personText(a.email)} — {statusLabel(t, a.status)}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      {details.description ? <p className="agenda-details-description">{details.description}</p> : null}
      <p className="muted">
        {t('agenda.details.calendar', { name: details.calendar })}
        {details.pending ? ` — ${t('agenda.pending')}` : ''}
      </p>
      {details.readOnly ? (
        <p className="agenda-details-readonly" data-testid="event-read-only">
          <Icon name="lock" />
          {t('agenda.details.readOnly')}
        </p>
      ) : null}
      {error ? <ErrorAlert message={error} /> : null}
      {confirming ? (
        <div className="agenda-delete-confirm" role="group" aria-labelledby={`${titleId}-confirm`} data-testid="delete-confirm">
          <p id={`${titleId}-confirm`}>
            {t('agenda.details.confirmCancel', {
              count: others.length,
              names: others.map((a) => known(a.email) ?? (a.name?.trim() || a.email)).join(', '),
            })}
          </p>
          <div className="form-actions">
            <button
              type="button"
              className="button button-danger"
              onClick={() => void remove(confirming)}
              disabled={busy}
              data-testid="delete-confirm-yes"
              autoFocus
            >
              {t('agenda.details.confirmCancelYes')}
            </button>
            <button type="button" className="button" onClick={() => setConfirming(null)} disabled={busy}>
              {t('agenda.details.confirmCancelNo')}
            </button>
          </div>
        </div>
      ) : null}
      <div className="form-actions" hidden={!!confirming}>
        {/* A calendar shared in read-only: its events are only looked at (no « Modifier », no « Supprimer »). */}
        {details.readOnly ? null : (
          <button type="button" className="button" onClick={onEdit} disabled={busy} data-testid="edit-event">
            {t('agenda.details.edit')}
          </button>
        )}
        {details.readOnly ? null : recurring && details.recurrenceId ? (
          <>
            <button
              type="button"
              className="button button-danger"
              onClick={() => ask('occurrence')}
              disabled={busy}
              data-testid="delete-occurrence"
            >
              {t('agenda.details.deleteOccurrence')}
            </button>
            <button
              type="button"
              className="button button-danger"
              onClick={() => ask('following')}
              disabled={busy}
              data-testid="delete-following"
            >
              {t('agenda.details.deleteFollowing')}
            </button>
            <button type="button" className="button button-danger" onClick={() => ask('series')} disabled={busy}>
              {t('agenda.details.deleteSeries')}
            </button>
          </>
        ) : (
          <button type="button" className="button button-danger" onClick={() => ask('series')} disabled={busy} data-testid="delete-event">
            {t('agenda.details.delete')}
          </button>
        )}
        <button type="button" className="button button-quiet" onClick={onClose} autoFocus>
          {t('common.close')}
        </button>
      </div>
    </dialog>
  );
}
