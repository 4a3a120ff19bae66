/** The Agenda grids: day and week as a time grid (hours down, days across), month as weeks of days. */
import {
  useEffect,
  useRef,
  useState,
  type CSSProperties,
  type KeyboardEvent,
  type MouseEvent,
  type PointerEvent,
  type RefObject,
} from 'react';
import { useTranslation } from 'react-i18next';
import type { CalendarOccurrence } from '../../../../src/shared/contract';
import { coveredDays, dayNumber, longDay, clockParts, shortDay, todayKey, weekdayName } from './dates';
import {
  autoScrollStep,
  dayUnder,
  isClick,
  isMovable,
  movedByDays,
  movedPlace,
  occurrenceTimes,
  pixelsToMinutes,
  placeClock,
  placeTimes,
  resizedPlace,
  samePlace,
  sameTimes,
  timesDays,
  type DayBox,
  type EventTimes,
  type GridPlace,
} from './drag';

export const HOUR_PX = 44;

const keyOf = (o: CalendarOccurrence) => `${o.uid}|${o.recurrenceId ?? ''}`;

interface GridProps {
  days: string[];
  occurrences: CalendarOccurrence[];
  onOpen(occurrence: CalendarOccurrence): void;
  onCreateAt(day: string, minutes: number | null): void;
}

function EventChip({
  occurrence,
  onOpen,
  compact,
  tall,
  heightPx,
  drag,
}: {
  occurrence: CalendarOccurrence;
  onOpen(o: CalendarOccurrence): void;
  compact?: boolean;
  tall?: boolean;
  /** The tile's height on the time grid: its lines are whole lines, the title first (as Outlook). */
  heightPx?: number;
  /** A chip dragged by whole days (month, all-day band): its press, and whether it is the one being dragged. */
  drag?: { onPointerDown(event: PointerEvent<HTMLElement>): void; movable: boolean; dragged: boolean };
}) {
  const { t } = useTranslation();
  const time = occurrence.allDay
    ? t('agenda.allDay')
    : t('agenda.timeRange', { start: clockParts(occurrence.start).time, end: clockParts(occurrence.end).time });
  const title = occurrence.summary || t('agenda.noTitle');
  const label = [
    title,
    time,
    occurrence.location,
    occurrence.meetingUrl ? t('agenda.hasVisio') : '',
    occurrence.pending ? t('agenda.pending') : '',
  ]
    .filter(Boolean)
    .join(', ');
  return (
    <button
      type="button"
      className={`agenda-event${occurrence.pending ? ' is-pending' : ''}${compact ? ' is-compact' : ''}${drag?.movable ? ' is-movable' : ''}${
        drag?.dragged ? ' is-dragged' : ''
      }`}
      onPointerDown={drag?.onPointerDown}
      data-testid="agenda-event"
      data-uid={occurrence.uid}
      aria-label={label}
      onClick={(e) => {
        e.stopPropagation();
        onOpen(occurrence);
      }}
    >
      {!occurrence.allDay && compact ? <span className="agenda-event-time">{clockParts(occurrence.start).time}</span> : null}
      {compact ? <span className="agenda-event-title">{title}</span> : null}
      {!compact ? (
        <span className="agenda-event-lines" style={heightPx ? tileLines(heightPx) : undefined}>
          <span className="agenda-event-title">{title}</span>
          {!occurrence.allDay ? (
            <span className="agenda-event-line">
              <span className="agenda-event-time">{time}</span>
              {occurrence.meetingUrl ? <span className="agenda-event-badge">{t('agenda.visioBadge')}</span> : null}
            </span>
          ) : null}
          {occurrence.location && tall ? <span className="agenda-event-place">{occurrence.location}</span> : null}
        </span>
      ) : null}
    </button>
  );
}

/** A tile's whole lines (its border and padding take 8 px; a line is about 16 px): the block is cut after the last
 *  whole line (CSS rounds down to its real line height), and the title may take every line of a tile of two (a long
 *  title before the time, which the tile's place on the grid already says), else all but one, three at most. */
function tileLines(heightPx: number): CSSProperties {
  const lines = Math.max(1, Math.floor((heightPx - 8) / 16));
  const titleLines = lines <= 2 ? lines : Math.min(3, lines - 1);
  return { '--tile-content': `${heightPx - 8}px`, '--title-lines': titleLines } as CSSProperties;
}

