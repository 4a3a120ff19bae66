/**
 * Opening the composer from anywhere in Courrier: `useCompose().openCompose({...})`.
 *   - New message: `openCompose()` or `openCompose({ accountId })`.
 *   - Répondre / Répondre à tous / Transférer: `openCompose({ mode: 'reply' | 'replyAll' | 'forward' | 'forwardAsAttachment', accountId, folder, uid })`:
 *     the fields come from `mail.compose.prepare`.
 * Ctrl+N opens a new message while the provider is mounted.
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import type { AccountSummary } from '../../../../src/shared/contract';
import type { ComposeRequest } from './compose-request';
import { ComposePanel } from './ComposePanel';

interface ComposeContextValue {
  openCompose(request?: ComposeRequest): void;
  closeCompose(): void;
  isOpen: boolean;
}

const ComposeContext = createContext<ComposeContextValue | null>(null);

export function useCompose(): ComposeContextValue {
  const value = useContext(ComposeContext);
  if (!value) throw new Error('useCompose outside ComposeProvider');
  return value;
}

export function ComposeProvider({
  accounts,
  children,
  initial = null,
  onInitialOpened,
}: {
  accounts: AccountSummary[];
  children: ReactNode;
  /** A message asked from outside Courrier (another program: mailto, --compose), opened once. */
  initial?: ComposeRequest | null;
  onInitialOpened?(): void;
}) {
  const [request, setRequest] = useState<(ComposeRequest & { key: number }) | null>(null);
  const openCompose = useCallback((r: ComposeRequest = {}) => setRequest({ ...r, key: Date.now() }), []);
  useEffect(() => {
    if (!initial) return;
    openCompose(initial);
    onInitialOpened?.();
  }, [initial, openCompose, onInitialOpened]);
  const closeCompose = useCallback(() => setRequest(null), []);

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if ((event.ctrlKey || event.metaKey) && !event.shiftKey && !event.altKey && event.key.toLowerCase() === 'n') {
        event.preventDefault();
        setRequest((current) => current ?? { mode: 'new', key: Date.now() });
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  const value = useMemo(() => ({ openCompose, closeCompose, isOpen: request !== null }), [openCompose, closeCompose, request]);
  return (
    <ComposeContext.Provider value={value}>
      {children}
      {request && accounts.length > 0 ? (
        <ComposePanel key={request.key} accounts={accounts} request={request} onClose={closeCompose} />
      ) : null}
    </ComposeContext.Provider>
  );
}
