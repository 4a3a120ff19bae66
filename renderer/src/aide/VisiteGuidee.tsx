/**
 * One module's visite guidée: a bubble beside the real control of each step, with a frame around that control. It is
 * a non-modal dialog: focus goes into it at each step (screen readers read its title and text), Tab leaves it freely,
 * Échap or « Passer la visite » closes it, and nothing behind it is covered but the bubble itself.
 */
import { useEffect, useId, useLayoutEffect, useRef, useState, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useTourModuleName } from './AideView';
import { tourSteps, type TourModule, type TourStep } from './tours';

interface Place {
  frame: { top: number; left: number; width: number; height: number };
  bubble: { top: number; left: number };
}

const BUBBLE_WIDTH = 340;
const GAP = 10;

function placeFor(target: Element, bubbleHeight: number): Place {
  const r = target.getBoundingClientRect();
  const width = Math.min(BUBBLE_WIDTH, window.innerWidth - 16);
  const left = Math.max(8, Math.min(r.left, window.innerWidth - width - 8));
  const below = r.bottom + GAP;
  const top = below + bubbleHeight <= window.innerHeight - 8 ? below : Math.max(8, r.top - GAP - bubbleHeight);
  // A tall target (a list, a pane): the bubble sits beside it when neither above nor below has room.
  const beside = top + bubbleHeight > r.top && top < r.bottom && r.right + GAP + width <= window.innerWidth - 8;
  return {
    frame: { top: r.top - 4, left: r.left - 4, width: r.width + 8, height: r.height + 8 },
    bubble: beside ? { top: Math.max(8, Math.min(r.top, window.innerHeight - bubbleHeight - 8)), left: r.right + GAP } : { top, left },
  };
}

export function VisiteGuidee({ module, onClose }: { module: TourModule; onClose(): void }) {
  const { t } = useTranslation();
  const moduleName = useTourModuleName();
  const [steps, setSteps] = useState<TourStep[] | null>(null);
  const [index, setIndex] = useState(0);
  const [place, setPlace] = useState<Place | null>(null);
  const bubbleRef = useRef<HTMLDivElement>(null);
  const titleId = useId();
  const textId = useId();

  // The view may still be loading: wait (up to 3 s) for its controls, then keep the steps whose control is there.
  useEffect(() => {
    const all = tourSteps(module, t);
    const started = Date.now();
    const timer = window.setInterval(() => {
      const present = all.filter((step) => document.querySelector(step.target));
      if (present.length === all.length || Date.now() - started > 3000) {
        window.clearInterval(timer);
        setSteps(present);
      }
    }, 100);
    return () => window.clearInterval(timer);
  }, [module, t]);

  const step = steps?.[index];

  // Follow the control while the view moves (data arriving, window resized).
  useLayoutEffect(() => {
    if (!step) return;
    const target = document.querySelector(step.target);
    target?.scrollIntoView({ block: 'nearest' });
    const update = () => {
      const current = document.querySelector(step.target);
      if (current) setPlace(placeFor(current, bubbleRef.current?.offsetHeight ?? 200));
    };
    update();
    const timer = window.setInterval(update, 400);
    window.addEventListener('resize', update);
    return () => {
      window.clearInterval(timer);
      window.removeEventListener('resize', update);
    };
  }, [step]);

  // Focus moves into the bubble at each step, once it is placed (a hidden element cannot take focus).
  const placed = place !== null;
  useEffect(() => {
    if (step && placed) bubbleRef.current?.focus();
  }, [step, placed]);

  if (!steps || !step) return null;
  const last = index === steps.length - 1;
  const close = () => {
    onClose();
    // Back to the page: the control the last step showed when it takes focus, else the view's title.
    const target = document.querySelector<HTMLElement>(step.target);
    const focusable = target?.matches('button, a[href], input, select, textarea')
      ? target
      : document.querySelector<HTMLElement>('#main h1');
    focusable?.focus();
  };
  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === 'Escape') {
      event.preventDefault();
      event.stopPropagation();
      close();
    }
  };

  return (
    <>
      {place ? (
        <div
          className="visite-cadre"
          aria-hidden="true"
          style={{ top: place.frame.top, left: place.frame.left, width: place.frame.width, height: place.frame.height }}
        />
      ) : null}
      <div
        ref={bubbleRef}
        className="visite-bulle"
        role="dialog"
        aria-modal="false"
        aria-labelledby={titleId}
        aria-describedby={textId}
        tabIndex={-1}
        data-testid="visite"
        data-module={module}
        data-step={index + 1}
        onKeyDown={onKeyDown}
        style={place ? { top: place.bubble.top, left: place.bubble.left } : { visibility: 'hidden' }}
      >
        <p className="visite-module">{t('visite.title', { module: moduleName(module) })}</p>
        <h2 id={titleId} className="visite-titre">
          {step.title}
        </h2>
        <p id={textId}>{step.text}</p>
        <p className="visite-etape" aria-live="polite">
          {t('visite.step', { n: index + 1, total: steps.length })}
        </p>
        <div className="visite-actions">
          <button
            type="button"
            className="button button-primary"
            data-testid="visite-suivant"
            onClick={() => (last ? close() : setIndex(index + 1))}
          >
            {last ? t('visite.finish') : t('visite.next')}
          </button>
          {index > 0 ? (
            <button type="button" className="button" data-testid="visite-precedent" onClick={() => setIndex(index - 1)}>
              {t('visite.previous')}
            </button>
          ) : null}
          {last ? null : (
            <button type="button" className="button" data-testid="visite-passer" onClick={close}>
              {t('visite.skip')}
            </button>
          )}
        </div>
      </div>
    </>
  );
}