/** Lanes for overlapping timed events of one day: each gets its lane and the lane count of its cluster. */
function layout(events: { o: CalendarOccurrence; top: number; bottom: number }[]): Map<string, { lane: number; lanes: number }> {
  const out = new Map<string, { lane: number; lanes: number }>();
  const sorted = [...events].sort((a, b) => a.top - b.top || b.bottom - a.bottom);
  let cluster: typeof sorted = [];
  let clusterEnd = -1;
  let laneEnds: number[] = [];
  const flush = () => {
    for (const e of cluster) out.get(keyOf(e.o))!.lanes = laneEnds.length;
    cluster = [];
    laneEnds = [];
  };
  for (const e of sorted) {
    if (e.top >= clusterEnd) {
      flush();
      clusterEnd = -1;
    }
    let lane = laneEnds.findIndex((end) => end <= e.top);
    if (lane < 0) {
      lane = laneEnds.length;
      laneEnds.push(e.bottom);
    } else laneEnds[lane] = e.bottom;
    out.set(keyOf(e.o), { lane, lanes: 1 });
    cluster.push(e);
    clusterEnd = Math.max(clusterEnd, e.bottom);
  }
  flush();
  return out;
}

/** The current time, new at each minute (the grid's « now » line moves with it). */
function useMinuteClock(): Date {
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout>;
    const tick = () => {
      const at = new Date();
      setNow(at);
      timer = setTimeout(tick, 60_000 - (at.getTime() % 60_000) + 50);
    };
    timer = setTimeout(tick, 60_000 - (Date.now() % 60_000) + 50);
    return () => clearTimeout(timer);
  }, []);
  return now;
}

/** Stops the click that the end of a press dispatches at once (the click follows the pointerup in the same task). */
function swallowNextClick(): void {
  const stop = (e: Event) => {
    e.stopPropagation();
    e.preventDefault();
  };
  document.addEventListener('click', stop, true);
  setTimeout(() => document.removeEventListener('click', stop, true), 0);
}

/** A press on a tile that does not move (an invitation received): dragged away and let go elsewhere, it opens nothing. */
function guardPress(event: PointerEvent<HTMLElement>): void {
  if (event.button !== 0) return;
  const { clientX: x0, clientY: y0, pointerId } = event;
  const up = (e: globalThis.PointerEvent) => {
    if (e.pointerId !== pointerId) return;
    document.removeEventListener('pointerup', up);
    if (!isClick(e.clientX - x0, e.clientY - y0)) swallowNextClick();
  };
  document.addEventListener('pointerup', up);
}

/** One drag at a time in the whole Agenda, from the press till its change is saved (or given up). */
let dragBusy = false;

/** A tile being dragged: what it was, where it goes, how the press started, where the pointer is. */
interface DragState<P> {
  key: string;
  from: P;
  place: P;
  /** The place for the pointer at (x, y) of the window, null off the grid. */
  placeAt(x: number, y: number): P | null;
  x0: number;
  y0: number;
  x: number;
  y: number;
  pointerId: number;
  element: HTMLElement;
  /** Past the click slop: a drag (the pointer is captured, the ghost shows). */
  moving: boolean;
  /** Échap pressed: the tile went back, the button is still down. */
  cancelled: boolean;
}

/**
 * Dragging tiles with the pointer (Outlook, Thunderbird): a press moved less than the click slop is a click; past it,
 * a ghost shows where the tile would land (`place`), Échap puts it back, letting go calls `drop` (the ghost stays till
 * it resolves). With `scroller`, the grid scrolls while the pointer is near its top or bottom edge.
 */
