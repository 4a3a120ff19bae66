/** Small shared pieces of the UI: alerts, empty states, the « locked by IT » note, busy indicator, modal dialogs. */
import { useCallback, useEffect, useRef, useState, type ReactNode, type RefObject } from 'react';
import { useTranslation } from 'react-i18next';
import { Icon } from './icons';

/** A button in a NoticeToast: « Annuler » after a delete. Keep the same object while the toast is the same. */
export interface ToastAction {
  label: string;
  run(): void;
  /** Give it the focus when it comes (the delete was made with the keyboard: its button is gone). */
  focus?: boolean;
  testId?: string;
}

/**
 * A short confirmation over the page, at the bottom (as Courrier's « Annuler » toast): nothing moves under the pointer
 * when it comes and goes. The live region is there before its text, so that screen readers announce it. With an
 * action, the toast stays while the focus is in it, Échap closes it, and the focus goes to `returnFocus` when it
 * leaves with the focus (instead of being lost).
 */
export function NoticeToast({
  message,
  onDone,
  action,
  returnFocus,
}: {
  message: string | null;
  /** Called once the message had time to be read (6 s or more, 8 s with an action), or on Échap. */ onDone?(): void;
  action?: ToastAction;
  returnFocus?(): void;
}) {
  const done = useRef(onDone);
  done.current = onDone;
  const region = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  const [held, setHeld] = useState(false);
  const close = useCallback(() => {
    if (region.current?.contains(document.activeElement)) returnFocus?.();
    done.current?.();
  }, [returnFocus]);
  const closeRef = useRef(close);
  closeRef.current = close;
  useEffect(() => {
    // A new toast: its button was never focused (a removed element does not always report its blur).
    setHeld(false);
    if (message && action?.focus) button.current?.focus();
  }, [message, action]);
  useEffect(() => {
    if (!message || held) return;
    // Long enough to read: 6 s, more for a long summary (an import's refused cards), 8 s to reach « Annuler ».
    const timer = setTimeout(() => closeRef.current(), Math.max(action ? 8000 : 6000, message.length * 80));
    return () => clearTimeout(timer);
  }, [message, action, held]);
  return (
    <div className="notice-toast-region" role="status" ref={region}>
      {message && action ? (
        <div
          className="notice notice-toast notice-toast-action"
          onFocus={() => setHeld(true)}
          onBlur={(e) => {
            if (!e.currentTarget.contains(e.relatedTarget as Node | null)) setHeld(false);
          }}
          onKeyDown={(e) => {
            if (e.key === 'Escape') close();
          }}
        >
          <span>{message}</span>
          <button
            type="button"
            className="button"
            ref={button}
            data-testid={action.testId}
            onClick={() => {
              if (region.current?.contains(document.activeElement)) returnFocus?.();
              setHeld(false);
              action.run();
            }}
          >
            {action.label}
          </button>
        </div>
      ) : message ? (
        <p className="notice notice-toast">{message}</p>
      ) : null}
    </div>
  );
}

/** An error the user must see at once (role="alert"). */
export function ErrorAlert({ message, children, testId }: { message: string; children?: ReactNode; testId?: string }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    // Bring a new error into view (it is also announced, being an alert).
    ref.current?.scrollIntoView?.({ block: 'nearest', behavior: 'smooth' });
  }, [message]);
  return (
    <div className="alert alert-error" role="alert" data-testid={testId ?? 'error-alert'} ref={ref}>
      <Icon name="warning" />
      <div>
        <p>{message}</p>
        {children}
      </div>
    </div>
  );
}

/** What to do when there is nothing to show. */
export function EmptyState({ title, text, children }: { title: string; text: string; children?: ReactNode }) {
  return (
    <div className="empty-state" data-testid="empty-state">
      <p className="empty-title">{title}</p>
      <p>{text}</p>
      {children}
    </div>
  );
}

/** « Réglé par votre service informatique », with a lock. */
export function LockedNote({ id }: { id?: string }) {
  const { t } = useTranslation();
  return (
    <span className="locked-note" id={id}>
      <Icon name="lock" />
      {t('policy.lockedByIt')}
    </span>
  );
}

/** A polite busy message (spinner + text). */
export function Busy({ text }: { text: string }) {
  return (
    <p className="busy" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      {text}
    </p>
  );
}

/** A page heading row: the h1 and optional actions on the right. */
export function PageHeader({ title, children, id }: { title: string; children?: ReactNode; id?: string }) {
  return (
    <div className="page-header">
      <h1 id={id} tabIndex={-1}>
        {title}
      </h1>
      {children ? <div className="page-actions">{children}</div> : null}
    </div>
  );
}

/**
 * A <dialog> shown as a modal while the component is mounted (Échap, the focus kept inside, the page behind inert),
 * closed when it goes: give the returned ref to the dialog.
 */
export function useModalDialog() {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
    return () => dialog?.close();
  }, []);
  return ref;
}

/**
 * Closes a menu or a popup when the pointer goes down outside `ref` (the box holding both the popup and the button
 * that opens it, so that the button can still toggle it). Listens only while `open`, in the capture phase, so that a
 * click handled below (a list row, a tile) cannot keep the popup open by stopping the event.
 */
export function useDismissOnOutside(ref: RefObject<HTMLElement | null>, open: boolean, close: () => void): void {
  const latest = useRef(close);
  latest.current = close;
  useEffect(() => {
    if (!open) return;
    const outside = (event: Event) => {
      if (!ref.current?.contains(event.target as Node)) latest.current();
    };
    document.addEventListener('pointerdown', outside, true);
    return () => document.removeEventListener('pointerdown', outside, true);
  }, [open, ref]);
}
