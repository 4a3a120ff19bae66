/**
 * The French « Partager l’écran » picker of the desktop app. Electron has no picker of its own on Windows and
 * Linux: when the page asks to share, the main process offers the screens and windows (src/host/screen-share.ts)
 * through `window.ostalDesktop`, this dialog shows them, and the answer (one id, or null for « Annuler ») goes back.
 * In browser mode there is no `ostalDesktop`: the browser shows its own picker and this renders nothing.
 */
import { useEffect, useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ScreenSourceChoice } from '../../../../src/shared/contract';

/** What the Electron preload exposes on `window.ostalDesktop`. */
export interface OstalDesktop {
  onScreenSources(callback: (choices: unknown) => void): void;
  chooseScreenSource(id: string | null): void;
}

declare global {
  interface Window {
    ostalDesktop?: OstalDesktop;
  }
}

function isChoiceList(value: unknown): value is ScreenSourceChoice[] {
  return (
    Array.isArray(value) &&
    value.every(
      (c) =>
        c &&
        typeof c === 'object' &&
        typeof c.id === 'string' &&
        (c.kind === 'screen' || c.kind === 'window') &&
        typeof c.label === 'string' &&
        typeof c.thumbnail === 'string',
    )
  );
}

export function ScreenSourcePicker() {
  const { t } = useTranslation();
  const [choices, setChoices] = useState<ScreenSourceChoice[] | null>(null);
  const [selected, setSelected] = useState<string | null>(null);
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const answered = useRef(true);

  useEffect(() => {
    const desktop = window.ostalDesktop;
    if (!desktop) return;
    let active = true;
    desktop.onScreenSources((list) => {
      if (!active) return;
      const valid = isChoiceList(list) ? list : [];
      answered.current = false;
      setChoices(valid);
      setSelected(valid[0]?.id ?? null);
    });
    return () => {
      active = false;
    };
  }, []);

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (choices && !dialog.open) dialog.showModal?.();
    if (!choices && dialog.open) dialog.close();
  }, [choices]);

  const answer = (id: string | null) => {
    if (answered.current) return;
    answered.current = true;
    window.ostalDesktop?.chooseScreenSource(id);
    setChoices(null);
  };

  if (!window.ostalDesktop) return null;
  const group = (kind: ScreenSourceChoice['kind'], legend: string) => {
    const list = (choices ?? []).filter((c) => c.kind === kind);
    if (list.length === 0) return null;
    return (
      <fieldset className="visio-sources">
        <legend>{legend}</legend>
        <div className="visio-sources-grid">
          {list.map((c) => (
            <label key={c.id} className={`visio-source${selected === c.id ? ' selected' : ''}`} data-testid="visio-source">
              <input type="radio" name="visio-source" value={c.id} checked={selected === c.id} onChange={() => setSelected(c.id)} />
              {c.thumbnail ? <img src={c.thumbnail} alt="" /> : <span className="visio-source-blank" aria-hidden="true" />}
              <span className="visio-source-label">{c.label}</span>
            </label>
          ))}
        </div>
      </fieldset>
    );
  };
  return (
    <dialog
      ref={ref}
      className="dialog visio-source-picker"
      aria-labelledby={titleId}
      onClose={() => answer(null)}
      data-testid="visio-source-picker"
    >
      <h2 id={titleId}>{t('visio.picker.title')}</h2>
      <p className="hint">{t('visio.picker.hint')}</p>
      {choices && choices.length === 0 ? <p>{t('visio.picker.none')}</p> : null}
      {group('screen', t('visio.picker.screens'))}
      {group('window', t('visio.picker.windows'))}
      <div className="dialog-actions">
        <button type="button" className="button" onClick={() => answer(null)} data-testid="visio-source-cancel">
          {t('visio.picker.cancel')}
        </button>
        <button
          type="button"
          className="button button-primary"
          onClick={() => answer(selected)}
          disabled={!selected}
          data-testid="visio-source-share"
        >
          {t('visio.picker.share')}
        </button>
      </div>
    </dialog>
  );
}