function useTileDrag<P>({
  same,
  drop,
  scroller,
}: {
  same(a: P, b: P): boolean;
  drop: ((occurrence: CalendarOccurrence, place: P) => Promise<void>) | undefined;
  scroller?: RefObject<HTMLElement | null>;
}) {
  const [ghost, setGhost] = useState<{ key: string; occurrence: CalendarOccurrence; place: P } | null>(null);
  const stopDrag = useRef<(() => void) | null>(null);
  useEffect(
    () => () => {
      if (stopDrag.current) dragBusy = false;
      stopDrag.current?.();
    },
    [],
  );

  const press = (event: PointerEvent<HTMLElement>, occurrence: CalendarOccurrence, from: P, placeAt: DragState<P>['placeAt']) => {
    if (!drop || event.button !== 0 || dragBusy || ghost) return;
    dragBusy = true;
    const { clientX: x0, clientY: y0 } = event;
    const key = keyOf(occurrence);
    const state: DragState<P> = {
      key,
      from,
      place: from,
      placeAt,
      x0,
      y0,
      x: x0,
      y: y0,
      pointerId: event.pointerId,
      element: event.currentTarget,
      moving: false,
      cancelled: false,
    };
    let frame = 0;
    const release = () => {
      if (state.element.hasPointerCapture?.(state.pointerId)) state.element.releasePointerCapture(state.pointerId);
    };
    const end = () => {
      document.removeEventListener('pointermove', move);
      document.removeEventListener('pointerup', up);
      document.removeEventListener('pointercancel', cancel);
      document.removeEventListener('keydown', onKey, true);
      cancelAnimationFrame(frame);
      release();
      stopDrag.current = null;
    };
    const follow = () => {
      const p = state.placeAt(state.x, state.y);
      if (!p) return;
      state.place = p;
      setGhost({ key, occurrence, place: p });
    };
    // Near the top or bottom edge of the scrolling grid, it scrolls (and the ghost follows the hours under the pointer).
    const scroll = () => {
      frame = requestAnimationFrame(scroll);
      const el = scroller?.current;
      if (!el || state.cancelled) return;
      const r = el.getBoundingClientRect();
      const step = autoScrollStep(state.y, r.top, r.bottom);
      if (!step) return;
      const before = el.scrollTop;
      el.scrollTop = before + step;
      if (el.scrollTop !== before) follow();
    };
    const move = (e: globalThis.PointerEvent) => {
      if (e.pointerId !== state.pointerId || state.cancelled) return;
      state.x = e.clientX;
      state.y = e.clientY;
      if (!state.moving) {
        if (isClick(e.clientX - x0, e.clientY - y0)) return;
        state.moving = true;
        state.element.setPointerCapture(state.pointerId);
        if (scroller) frame = requestAnimationFrame(scroll);
      }
      follow();
    };
    const up = (e: globalThis.PointerEvent) => {
      if (e.pointerId !== state.pointerId) return;
      end();
      if (!state.moving) {
        dragBusy = false;
        return;
      }
      // The click that ends a drag opens nothing (neither the event nor a new one where the pointer is).
      swallowNextClick();
      if (state.cancelled || same(state.place, state.from)) {
        dragBusy = false;
        setGhost(null);
        return;
      }
      setGhost({ key, occurrence, place: state.place });
      void drop(occurrence, state.place).finally(() => {
        dragBusy = false;
        setGhost(null);
      });
    };
    const cancel = (e: globalThis.PointerEvent) => {
      if (e.pointerId !== state.pointerId) return;
      end();
      dragBusy = false;
      setGhost(null);
    };
    // Échap puts the tile back where it was: nothing is saved (the button let go later does nothing either).
    const onKey = (e: globalThis.KeyboardEvent) => {
      if (e.key !== 'Escape' || !state.moving || state.cancelled) return;
      e.preventDefault();
      e.stopPropagation();
      state.cancelled = true;
      cancelAnimationFrame(frame);
      release();
      setGhost(null);
    };
    document.addEventListener('pointermove', move);
    document.addEventListener('pointerup', up);
    document.addEventListener('pointercancel', cancel);
    document.addEventListener('keydown', onKey, true);
    stopDrag.current = end;
  };

  return { ghost, press };
}

/** The day boxes of the cells matched by `selector` under `root` (their `data-day`). */
function dayBoxes(root: HTMLElement | null, selector: string): DayBox[] {
  return [...(root?.querySelectorAll<HTMLElement>(selector) ?? [])].map((el) => {
    const r = el.getBoundingClientRect();
    return { day: el.dataset.day!, left: r.left, top: r.top, right: r.right, bottom: r.bottom };
  });
}

/**
 * A chip of the month or of the all-day band, shown on `day`: dragged, it moves by whole days (as many as from `day` to
 * the day under the pointer). One that does not move (an invitation received) only guards its press.
 */
function dayDrag(
  o: CalendarOccurrence,
  day: string,
  drag: { ghost: { key: string } | null; press: ReturnType<typeof useTileDrag<EventTimes>>['press'] },
  root: RefObject<HTMLElement | null>,
  selector: string,
  enabled: boolean,
) {
  const movable = enabled && isMovable(o);
  return {
    movable,
    dragged: drag.ghost?.key === keyOf(o),
    onPointerDown: (event: PointerEvent<HTMLElement>) => {
      if (!movable) return guardPress(event);
      const from = occurrenceTimes(o);
      drag.press(event, o, from, (x, y) => {
        const target = dayUnder(dayBoxes(root.current, selector), x, y);
        return target ? movedByDays(from, day, target) : null;
      });
    },
  };
}

