/** Small shared pieces of the UI: alerts, empty states, the « locked by IT » note, busy indicator. */
import { useEffect, useRef, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Icon } from './icons';

/**
 * A short confirmation over the page, at the bottom (as Courrier's « Annuler » toast): nothing moves under the pointer
 * when it comes and goes. The live region is there before its text, so that screen readers announce it.
 */
export function NoticeToast({
  message,
  onDone,
}: {
  message: string | null;
  /** Called once the message had time to be read (6 s or more). */ onDone?(): void;
}) {
  const done = useRef(onDone);
  done.current = onDone;
  useEffect(() => {
    if (!message) return;
    // Long enough to read: 6 s, more for a long summary (an import's refused cards).
    const timer = setTimeout(() => done.current?.(), Math.max(6000, message.length * 80));
    return () => clearTimeout(timer);
  }, [message]);
  return (
    <div className="notice-toast-region" role="status">
      {message ? <p className="notice notice-toast">{message}</p> : null}
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
