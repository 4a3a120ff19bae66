/** React access to the API client: a context, and a query hook that refreshes on events and after reconnection. */
import { createContext, useCallback, useContext, useEffect, useRef, useState, type ReactNode } from 'react';
import type { EventData, EventName, MethodName, Params, Result } from '../../../src/shared/contract';
import { ApiCallError, type ConnectionStatus, type OstalClient } from './client';

const ClientContext = createContext<OstalClient | null>(null);

export function ApiProvider({ client, children }: { client: OstalClient; children: ReactNode }) {
  return <ClientContext.Provider value={client}>{children}</ClientContext.Provider>;
}

export function useClient(): OstalClient {
  const client = useContext(ClientContext);
  if (!client) throw new Error('useClient outside ApiProvider');
  return client;
}

export function useConnectionStatus(): ConnectionStatus {
  const client = useClient();
  const [status, setStatus] = useState<ConnectionStatus>(client.connectionStatus);
  useEffect(() => client.onConnection(setStatus), [client]);
  return status;
}

/** Subscribe to an event of the core for the lifetime of the component. */
export function useApiEvent<E extends EventName>(event: E, callback: (data: EventData<E>) => void): void {
  const client = useClient();
  const ref = useRef(callback);
  ref.current = callback;
  useEffect(() => client.on(event, (data) => ref.current(data)), [client, event]);
}

export interface QueryState<T> {
  data: T | undefined;
  error: ApiCallError | null;
  loading: boolean;
  reload(): void;
}

/**
 * Call `method` with `params` (skipped while params is null), again whenever params change,
 * when one of `refreshOn` events arrives (optionally filtered), and after a reconnection.
 */
export function useApiQuery<M extends MethodName>(
  method: M,
  params: Params<M> | null,
  options: {
    refreshOn?: EventName[];
    shouldRefresh?: (event: EventName, data: unknown) => boolean;
    /** Reload when a synchronisation ends (status goes from syncing to another state). */
    refreshAfterSync?: boolean;
  } = {},
): QueryState<Result<M>> {
  const client = useClient();
  const [data, setData] = useState<Result<M> | undefined>(undefined);
  const [error, setError] = useState<ApiCallError | null>(null);
  const [loading, setLoading] = useState(params !== null);
  const [generation, setGeneration] = useState(0);
  const key = params === null ? null : JSON.stringify(params);
  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  const shouldRefresh = useRef(options.shouldRefresh);
  shouldRefresh.current = options.shouldRefresh;
  const refreshOn = (options.refreshOn ?? []).join(',');
  const refreshAfterSync = options.refreshAfterSync ?? false;

  useEffect(() => {
    if (key === null) {
      setLoading(false);
      return;
    }
    let current = true;
    setLoading(true);
    client.call(method, JSON.parse(key) as Params<M>).then(
      (result) => {
        if (!current) return;
        setData(result);
        setError(null);
        setLoading(false);
      },
      (err: unknown) => {
        if (!current) return;
        setError(err instanceof ApiCallError ? err : new ApiCallError({ code: 'internal', message: String(err) }));
        setLoading(false);
      },
    );
    return () => {
      current = false;
    };
  }, [client, method, key, generation]);

  useEffect(() => {
    const offs = refreshOn
      .split(',')
      .filter(Boolean)
      .map((event) =>
        client.on(event as EventName, (payload) => {
          if (!shouldRefresh.current || shouldRefresh.current(event as EventName, payload)) reload();
        }),
      );
    if (refreshAfterSync) {
      let previous: string | null = null;
      offs.push(
        client.on('status.changed', (status) => {
          if (previous === 'syncing' && status.state !== 'syncing') reload();
          previous = status.state;
        }),
      );
    }
    let first = true;
    offs.push(
      client.onConnection((status) => {
        if (status === 'open' && !first) reload();
        first = false;
      }),
    );
    return () => offs.forEach((off) => off());
  }, [client, refreshOn, refreshAfterSync, reload]);

  return { data, error, loading, reload };
}
