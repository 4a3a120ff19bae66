/**
 * The renderer's only way to talk to Ostal's core: a typed client over a small
 * {@link Transport} (WebSocket in browser mode, the preload bridge in Electron).
 *
 * Envelope (src/shared/contract.ts): request `{id, method, params}`, response
 * `{id, result}` or `{id, error: {code, message}}`, event `{event, data}`.
 * When the transport drops, pending calls fail with a French `offline` error and the
 * client reconnects with back-off; listeners of {@link OstalClient.onConnection} see it.
 */
import type { ApiError, ErrorCode, EventData, EventName, MethodName, Params, Result } from '../../../src/shared/contract';

/** One open connection to the core. */
export interface Transport {
  send(message: string): void;
  onMessage(callback: (message: string) => void): void;
  onClose(callback: () => void): void;
  /** Close on purpose (the client will not reconnect after {@link OstalClient.close}). */
  close?(): void;
}

/** Opens a new transport; rejects when the core cannot be reached. */
export type TransportFactory = () => Promise<Transport>;

/** An error returned by the core, or raised by the client when the core cannot be reached. `message` is French. */
export class ApiCallError extends Error implements ApiError {
  readonly code: ErrorCode;
  readonly details?: Record<string, unknown>;

  constructor(error: ApiError) {
    super(error.message);
    this.name = 'ApiCallError';
    this.code = error.code;
    this.details = error.details;
  }
}

export type ConnectionStatus = 'connecting' | 'open' | 'lost';

export interface ClientMessages {
  /** Shown when a call cannot reach the core (French). */
  connectionLost: string;
  /** Shown when the core answers something the client cannot read (French). */
  invalidResponse: string;
}

export interface ClientOptions {
  connect: TransportFactory;
  messages: ClientMessages;
  /** Back-off delays in ms before each reconnection attempt; the last one repeats. */
  reconnectDelays?: number[];
  /** Timers, replaceable in tests. */
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: ApiCallError): void;
}

type Listener = (data: unknown) => void;

export const DEFAULT_RECONNECT_DELAYS = [250, 500, 1000, 2000, 4000, 8000];

export class OstalClient {
  private transport: Transport | null = null;
  private status: ConnectionStatus = 'connecting';
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly listeners = new Map<string, Set<Listener>>();
  private readonly connectionListeners = new Set<(status: ConnectionStatus) => void>();
  private attempt = 0;
  private timer: unknown = null;
  private closed = false;
  private opening: Promise<void> | null = null;
  private readonly delays: number[];
  private readonly setTimer: (fn: () => void, ms: number) => unknown;
  private readonly clearTimer: (handle: unknown) => void;

  constructor(private readonly options: ClientOptions) {
    this.delays = options.reconnectDelays?.length ? options.reconnectDelays : DEFAULT_RECONNECT_DELAYS;
    this.setTimer = options.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
    this.clearTimer = options.clearTimer ?? ((handle) => clearTimeout(handle as ReturnType<typeof setTimeout>));
  }

  /** Open the first connection. Resolves once connected, or once the first attempt failed (reconnection continues). */
  start(): Promise<void> {
    if (!this.opening) this.opening = this.open();
    return this.opening;
  }

  get connectionStatus(): ConnectionStatus {
    return this.status;
  }

  /** Call a method of the core. Rejects with {@link ApiCallError} (French message). */
  call<M extends MethodName>(method: M, params: Params<M>): Promise<Result<M>> {
    const transport = this.transport;
    if (!transport || this.status !== 'open') {
      return Promise.reject(new ApiCallError({ code: 'offline', message: this.options.messages.connectionLost }));
    }
    const id = this.nextId++;
    return new Promise<Result<M>>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      try {
        transport.send(JSON.stringify({ id, method, params }));
      } catch {
        this.pending.delete(id);
        reject(new ApiCallError({ code: 'offline', message: this.options.messages.connectionLost }));
      }
    });
  }

  /** Listen to an event of the core. Returns the unsubscribe function. */
  on<E extends EventName>(event: E, callback: (data: EventData<E>) => void): () => void {
    let set = this.listeners.get(event);
    if (!set) {
      set = new Set();
      this.listeners.set(event, set);
    }
    const listener = callback as Listener;
    set.add(listener);
    return () => set.delete(listener);
  }

  /** Listen to the connection state (the callback is called at once with the current state). */
  onConnection(callback: (status: ConnectionStatus) => void): () => void {
    this.connectionListeners.add(callback);
    callback(this.status);
    return () => this.connectionListeners.delete(callback);
  }

  /** Close for good: no reconnection. */
  close(): void {
    this.closed = true;
    if (this.timer !== null) this.clearTimer(this.timer);
    this.timer = null;
    const transport = this.transport;
    this.transport = null;
    transport?.close?.();
    this.failPending();
  }

  private setStatus(status: ConnectionStatus): void {
    if (this.status === status) return;
    this.status = status;
    for (const listener of [...this.connectionListeners]) listener(status);
  }

  private async open(): Promise<void> {
    if (this.closed) return;
    let transport: Transport;
    try {
      transport = await this.options.connect();
    } catch {
      this.handleLoss();
      return;
    }
    if (this.closed) {
      transport.close?.();
      return;
    }
    let alive = true;
    transport.onMessage((raw) => {
      if (alive) this.receive(raw);
    });
    transport.onClose(() => {
      if (!alive) return;
      alive = false;
      if (this.transport === transport) this.transport = null;
      this.handleLoss();
    });
    this.transport = transport;
    this.attempt = 0;
    this.setStatus('open');
  }

  private handleLoss(): void {
    this.failPending();
    if (this.closed) return;
    this.setStatus('lost');
    const delay = this.delays[Math.min(this.attempt, this.delays.length - 1)];
    this.attempt += 1;
    if (this.timer !== null) this.clearTimer(this.timer);
    this.timer = this.setTimer(() => {
      this.timer = null;
      void this.open();
    }, delay);
  }

  private failPending(): void {
    const error = new ApiCallError({ code: 'offline', message: this.options.messages.connectionLost });
    const pending = [...this.pending.values()];
    this.pending.clear();
    for (const call of pending) call.reject(error);
  }

  private receive(raw: string): void {
    let message: unknown;
    try {
      message = JSON.parse(raw);
    } catch {
      return;
    }
    if (typeof message !== 'object' || message === null) return;
    const envelope = message as { id?: unknown; result?: unknown; error?: unknown; event?: unknown; data?: unknown };
    if (typeof envelope.event === 'string') {
      const set = this.listeners.get(envelope.event);
      if (set) for (const listener of [...set]) listener(envelope.data);
      return;
    }
    if (typeof envelope.id !== 'number') return;
    const call = this.pending.get(envelope.id);
    if (!call) return;
    this.pending.delete(envelope.id);
    if ('error' in envelope && envelope.error) {
      call.reject(new ApiCallError(toApiError(envelope.error, this.options.messages.invalidResponse)));
    } else {
      call.resolve(envelope.result);
    }
  }
}

function toApiError(value: unknown, fallback: string): ApiError {
  if (typeof value === 'object' && value !== null) {
    const { code, message, details } = value as { code?: unknown; message?: unknown; details?: unknown };
    if (typeof code === 'string' && typeof message === 'string') {
      const error: ApiError = { code: code as ErrorCode, message };
      if (typeof details === 'object' && details !== null) error.details = details as Record<string, unknown>;
      return error;
    }
  }
  return { code: 'internal', message: fallback };
}
