/**
 * A TCP proxy in front of PostgreSQL that a test can freeze: while paused, bytes stop flowing both
 * ways and new connections wait, as with a database host that stopped answering (without
 * SIGSTOP-ing a PostgreSQL that other test runs share).
 */
import { createConnection, createServer, type Server, type Socket } from "node:net";
import type { AddressInfo } from "node:net";

export class FreezableProxy {
  private server: Server | undefined;
  private readonly pairs = new Set<[Socket, Socket]>();
  private paused = false;
  private waiting: Array<() => void> = [];

  constructor(private readonly targetHost: string, private readonly targetPort: number) {}

  async start(): Promise<number> {
    this.server = createServer((client) => {
      const connect = () => {
        const upstream = createConnection(this.targetPort, this.targetHost);
        const pair: [Socket, Socket] = [client, upstream];
        this.pairs.add(pair);
        this.relay(client, upstream);
        this.relay(upstream, client);
        const end = () => { client.destroy(); upstream.destroy(); this.pairs.delete(pair); };
        client.on("error", end).on("close", end);
        upstream.on("error", end).on("close", end);
      };
      if (this.paused) this.waiting.push(connect);
      else connect();
    });
    await new Promise<void>((ok) => this.server!.listen(0, "127.0.0.1", ok));
    return (this.server.address() as AddressInfo).port;
  }

  private held: Array<() => void> = [];

  /** Forwards `from` to `to`, holding every chunk that arrives while paused. */
  private relay(from: Socket, to: Socket): void {
    from.on("data", (chunk) => {
      if (this.paused) this.held.push(() => to.write(chunk));
      else to.write(chunk);
    });
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    this.held.splice(0).forEach((send) => send());
    this.waiting.splice(0).forEach((go) => go());
  }

  async stop(): Promise<void> {
    for (const [a, b] of this.pairs) { a.destroy(); b.destroy(); }
    await new Promise<void>((ok) => this.server?.close(() => ok()) ?? ok());
  }
}
