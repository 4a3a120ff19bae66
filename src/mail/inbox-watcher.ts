import type { ImapFlow } from 'imapflow';
import type { Logger } from '../log.js';
import { connectImap, type MailAccount } from './imap-client.js';

/**
 * Keeps one IMAP connection in IDLE on the Boîte de réception of an account and calls
 * `onChange` (debounced) when the server announces new, changed or expunged messages, so the
 * sync runs within a second of delivery instead of at the next periodic sync.
 */
export class InboxWatcher {
  private client: ImapFlow | null = null;
  private stopped = false;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly account: MailAccount,
    private readonly onChange: () => void,
    private readonly onEnd: () => void,
    private readonly log: Logger,
    private readonly debounceMs = 200,
  ) {}

  /** Connect and start IDLE; resolves once watching. Throws OstalError if the server cannot be reached. */
  async start(): Promise<void> {
    const client = await connectImap(this.account, { log: this.log, idle: true });
    this.client = client;
    const changed = () => {
      if (this.timer || this.stopped) return;
      this.timer = setTimeout(() => {
        this.timer = null;
        if (!this.stopped) this.onChange();
      }, this.debounceMs);
    };
    client.on('exists', changed);
    client.on('expunge', changed);
    client.on('flags', changed);
    client.on('close', () => {
      this.client = null;
      if (!this.stopped) this.onEnd();
    });
    await client.mailboxOpen('INBOX', { readOnly: true });
    // A message delivered between the last sync and this SELECT is announced by no EXISTS: one (incremental) sync
    // now covers that gap, as after every reconnection of the watcher.
    changed();
    void this.idleLoop(client);
  }

  private async idleLoop(client: ImapFlow): Promise<void> {
    while (!this.stopped && this.client === client && client.usable) {
      try {
        await client.idle();
      } catch (err) {
        if (!this.stopped) this.log.warn('mail: IDLE ended', { account: this.account.id, err: err as Error });
        break;
      }
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    const client = this.client;
    this.client = null;
    if (client) {
      await Promise.race([client.logout().catch(() => undefined), new Promise((r) => setTimeout(r, 1000))]);
      client.close();
    }
  }
}
