/**
 * « Envoyer plus tard » next to « Envoyer »: « Demain matin », « Lundi matin » (unless tomorrow is Monday) or
 * « Choisir la date et l’heure » (typed as in the Agenda: « 9/12 », « 8h30 »), then « Programmer l’envoi ». Échap
 * closes the choices only (not the composer), and the focus goes back to the button.
 */
import { useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { chosenSendAt, defaultTyped, scheduledParts, sendLaterChoices } from './send-later';

export function SendLaterButton({ disabled, onSchedule }: { disabled: boolean; onSchedule(at: string): void }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const button = useRef<HTMLButtonElement>(null);
  const close = () => {
    setOpen(false);
    button.current?.focus();
  };
  return (
    <>
      <button
        ref={button}
        type="button"
        className="button"
        disabled={disabled}
        aria-expanded={open}
        aria-haspopup="dialog"
        title={t('compose.sendLater.openHint')}
        onClick={() => setOpen((v) => !v)}
        data-testid="compose-send-later"
      >
        {t('compose.sendLater.open')}
      </button>
      {open ? (
        <SendLaterDialog
          onCancel={close}
          onSchedule={(at) => {
            setOpen(false);
            onSchedule(at);
          }}
        />
      ) : null}
    </>
  );
}

function SendLaterDialog({ onCancel, onSchedule }: { onCancel(): void; onSchedule(at: string): void }) {
  const { t } = useTranslation();
  const id = useId();
  const [now] = useState(() => new Date());
  const choices = sendLaterChoices(now);
  const [choosing, setChoosing] = useState(false);
  const [date, setDate] = useState(() => defaultTyped(now).date);
  const [time, setTime] = useState(() => defaultTyped(now).time);
  const [problem, setProblem] = useState<string | null>(null);
  const first = useRef<HTMLButtonElement>(null);
  const dateField = useRef<HTMLInputElement>(null);
  useEffect(() => first.current?.focus(), []);
  useEffect(() => {
    if (choosing) dateField.current?.focus();
  }, [choosing]);

  const when = (at: string) => {
    const parts = scheduledParts(at, now);
    return t('compose.sendLater.when', { day: parts.day, time: parts.time });
  };

  function schedule() {
    const chosen = chosenSendAt(date, time, new Date());
    if (chosen.ok) {
      onSchedule(chosen.at);
      return;
    }
    setProblem(
      chosen.problem === 'date'
        ? t('compose.sendLater.badDate')
        : chosen.problem === 'time'
          ? t('compose.sendLater.badTime')
          : chosen.problem === 'past'
            ? t('compose.sendLater.past')
            : t('compose.sendLater.tooFar'),
    );
  }

  function onKeyDown(event: KeyboardEvent) {
    if (event.key === 'Escape') {
      event.preventDefault();
      event.stopPropagation();
      onCancel();
    } else if (event.key === 'Enter' && choosing && event.target instanceof HTMLInputElement) {
      event.preventDefault();
      event.stopPropagation();
      schedule();
    }
  }

  return (
    <div
      className="compose-confirm send-later"
      role="dialog"
      aria-labelledby={`${id}-title`}
      aria-describedby={`${id}-text`}
      data-testid="send-later"
      onKeyDown={onKeyDown}
    >
      <h3 id={`${id}-title`}>{t('compose.sendLater.title')}</h3>
      <div className="send-later-choices">
        <button
          ref={first}
          type="button"
          className="button send-later-choice"
          onClick={() => onSchedule(choices.tomorrow)}
          data-testid="send-later-tomorrow"
        >
          <span>{t('compose.sendLater.tomorrow')}</span>
          <span className="muted">{when(choices.tomorrow)}</span>
        </button>
        {choices.monday ? (
          <button
            type="button"
            className="button send-later-choice"
            onClick={() => onSchedule(choices.monday!)}
            data-testid="send-later-monday"
          >
            <span>{t('compose.sendLater.monday')}</span>
            <span className="muted">{when(choices.monday)}</span>
          </button>
        ) : null}
        <button
          type="button"
          className="button send-later-choice"
          aria-expanded={choosing}
          onClick={() => setChoosing(true)}
          data-testid="send-later-choose"
        >
          <span>{t('compose.sendLater.choose')}</span>
        </button>
      </div>
      {choosing ? (
        <div className="send-later-fields">
          <div className="field">
            <label htmlFor={`${id}-date`}>{t('compose.sendLater.date')}</label>
            <input
              ref={dateField}
              id={`${id}-date`}
              type="text"
              inputMode="numeric"
              value={date}
              aria-describedby={`${id}-date-hint`}
              aria-invalid={problem !== null && chosenSendAt(date, time, new Date()).ok === false}
              onChange={(e) => {
                setDate(e.target.value);
                setProblem(null);
              }}
              data-testid="send-later-date"
            />
            <span className="hint" id={`${id}-date-hint`}>
              {t('compose.sendLater.dateHint')}
            </span>
          </div>
          <div className="field">
            <label htmlFor={`${id}-time`}>{t('compose.sendLater.time')}</label>
            <input
              id={`${id}-time`}
              type="text"
              value={time}
              aria-describedby={`${id}-time-hint`}
              onChange={(e) => {
                setTime(e.target.value);
                setProblem(null);
              }}
              data-testid="send-later-time"
            />
            <span className="hint" id={`${id}-time-hint`}>
              {t('compose.sendLater.timeHint')}
            </span>
          </div>
        </div>
      ) : null}
      {problem ? (
        <p className="field-error" role="alert" data-testid="send-later-problem">
          {problem}
        </p>
      ) : null}
      <p id={`${id}-text`} className="muted">
        {t('compose.sendLater.mustBeOpen')}
      </p>
      <div className="form-actions">
        {choosing ? (
          <button type="button" className="button button-primary" onClick={schedule} data-testid="send-later-schedule">
            {t('compose.sendLater.schedule')}
          </button>
        ) : null}
        <button type="button" className="button" onClick={onCancel} data-testid="send-later-cancel">
          {t('compose.sendLater.cancel')}
        </button>
      </div>
    </div>
  );
}
