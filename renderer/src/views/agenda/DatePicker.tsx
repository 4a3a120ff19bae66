/**
 * « Choisir une date »: a button that opens a small month (as Outlook's and Thunderbird's date navigator), for the
 * Agenda's toolbar (go to a date) and the event form's date boxes. The keys are those of the WAI-ARIA date picker
 * dialog (pickerKeyMove in dates.ts); Échap closes it without leaving the dialog it sits in, a click elsewhere too.
 */
import { useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Icon } from '../../components/icons';
import { useDismissOnOutside } from '../../components/common';
import { addMonths, dayNumber, longDay, monthTitle, pickerKeyMove, pickerWeeks, todayKey, weekdayName } from './dates';

export function DatePickerButton({
  value,
  onPick,
  label,
  testId,
  keyShortcut,
  openRequest = 0,
}: {
  /** The chosen day 'YYYY-MM-DD' (shown selected, the month opened on it); '' opens on today. */
  value: string;
  onPick(day: string): void;
  /** The button's name for screen readers and its tooltip (« Aller à une date », « Choisir la date de début »). */
  label: string;
  testId?: string;
  keyShortcut?: string;
  /** Increase it to open the picker from elsewhere (the Agenda's « G » key). */
  openRequest?: number;
}) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const [focusDay, setFocusDay] = useState(value || todayKey());
  const box = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  const grid = useRef<HTMLTableElement>(null);
  const titleId = useId();
  const dialogId = useId();

  const show = () => {
    setFocusDay(value || todayKey());
    setOpen(true);
  };
  const close = (giveFocusBack: boolean) => {
    setOpen(false);
    if (giveFocusBack) button.current?.focus();
  };
  useDismissOnOutside(box, open, () => setOpen(false));

  const asked = useRef(openRequest);
  useEffect(() => {
    if (openRequest === asked.current) return;
    asked.current = openRequest;
    show();
    // Only a new request opens it; `value` is read as it is then.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [openRequest]);

  // The focus follows the focused day (also across months).
  useEffect(() => {
    if (open) grid.current?.querySelector<HTMLButtonElement>(`button[data-day="${focusDay}"]`)?.focus();
  }, [open, focusDay]);

  const pick = (day: string) => {
    onPick(day);
    close(true);
  };

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    // Nothing behind the picker acts on its keys: not the Agenda's shortcuts, not the dialog it sits in (Échap).
    event.stopPropagation();
    if (event.key === 'Escape') {
      event.preventDefault();
      close(true);
      return;
    }
    if (!(event.target instanceof HTMLElement) || !grid.current?.contains(event.target)) return;
    const next = pickerKeyMove(focusDay, event.key, event.shiftKey);
    if (next) {
      event.preventDefault();
      setFocusDay(next);
    }
  };

  const weeks = pickerWeeks(focusDay);
  const month = focusDay.slice(0, 7);
  const today = todayKey();
  return (
    <div className="date-picker" ref={box}>
      <button
        ref={button}
        type="button"
        className="button date-picker-button"
        aria-label={label}
        title={label}
        aria-haspopup="dialog"
        aria-expanded={open}
        aria-controls={open ? dialogId : undefined}
        aria-keyshortcuts={keyShortcut}
        onClick={() => (open ? close(false) : show())}
        data-testid={testId}
      >
        <Icon name="agenda" />
      </button>
      {open ? (
        <div
          id={dialogId}
          className="date-picker-pop"
          role="dialog"
          aria-labelledby={titleId}
          onKeyDown={onKeyDown}
          data-testid="date-picker"
        >
          <div className="date-picker-head">
            <button
              type="button"
              className="button button-small"
              aria-label={t('agenda.previousMonth')}
              onClick={() => setFocusDay(addMonths(focusDay, -1))}
            >
              <Chevron direction="left" />
            </button>
            <h3 id={titleId} aria-live="polite">
              {monthTitle(focusDay)}
            </h3>
            <button
              type="button"
              className="button button-small"
              aria-label={t('agenda.nextMonth')}
              onClick={() => setFocusDay(addMonths(focusDay, 1))}
            >
              <Chevron direction="right" />
            </button>
          </div>
          <table ref={grid} role="grid" aria-labelledby={titleId} className="date-picker-grid">
            <thead>
              <tr>
                {weeks[0]!.map((day) => (
                  <th key={day} scope="col" abbr={weekdayName(day)}>
                    {weekdayName(day).charAt(0).toUpperCase()}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {weeks.map((week) => (
                <tr key={week[0]}>
                  {week.map((day) => (
                    <td key={day} aria-selected={day === value}>
                      <button
                        type="button"
                        tabIndex={day === focusDay ? 0 : -1}
                        className={`date-picker-day${day.slice(0, 7) !== month ? ' is-outside' : ''}${day === value ? ' is-selected' : ''}`}
                        aria-label={longDay(day)}
                        aria-current={day === today ? 'date' : undefined}
                        data-day={day}
                        onClick={() => pick(day)}
                      >
                        {dayNumber(day)}
                      </button>
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
          <div className="date-picker-foot">
            <button type="button" className="button button-small" onClick={() => pick(today)}>
              {t('agenda.today')}
            </button>
          </div>
        </div>
      ) : null}
    </div>
  );
}

/** The arrow of « Précédent » / « Suivant » (the Agenda's periods, the picker's months). */
export function Chevron({ direction }: { direction: 'left' | 'right' }) {
  return (
    <svg className="agenda-chevron" viewBox="0 0 24 24" width="18" height="18" aria-hidden="true" focusable="false">
      <path
        d={direction === 'left' ? 'M15 5l-7 7 7 7' : 'M9 5l7 7-7 7'}
        fill="none"
        stroke="currentColor"
        strokeWidth="2"
        strokeLinecap="round"
        strokeLinejoin="round"
      />
    </svg>
  );
}
