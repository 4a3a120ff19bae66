/**
 * The error boundary around the current view: an exception while a view draws (a bug, or data the view did not
 * expect) no longer blanks the whole window. The view's place shows a French message with « Réessayer », the rest
 * of the application (navigation, status, a meeting in progress) goes on, and the technical details go to the
 * core's log (`app.reportError`). Going to another view, or « Réessayer », draws the view again from scratch.
 */
import { Component, Fragment, type ErrorInfo, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useClient } from '../api/react';
import { Icon } from './icons';

interface BoundaryProps {
  /** The view shown: when it changes, a failed view is forgotten and the new one drawn. */
  resetKey: string;
  onError: (error: Error, componentStack: string) => void;
  fallback: (retry: () => void) => ReactNode;
  children: ReactNode;
}

interface BoundaryState {
  failed: boolean;
  /** Bumped by « Réessayer »: the view is mounted anew (its state and queries start over). */
  attempt: number;
}

export class ErrorBoundary extends Component<BoundaryProps, BoundaryState> {
  override state: BoundaryState = { failed: false, attempt: 0 };

  static getDerivedStateFromError(): Partial<BoundaryState> {
    return { failed: true };
  }

  override componentDidCatch(error: Error, info: ErrorInfo): void {
    this.props.onError(error, info.componentStack ?? '');
  }

  override componentDidUpdate(previous: BoundaryProps): void {
    if (previous.resetKey !== this.props.resetKey && this.state.failed) this.setState({ failed: false });
  }

  private readonly retry = () => this.setState((s) => ({ failed: false, attempt: s.attempt + 1 }));

  override render(): ReactNode {
    if (this.state.failed) return this.props.fallback(this.retry);
    return <Fragment key={this.state.attempt}>{this.props.children}</Fragment>;
  }
}

/** What a failed view shows in its place. */
function ViewFailed({ retry }: { retry: () => void }) {
  const { t } = useTranslation();
  return (
    <div className="card view-failed" role="alert" data-testid="view-failed">
      <h1>
        <Icon name="warning" />
        <span>{t('viewFailed.title')}</span>
      </h1>
      <p>{t('viewFailed.text')}</p>
      <button type="button" className="button button-primary" data-testid="view-failed-retry" onClick={retry}>
        {t('viewFailed.retry')}
      </button>
    </div>
  );
}

/** The boundary as App uses it: the view's name in the log line, and the French fallback. */
export function ViewErrorBoundary({ view, children }: { view: string; children: ReactNode }) {
  const client = useClient();
  return (
    <ErrorBoundary
      resetKey={view}
      onError={(error, componentStack) => {
        void client
          .call('app.reportError', {
            view,
            message: String(error?.message ?? error).slice(0, 2000),
            stack: error?.stack?.slice(0, 20_000),
            componentStack: componentStack.slice(0, 20_000),
          })
          .catch(() => undefined);
      }}
      fallback={(retry) => <ViewFailed retry={retry} />}
    >
      {children}
    </ErrorBoundary>
  );
}