export function TimeGrid({
  days,
  occurrences,
  onOpen,
  onCreateAt,
  onMove,
}: GridProps & {
  /** A tile dropped at new times (day and week views); resolves once saved or given up (the ghost stays till then). */
  onMove?(occurrence: CalendarOccurrence, times: EventTimes): Promise<void>;
}) {
  const { t } = useTranslation();
  const scroller = useRef<HTMLDivElement>(null);
  const body = useRef<HTMLDivElement>(null);
  const band = useRef<HTMLDivElement>(null);
  const timedDrag = useTileDrag<GridPlace>({
    same: samePlace,
    drop: onMove && ((o, place) => onMove(o, { ...placeTimes(place), allDay: false })),
    scroller,
  });
  const ghost = timedDrag.ghost;
  const bandDrag = useTileDrag<EventTimes>({ same: sameTimes, drop: onMove });

  /** The column under the pointer (the nearest at either end) and the minute of the day at its height. */
  const pointAt = (clientX: number, clientY: number): { day: string; minutes: number } | null => {
    const cols = [...(body.current?.querySelectorAll<HTMLElement>('.agenda-tg-col') ?? [])];
    if (!cols.length) return null;
    const col =
      cols.find((c) => {
        const r = c.getBoundingClientRect();
        return clientX >= r.left && clientX < r.right;
      }) ?? (clientX < cols[0]!.getBoundingClientRect().left ? cols[0]! : cols[cols.length - 1]!);
    const rect = col.getBoundingClientRect();
    return { day: col.dataset.day!, minutes: pixelsToMinutes(clientY - rect.top, HOUR_PX) };
  };

  const startDrag = (occurrence: CalendarOccurrence, from: GridPlace) => (event: PointerEvent<HTMLDivElement>) => {
    const at = pointAt(event.clientX, event.clientY);
    if (!at) return;
    const resize = !!(event.target as HTMLElement).closest('.agenda-event-resize');
    timedDrag.press(event, occurrence, from, (x, y) => {
      const p = pointAt(x, y);
      if (!p) return null;
      return resize ? resizedPlace(from, p.minutes) : movedPlace(from, at.minutes, p.day, p.minutes);
    });
  };

  const clock = clockParts(useMinuteClock());
  const today = clock.day;
  const nowTop = (clock.minutes / 60) * HOUR_PX;
  const showsToday = days.includes(today);
  useEffect(() => {
    const el = scroller.current;
    if (!el) return;
    // The working day from 7:00; outside it, today's « now » line in sight (late in the day, not the morning).
    el.scrollTop = 7 * HOUR_PX - 10;
    if (showsToday && (nowTop < el.scrollTop || nowTop > el.scrollTop + el.clientHeight - HOUR_PX))
      el.scrollTop = Math.max(0, nowTop - 2 * HOUR_PX);
    // eslint-disable-next-line react-hooks/exhaustive-deps -- placed once, when the grid opens; then the agent scrolls
  }, []);

  const allDay = new Map<string, CalendarOccurrence[]>();
  const timed = new Map<string, { o: CalendarOccurrence; top: number; bottom: number; end: number }[]>();
  for (const o of occurrences) {
    const covered = coveredDays(o.start, o.end, o.allDay);
    if (o.allDay || covered.length > 1) {
      for (const d of covered) if (days.includes(d)) allDay.set(d, [...(allDay.get(d) ?? []), o]);
      continue;
    }
    const s = clockParts(o.start);
    const e = clockParts(o.end);
    if (!days.includes(s.day)) continue;
    const end = e.day === s.day ? e.minutes : 24 * 60;
    const bottom = Math.max(end, s.minutes + 20);
    timed.set(s.day, [...(timed.get(s.day) ?? []), { o, top: s.minutes, bottom, end }]);
  }
  const hasAllDay = [...allDay.values()].some((l) => l.length > 0);

  const clickSlot = (day: string) => (event: MouseEvent<HTMLDivElement>) => {
    const rect = event.currentTarget.getBoundingClientRect();
    const minutes = Math.floor(((event.clientY - rect.top) / HOUR_PX) * 2) * 30;
    onCreateAt(day, Math.max(0, Math.min(23 * 60 + 30, minutes)));
  };

  return (
    <div className={`agenda-timegrid days-${days.length}`} data-testid="agenda-timegrid">
      <div className="agenda-tg-head">
        <span className="agenda-tg-corner" />
        {days.map((d) => (
          <span key={d} className={`agenda-tg-day${d === today ? ' is-today' : ''}`}>
            {days.length === 1 ? longDay(d) : shortDay(d)}
          </span>
        ))}
      </div>
      {hasAllDay ? (
        <div className="agenda-tg-allday" ref={band}>
          <span className="agenda-tg-corner muted">{t('agenda.allDayShort')}</span>
          {days.map((d) => (
            <div key={d} className="agenda-tg-allday-cell" data-day={d}>
              {(allDay.get(d) ?? []).map((o) => (
                <EventChip
                  key={keyOf(o)}
                  occurrence={o}
                  onOpen={onOpen}
                  compact
                  drag={dayDrag(o, d, bandDrag, band, '.agenda-tg-allday-cell', !!onMove)}
                />
              ))}
              {bandDrag.ghost && timesDays(bandDrag.ghost.place).includes(d) ? (
                <DayGhost occurrence={bandDrag.ghost.occurrence} times={bandDrag.ghost.place} />
              ) : null}
            </div>
          ))}
        </div>
      ) : null}
      <div className="agenda-tg-scroll" ref={scroller} tabIndex={0} role="region" aria-label={t('agenda.hoursScroll')}>
        <div className="agenda-tg-body" ref={body}>
          <div className="agenda-tg-hours" aria-hidden="true">
            {Array.from({ length: 24 }, (_, h) => (
              <span key={h} className="agenda-tg-hour">
                {h === 0 ? '' : `${String(h).padStart(2, '0')}:00`}
              </span>
            ))}
          </div>
          {days.map((d) => {
            const list = timed.get(d) ?? [];
            const lanes = layout(list);
            return (
              <div
                key={d}
                className={`agenda-tg-col${d === today ? ' is-today' : ''}`}
                onClick={clickSlot(d)}
                data-day={d}
                aria-label={t('agenda.dayColumn', { day: longDay(d) })}
                role="group"
              >
                {d === today ? (
                  // Where the day is now, as Outlook's red line: drawn over the tiles, never in the way of a click.
                  <div className="agenda-now" data-testid="agenda-now" style={{ top: nowTop }} aria-hidden="true" />
                ) : null}
                {list.map(({ o, top, bottom, end }) => {
                  const l = lanes.get(keyOf(o)) ?? { lane: 0, lanes: 1 };
                  const height = Math.max(((bottom - top) / 60) * HOUR_PX - 2, 20);
                  // An invitation received, an event of a calendar shared in read-only, an all-day event or one only
                  // partly listed is not moved with the pointer.
                  const movable = !!onMove && isMovable(o);
                  const from: GridPlace = { day: d, start: top, end };
                  return (
                    <div
                      key={keyOf(o)}
                      className={`agenda-tg-item${movable ? ' is-movable' : ''}${ghost?.key === keyOf(o) ? ' is-dragged' : ''}`}
                      style={{
                        top: (top / 60) * HOUR_PX,
                        height,
                        left: `${(l.lane / l.lanes) * 100}%`,
                        width: `${100 / l.lanes}%`,
                      }}
                      onPointerDown={movable ? startDrag(o, from) : guardPress}
                      onClick={(e) => e.stopPropagation()}
                    >
                      <EventChip occurrence={o} onOpen={onOpen} compact={bottom - top < 45} tall={bottom - top >= 90} heightPx={height} />
                      {movable ? (
                        <span
                          className="agenda-event-resize"
                          title={t('agenda.move.resizeHandle')}
                          aria-hidden="true"
                          data-testid="agenda-event-resize"
                        />
                      ) : null}
                    </div>
                  );
                })}
                {ghost && ghost.place.day === d ? <DragGhost occurrence={ghost.occurrence} place={ghost.place} /> : null}
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}

/** Where a dragged tile would land, with its new hours (« 10:15 – 11:15 »). */
function DragGhost({ occurrence, place }: { occurrence: CalendarOccurrence; place: GridPlace }) {
  const { t } = useTranslation();
  return (
    <div
      className="agenda-drag-ghost"
      data-testid="agenda-drag-ghost"
      aria-hidden="true"
      style={{ top: (place.start / 60) * HOUR_PX, height: Math.max(((place.end - place.start) / 60) * HOUR_PX - 2, 20) }}
    >
      <span className="agenda-event-title">{occurrence.summary || t('agenda.noTitle')}</span>
      <span className="agenda-drag-time" data-testid="agenda-drag-time">
        {t('agenda.timeRange', { start: placeClock(place.start), end: placeClock(place.end) })}
      </span>
    </div>
  );
}

/** Where a chip dragged by days would land (month, all-day band), drawn as the chips there: its hour, its title. */
function DayGhost({ occurrence, times }: { occurrence: CalendarOccurrence; times: EventTimes }) {
  const { t } = useTranslation();
  return (
    <div className="agenda-drag-ghost is-day" data-testid="agenda-drag-ghost" aria-hidden="true">
      {!times.allDay ? (
        <span className="agenda-drag-time" data-testid="agenda-drag-time">
          {times.start.slice(11, 16)}
        </span>
      ) : null}
      <span className="agenda-event-title">{occurrence.summary || t('agenda.noTitle')}</span>
    </div>
  );
}

const MAX_PER_DAY = 3;

export function MonthGrid({
  days,
  occurrences,
  onOpen,
  onCreateAt,
  month,
  onShowDay,
  onMove,
}: GridProps & {
  month: string;
  onShowDay(day: string): void;
  /** An event dropped on another day (its hours and length kept); resolves once saved or given up. */
  onMove?(occurrence: CalendarOccurrence, times: EventTimes): Promise<void>;
}) {
  const { t } = useTranslation();
  const grid = useRef<HTMLDivElement>(null);
  const dayDragging = useTileDrag<EventTimes>({ same: sameTimes, drop: onMove });
  const ghost = dayDragging.ghost;
  const ghostDays = ghost ? timesDays(ghost.place) : [];
  const today = todayKey();
  const byDay = new Map<string, CalendarOccurrence[]>();
  for (const o of occurrences) for (const d of coveredDays(o.start, o.end, o.allDay)) byDay.set(d, [...(byDay.get(d) ?? []), o]);
  const weeks: string[][] = [];
  for (let i = 0; i < days.length; i += 7) weeks.push(days.slice(i, i + 7));
  const onKey = (day: string) => (event: KeyboardEvent<HTMLDivElement>) => {
    if (event.target !== event.currentTarget) return;
    if (event.key === 'Enter') onShowDay(day);
  };
  return (
    <div className="agenda-month" role="grid" aria-label={t('agenda.monthGrid')} data-testid="agenda-month" ref={grid}>
      <div className="agenda-month-head" role="row">
        {weeks[0]!.map((d) => (
          <span key={d} role="columnheader">
            {weekdayName(d)}
          </span>
        ))}
      </div>
      {weeks.map((week) => (
        <div key={week[0]} className="agenda-month-week" role="row">
          {week.map((d) => {
            const list = byDay.get(d) ?? [];
            return (
              <div
                key={d}
                role="gridcell"
                tabIndex={0}
                aria-label={t('agenda.dayCell', { day: longDay(d), count: list.length })}
                className={`agenda-month-day${d.slice(0, 7) !== month ? ' is-other' : ''}${d === today ? ' is-today' : ''}`}
                onClick={() => onCreateAt(d, null)}
                onKeyDown={onKey(d)}
                data-day={d}
              >
                <span className="agenda-month-num">{dayNumber(d)}</span>
                {list.slice(0, MAX_PER_DAY).map((o) => (
                  <EventChip
                    key={keyOf(o)}
                    occurrence={o}
                    onOpen={onOpen}
                    compact
                    drag={dayDrag(o, d, dayDragging, grid, '.agenda-month-day', !!onMove)}
                  />
                ))}
                {ghost && ghostDays.includes(d) ? <DayGhost occurrence={ghost.occurrence} times={ghost.place} /> : null}
                {list.length > MAX_PER_DAY ? (
                  <button
                    type="button"
                    className="agenda-month-more"
                    onClick={(e) => {
                      e.stopPropagation();
                      onShowDay(d);
                    }}
                  >
                    {t('agenda.more', { count: list.length - MAX_PER_DAY })}
                  </button>
                ) : null}
              </div>
            );
          })}
        </div>
      ))}
    </div>
  );
}
