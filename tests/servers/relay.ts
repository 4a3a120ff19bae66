/**
 * A TCP relay before a test server that can be cut and restored: one agent's network goes away, not the server that
 * the other test files use at the same time.
 */
import net from 'node:net';

/** A loopback TCP relay to `targetPort`: `cut()` drops every connection and refuses new ones until `restore()`. */
export class Relay {
  private readonly sockets = new Set<net.Socket>();
  private up = true;
  private constructor(
    private readonly server: net.Server,
    readonly port: number,
  ) {}

  static async start(targetPort: number): Promise<Relay> {
    let relay: Relay | null = null;
    const server = net.createServer((client) => {
      if (!relay?.up) {
        client.destroy();
        return;
      }
      const upstream = net.connect(targetPort, '127.0.0.1');
      const pair = [client, upstream];
      for (const s of pair) {
        relay.sockets.add(s);
        s.on('error', () => undefined);
        s.on('close', () => {
          relay?.sockets.delete(s);
          for (const other of pair) other.destroy();
        });
      }
      client.pipe(upstream);
      upstream.pipe(client);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    relay = new Relay(server, (server.address() as net.AddressInfo).port);
    return relay;
  }

  cut(): void {
    this.up = false;
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
  }

  restore(): void {
    this.up = true;
  }

  async stop(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
