/**
 * Agenda: jour, semaine (time grid, Monday first), mois and « À venir » (the next 30 days as a list), from the local store; « Nouvel événement »,
 * details with « Rejoindre » for a visio, edits of one occurrence or the series, and the notices of changes
 * that the server refused because someone changed the same event (« Réappliquer ma modification »).
 * Keyboard: J / S / M / A switch the view, ← → move, T goes to today, G opens the date picker, N opens a new event.
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { CalendarEventDetails, CalendarEventInput, CalendarOccurrence } from '../../../src/shared/contract';
import { ApiCallError } from '../api/client';
import { useApiQuery, useClient } from '../api/react';
import { Busy, ErrorAlert, NoticeToast, PageHeader } from '../components/common';
import { SyncButton } from '../components/SyncButton';
import { importText } from '../lib/import-text';
import { PeopleProvider } from '../people';
import { addDays, dayMonth, longDay, monthTitle, newEventSlot, step, todayKey, visibleDays, type AgendaMode } from './agenda/dates';
import {
  EventDetailsDialog,
  EventEditor,
  MoveEventDialog,
  participantsTold,
  saveEventChange,
  type EditorTarget,
} from './agenda/EventDialogs';
import type { EventTimes } from './agenda/drag';
import { Chevron, DatePickerButton } from './agenda/DatePicker';
import { CalendarList } from './agenda/CalendarList';
import { MonthGrid, TimeGrid } from './agenda/Grids';
import { UpcomingList } from './agenda/Upcoming';
import './agenda/agenda.css';

const MODE_KEYS: Record<AgendaMode, string> = { jour: 'J', semaine: 'S', mois: 'M', avenir: 'A' };
const MODES: AgendaMode[] = ['jour', 'semaine', 'mois', 'avenir'];

export function AgendaView({ onJoinMeeting }: { onJoinMeeting?(link: string): void }) {
  // The names of participants (the editor's and the details' « Nom (adresse) »), read once for the view.
  return (
    <PeopleProvider>
      <Agenda onJoinMeeting={onJoinMeeting} />
    </PeopleProvider>
  );
}

function Agenda({ onJoinMeeting }: { onJoinMeeting?: ((link: string) => void) | undefined }) {
  const { t } = useTranslation();
  const client = useClient();
  const [mode, setModeState] = useState<AgendaMode>('semaine');
  const [anchor, setAnchor] = useState(todayKey());
  const [editor, setEditor] = useState<EditorTarget | null>(null);
  const [details, setDetails] = useState<CalendarEventDetails | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [moving, setMoving] = useState<{
    details: CalendarEventDetails;
    input: CalendarEventInput;
    told: CalendarEventDetails['attendeeStatus'];
    done(): void;
  } | null>(null);
  const accounts = useApiQuery('accounts.list', {});
  const days = useMemo(() => visibleDays(mode, anchor), [mode, anchor]);
  const range = { from: days[0]!, to: addDays(days[days.length - 1]!, 1) };
  const occurrences = useApiQuery('calendar.occurrences', range, {
    refreshOn: ['accounts.changed', 'dav.changed'],
    refreshAfterSync: true,
  });
  const calendars = useApiQuery('calendar.calendars', {}, { refreshOn: ['accounts.changed', 'dav.changed'], refreshAfterSync: true });
  const conflicts = useApiQuery('dav.conflicts', {}, { refreshOn: ['dav.conflict', 'dav.changed'], refreshAfterSync: true });
  const calendarConflicts = (conflicts.data ?? []).filter((c) => c.kind === 'calendar');
  const labels: Record<AgendaMode, { mode: string; previous: string; next: string; empty: string }> = {
    jour: { mode: t('agenda.modeDay'), previous: t('agenda.previousDay'), next: t('agenda.nextDay'), empty: t('agenda.emptyDay') },
    semaine: { mode: t('agenda.modeWeek'), previous: t('agenda.previousWeek'), next: t('agenda.nextWeek'), empty: t('agenda.emptyWeek') },
    mois: { mode: t('agenda.modeMonth'), previous: t('agenda.previousMonth'), next: t('agenda.nextMonth'), empty: t('agenda.emptyMonth') },
    avenir: {
      mode: t('agenda.modeUpcoming'),
      previous: t('agenda.previousUpcoming'),
      next: t('agenda.nextUpcoming'),
      empty: t('agenda.emptyUpcoming'),
    },
  };
  // « À venir » starts today; the other views keep the day being looked at.
  const setMode = (next: AgendaMode) => {
    if (next === 'avenir' && mode !== 'avenir') setAnchor(todayKey());
    setModeState(next);
  };

  useEffect(() => {
    if (!notice) return;
    const timer = setTimeout(() => setNotice(null), 6000);
    return () => clearTimeout(timer);
  }, [notice]);

  const title =
    mode === 'jour'
      ? longDay(anchor)
      : mode === 'semaine'
        ? t('agenda.weekRange', { from: dayMonth(days[0]!), to: dayMonth(days[6]!), year: days[6]!.slice(0, 4) })
        : mode === 'avenir'
          ? t('agenda.weekRange', {
              from: dayMonth(days[0]!),
              to: dayMonth(days[days.length - 1]!),
              year: days[days.length - 1]!.slice(0, 4),
            })
          : monthTitle(anchor);

  const openOccurrence = async (o: CalendarOccurrence) => {
    setProblem(null);
    try {
      setDetails(await client.call('calendar.event', { uid: o.uid, recurrenceId: o.recurrenceId }));
    } catch (err) {
      setProblem(err instanceof ApiCallError ? err.message : t('errors.unexpected'));
    }
  };

  /**
   * A tile dropped in a grid (day, week, month): the event saved at its new times as the editor saves it; a repeated
   * event or a meeting whose participants will be told asks first (MoveEventDialog). Resolves once saved or given up.
   */
  const moveOccurrence = async (o: CalendarOccurrence, times: EventTimes): Promise<void> => {
    setProblem(null);
    try {
      const d = await client.call('calendar.event', { uid: o.uid, recurrenceId: o.recurrenceId });
      const input: CalendarEventInput = {
        summary: d.summary,
        ...times,
        location: d.location,
        description: d.description,
        attendees: d.attendees,
        rrule: d.rrule ?? null,
        reminderMinutes: d.reminderMinutes ?? null,
        meetingUrl: d.meetingUrl ?? null,
      };
      const me = accounts.data?.find((a) => a.id === d.accountId)?.email.toLowerCase() ?? null;
      const told = participantsTold(d, me);
      if (d.recurrenceId || told.length) {
        await new Promise<void>((resolve) => setMoving({ details: d, input, told, done: resolve }));
        return;
      }
      setNotice(await saveEventChange(client, t, d, input, 'series'));
      occurrences.reload();
    } catch (err) {
      setProblem(err instanceof ApiCallError ? err.message : t('errors.unexpected'));
    }
  };

  // « Nouvel événement » asks for the editor; the effect below opens it, or says there is no calendar, once the list of
  // calendars is known (pressed just after opening Agenda, it waits for that list instead of saying there is none).
  const [pendingNew, setPendingNew] = useState<EditorTarget | null>(null);
  const [pickerRequest, setPickerRequest] = useState(0);
  const newEvent = (target: EditorTarget = newEventSlot(anchor)) => setPendingNew(target);
  useEffect(() => {
    if (!pendingNew || (calendars.data === undefined && !calendars.error)) return;
    setPendingNew(null);
    // Calendars shared in read-only do not receive new events.
    if (calendars.data?.some((c) => !c.readOnly)) setEditor(pendingNew);
    else setProblem(calendars.data?.length ? t('agenda.noWritableCalendar') : t('agenda.noCalendar'));
  }, [pendingNew, calendars.data, calendars.error, t]);

  const resolve = async (id: number, action: 'reapply' | 'dismiss') => {
    try {
      await client.call('dav.resolveConflict', { id, action });
      conflicts.reload();
      occurrences.reload();
      setNotice(action === 'reapply' ? t('agenda.conflict.reapplied') : t('agenda.conflict.dismissed'));
    } catch (err) {
      setProblem(err instanceof ApiCallError ? err.message : t('errors.unexpected'));
    }
  };

  const onKeyDown = (event: globalThis.KeyboardEvent) => {
    const target = event.target as HTMLElement;
    if (editor || details || moving || event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey) return;
    if (target.closest('dialog, nav')) return;
    if (/^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName) || target.isContentEditable) return;
    const key = event.key.toLowerCase();
    const actions: Record<string, () => void> = {
      j: () => setMode('jour'),
      s: () => setMode('semaine'),
      m: () => setMode('mois'),
      a: () => setMode('avenir'),
      t: () => setAnchor(todayKey()),
      g: () => setPickerRequest((n) => n + 1),
      n: () => newEvent(),
      arrowleft: () => setAnchor(step(mode, anchor, -1)),
      arrowright: () => setAnchor(step(mode, anchor, 1)),
      pageup: () => setAnchor(step(mode, anchor, -1)),
      pagedown: () => setAnchor(step(mode, anchor, 1)),
    };
    const action = actions[key];
    if (action) {
      event.preventDefault();
      action();
    }
  };

  // Shortcuts work wherever the focus is in the page (the grid, the heading, the page itself), not in fields.
  const keyHandler = useRef(onKeyDown);
  keyHandler.current = onKeyDown;
  useEffect(() => {
    const listener = (event: globalThis.KeyboardEvent) => keyHandler.current(event);
    document.addEventListener('keydown', listener);
    return () => document.removeEventListener('keydown', listener);
  }, []);

  const list = occurrences.data ?? [];
  // Events that repeat too often to be expanded in full (the core lists part of them): named once each.
  const dense = [...new Set(list.filter((o) => o.truncated).map((o) => o.summary || t('agenda.noTitle')))];

  return (
    <section className="view agenda-view" aria-labelledby="agenda-title">
      <PageHeader id="agenda-title" title={t('agenda.title')}>
        <button type="button" className="button button-primary" onClick={() => newEvent()} data-testid="new-event" aria-keyshortcuts="N">
          {t('agenda.newEvent')}
        </button>
        <ImportButton
          onDone={(message) => {
            setNotice(message);
            occurrences.reload();
          }}
          onError={setProblem}
        />
        <SyncButton only="calendar" />
      </PageHeader>
      <div className="toolbar agenda-toolbar">
        <div className="agenda-nav" role="group" aria-label={t('agenda.navigation')}>
          <button
            type="button"
            className="button"
            onClick={() => setAnchor(step(mode, anchor, -1))}
            aria-label={labels[mode].previous}
            aria-keyshortcuts="ArrowLeft"
          >
            <Chevron direction="left" />
          </button>
          <button type="button" className="button" onClick={() => setAnchor(todayKey())} aria-keyshortcuts="T">
            {t('agenda.today')}
          </button>
          <button
            type="button"
            className="button"
            onClick={() => setAnchor(step(mode, anchor, 1))}
            aria-label={labels[mode].next}
            aria-keyshortcuts="ArrowRight"
          >
            <Chevron direction="right" />
          </button>
          <DatePickerButton
            value={anchor}
            onPick={setAnchor}
            label={t('agenda.datePicker.goTo')}
            keyShortcut="G"
            openRequest={pickerRequest}
            testId="agenda-go-to-date"
          />
        </div>
        <h2 className="toolbar-title agenda-title" aria-live="polite" data-testid="agenda-period">
          {title}
        </h2>
        <div className="agenda-modes" role="group" aria-label={t('agenda.modes')}>
          {MODES.map((m) => (
            <button
              key={m}
              type="button"
              className={`button${mode === m ? ' is-active' : ''}`}
              aria-pressed={mode === m}
              onClick={() => setMode(m)}
              aria-keyshortcuts={MODE_KEYS[m]}
              data-testid={`mode-${m}`}
            >
              {labels[m].mode}
            </button>
          ))}
        </div>
      </div>
      <p className="hint agenda-keys">{t('agenda.keyboardHint')}</p>
      <CalendarList calendars={calendars.data ?? []} />
      {calendarConflicts.map((c) => (
        <div key={c.id} className="alert agenda-conflict" role="alert" data-testid="agenda-conflict">
          <div>
            <p>{c.message}</p>
            <div className="form-actions">
              <button type="button" className="button button-primary" onClick={() => void resolve(c.id, 'reapply')}>
                {c.action === 'put' ? t('agenda.conflict.reapply') : t('agenda.conflict.deleteAgain')}
              </button>
              <button type="button" className="button" onClick={() => void resolve(c.id, 'dismiss')}>
                {t('agenda.conflict.keepServer')}
              </button>
            </div>
          </div>
        </div>
      ))}
      <NoticeToast message={notice} />
      {dense.length ? (
        <p className="notice" role="status" data-testid="agenda-truncated">
          {t('agenda.truncated', { count: dense.length, titles: dense.join(', ') })}
        </p>
      ) : null}
      {problem ? <ErrorAlert message={problem} /> : null}
      {occurrences.error ? <ErrorAlert message={occurrences.error.message} /> : null}
      {occurrences.loading && !occurrences.data ? <Busy text={t('agenda.loading')} /> : null}
      {mode === 'avenir' ? (
        <UpcomingList days={days} today={todayKey()} occurrences={list} onOpen={(o) => void openOccurrence(o)} />
      ) : mode === 'mois' ? (
        <MonthGrid
          days={days}
          month={anchor.slice(0, 7)}
          occurrences={list}
          onOpen={(o) => void openOccurrence(o)}
          onCreateAt={(d) => newEvent({ day: d, minutes: 9 * 60 })}
          onShowDay={(d) => {
            setAnchor(d);
            setMode('jour');
          }}
          onMove={moveOccurrence}
        />
      ) : (
        <TimeGrid
          days={days}
          occurrences={list}
          onOpen={(o) => void openOccurrence(o)}
          onCreateAt={(d, minutes) => newEvent({ day: d, minutes })}
          onMove={moveOccurrence}
        />
      )}
      {occurrences.data && list.length === 0 ? <p className="muted agenda-empty">{labels[mode].empty}</p> : null}
      {editor ? (
        <EventEditor
          target={editor}
          calendars={calendars.data ?? []}
          onClose={() => setEditor(null)}
          onSaved={(message) => {
            setEditor(null);
            setNotice(message);
            occurrences.reload();
          }}
        />
      ) : null}
      {moving ? (
        <MoveEventDialog
          details={moving.details}
          input={moving.input}
          told={moving.told}
          onClose={() => {
            setMoving(null);
            moving.done();
          }}
          onSaved={(message) => {
            setMoving(null);
            moving.done();
            setNotice(message);
            occurrences.reload();
          }}
        />
      ) : null}
      {details ? (
        <EventDetailsDialog
          details={details}
          onClose={() => setDetails(null)}
          onEdit={() => {
            setEditor({ details });
            setDetails(null);
          }}
          onDeleted={(message) => {
            setDetails(null);
            setNotice(message);
            occurrences.reload();
          }}
          onJoin={(link) => {
            setDetails(null);
            onJoinMeeting?.(link);
          }}
        />
      ) : null}
    </section>
  );
}

/** « Importer… »: an .ics or .vcf file read in the page and handed to the core (dav.import). */
export function ImportButton({ onDone, onError }: { onDone(message: string): void; onError(message: string): void }) {
  const { t } = useTranslation();
  const client = useClient();
  const input = useRef<HTMLInputElement>(null);
  const [busy, setBusy] = useState(false);
  const pick = async (file: File | undefined) => {
    if (!file) return;
    setBusy(true);
    try {
      const result = await client.call('dav.import', { content: importText(new Uint8Array(await file.arrayBuffer())), name: file.name });
      onDone(result.message);
    } catch (err) {
      onError(err instanceof ApiCallError ? err.message : t('errors.unexpected'));
    } finally {
      setBusy(false);
      if (input.current) input.current.value = '';
    }
  };
  return (
    <>
      <input
        ref={input}
        type="file"
        accept=".ics,.vcf,text/calendar,text/vcard"
        className="visually-hidden"
        tabIndex={-1}
        aria-hidden="true"
        onChange={(e) => void pick(e.target.files?.[0])}
        data-testid="import-file"
      />
      <button type="button" className="button" onClick={() => input.current?.click()} disabled={busy}>
        {t('agenda.import')}
      </button>
    </>
  );
}
