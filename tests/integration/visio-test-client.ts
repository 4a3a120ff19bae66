/**
 * A signalling client of the meeting server for the integration tests: JSON requests with their answers (a refusal
 * as ProtocolError), notifications waited for by name, the close code.
 */
import WebSocket from 'ws';
import type {
  MeetError,
  MeetMethod,
  MeetNotification,
  MeetNotificationName,
  MeetNotifications,
  MeetParams,
  MeetResult,
} from '../../src/shared/meet-protocol.js';

export class ProtocolError extends Error {
  constructor(readonly error: MeetError) {
    super(`${error.code}: ${error.message ?? ''}`);
  }
}

/** A minimal signaling client: requests with ids, notifications kept in arrival order. */
export class Client {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  readonly notifications: MeetNotification[] = [];
  private readonly waiters: (() => void)[] = [];
  closeCode: number | null = null;
  readonly closed: Promise<number>;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const message = JSON.parse(String(data)) as { id?: number; result?: unknown; error?: MeetError } & Partial<MeetNotification>;
      if (typeof message.id === 'number' && this.pending.has(message.id)) {
        const p = this.pending.get(message.id)!;
        this.pending.delete(message.id);
        if (message.error) p.reject(new ProtocolError(message.error));
        else p.resolve(message.result);
        return;
      }
      if (message.notification) {
        this.notifications.push(message as MeetNotification);
        for (const w of this.waiters.splice(0)) w();
      }
    });
    this.closed = new Promise((resolve) =>
      ws.on('close', (code) => {
        this.closeCode = code;
        for (const [, p] of this.pending) p.reject(new Error(`socket closed (${code})`));
        this.pending.clear();
        for (const w of this.waiters.splice(0)) w();
        resolve(code);
      }),
    );
  }

  static async open(url: string): Promise<Client> {
    const ws = new WebSocket(url);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return new Client(ws);
  }

  request<M extends MeetMethod>(method: M, params: MeetParams<M>): Promise<MeetResult<M>> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.ws.send(JSON.stringify({ id, method, params }));
    });
  }

  /** The error code a request fails with (fails the test if it succeeds). */
  async errorOf<M extends MeetMethod>(method: M, params: MeetParams<M>): Promise<string> {
    try {
      await this.request(method, params);
    } catch (error) {
      if (error instanceof ProtocolError) return error.error.code;
      throw error;
    }
    throw new Error(`${method} unexpectedly succeeded`);
  }

  /** Wait for the next notification `name` matching `test` (already received ones count, each only once). */
  async next<N extends MeetNotificationName>(
    name: N,
    test: (data: MeetNotifications[N]) => boolean = () => true,
    timeoutMs = 10_000,
  ): Promise<MeetNotifications[N]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const at = this.notifications.findIndex((n) => n.notification === name && test(n.data as MeetNotifications[N]));
      if (at >= 0) return this.notifications.splice(at, 1)[0].data as MeetNotifications[N];
      if (this.closeCode !== null) throw new Error(`socket closed (${this.closeCode}) while waiting for ${name}`);
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(`no ${name} notification within ${timeoutMs} ms; got ${this.notifications.map((n) => n.notification).join(', ')}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Notifications `name` received so far (kept). */
  seen<N extends MeetNotificationName>(name: N): MeetNotifications[N][] {
    return this.notifications.filter((n) => n.notification === name).map((n) => n.data as MeetNotifications[N]);
  }

  close(): void {
    this.ws.close();
  }
}
