/** The signaling WebSocket of the meeting server: typed requests with answers, and notifications. */
import type {
  MeetErrorCode,
  MeetMethod,
  MeetNotificationName,
  MeetNotifications,
  MeetParams,
  MeetResult,
} from '../../../../src/shared/meet-protocol';

/** A request the server answered with an error, or that could not be answered (code 'connection_lost'). */
export class MeetRequestError extends Error {
  constructor(
    readonly code: MeetErrorCode | 'connection_lost' | 'timeout',
    detail?: string,
  ) {
    super(detail ? `${code}: ${detail}` : code);
  }
}

type NotificationHandler = <N extends MeetNotificationName>(name: N, data: MeetNotifications[N]) => void;

const REQUEST_TIMEOUT_MS = 15_000;
const OPEN_TIMEOUT_MS = 8_000;

export class SignalingSocket {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void; timer: ReturnType<typeof setTimeout> }>();
  private closedByUs = false;

  private constructor(
    private readonly ws: WebSocket,
    private readonly onNotification: NotificationHandler,
    onClose: (info: { code: number; byUs: boolean }) => void,
  ) {
    ws.addEventListener('message', (event) => this.receive(event.data));
    ws.addEventListener('close', (event) => {
      for (const [, p] of this.pending) {
        clearTimeout(p.timer);
        p.reject(new MeetRequestError('connection_lost'));
      }
      this.pending.clear();
      onClose({ code: event.code, byUs: this.closedByUs });
    });
  }

  /** Open the socket; rejects with MeetRequestError('connection_lost') when the server cannot be reached. */
  static open(
    url: string,
    onNotification: NotificationHandler,
    onClose: (info: { code: number; byUs: boolean }) => void,
  ): Promise<SignalingSocket> {
    return new Promise((resolve, reject) => {
      let ws: WebSocket;
      try {
        ws = new WebSocket(url);
      } catch (err) {
        reject(new MeetRequestError('connection_lost', String(err)));
        return;
      }
      const timer = setTimeout(() => {
        ws.close();
        reject(new MeetRequestError('connection_lost', 'open timeout'));
      }, OPEN_TIMEOUT_MS);
      const fail = () => {
        clearTimeout(timer);
        reject(new MeetRequestError('connection_lost', 'cannot open'));
      };
      ws.addEventListener('error', fail, { once: true });
      ws.addEventListener(
        'open',
        () => {
          clearTimeout(timer);
          ws.removeEventListener('error', fail);
          resolve(new SignalingSocket(ws, onNotification, onClose));
        },
        { once: true },
      );
    });
  }

  get open(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  request<M extends MeetMethod>(method: M, params: MeetParams<M>): Promise<MeetResult<M>> {
    if (!this.open) return Promise.reject(new MeetRequestError('connection_lost'));
    const id = this.nextId++;
    return new Promise<MeetResult<M>>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new MeetRequestError('timeout', method));
      }, REQUEST_TIMEOUT_MS);
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer });
      this.ws.send(JSON.stringify({ id, method, params }));
    });
  }

  close(): void {
    this.closedByUs = true;
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) this.ws.close(1000);
  }

  private receive(raw: unknown): void {
    if (typeof raw !== 'string') return;
    let message: {
      id?: unknown;
      result?: unknown;
      error?: { code?: MeetErrorCode; message?: string };
      notification?: unknown;
      data?: unknown;
    };
    try {
      message = JSON.parse(raw) as typeof message;
    } catch {
      return;
    }
    if (typeof message.notification === 'string') {
      this.onNotification(message.notification as MeetNotificationName, message.data as never);
      return;
    }
    if (typeof message.id !== 'number') return;
    const pending = this.pending.get(message.id);
    if (!pending) return;
    this.pending.delete(message.id);
    clearTimeout(pending.timer);
    if (message.error) pending.reject(new MeetRequestError(message.error.code ?? 'server_error', message.error.message));
    else pending.resolve(message.result ?? {});
  }
}
