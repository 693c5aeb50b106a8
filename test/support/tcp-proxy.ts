import net from 'node:net';

/**
 * A loopback TCP proxy a test controls, to make network faults on purpose:
 * - blackhole(): connections already open stop carrying bytes in both directions but stay
 *   open (a silent drop: a NAT forgetting the flow, a cable pulled on the far side); new
 *   connections work as normal, as they would after the route recovers.
 * - refuse(): new connections are closed at once (the service is down); restore() undoes it.
 */
export class TcpProxy {
  private server: net.Server | null = null;
  private readonly pairs = new Set<{ client: net.Socket; upstream: net.Socket; dead: boolean }>();
  private refusing = false;
  port = 0;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(port = 0): Promise<void> {
    this.server = net.createServer((client) => {
      if (this.refusing) {
        client.destroy();
        return;
      }
      const upstream = net.connect(this.targetPort, this.targetHost);
      const pair = { client, upstream, dead: false };
      this.pairs.add(pair);
      client.on('data', (d) => pair.dead || upstream.write(d));
      upstream.on('data', (d) => pair.dead || client.write(d));
      const close = () => {
        this.pairs.delete(pair);
        client.destroy();
        upstream.destroy();
      };
      client.on('close', () => pair.dead || close());
      upstream.on('close', () => pair.dead || close());
      client.on('error', () => {});
      upstream.on('error', () => {});
    });
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
    this.port = (this.server.address() as net.AddressInfo).port;
  }

  /** Open connections go silent without closing. */
  blackhole(): void {
    for (const p of this.pairs) p.dead = true;
  }

  refuse(): void {
    this.refusing = true;
    for (const p of this.pairs) {
      p.client.destroy();
      p.upstream.destroy();
    }
    this.pairs.clear();
  }

  restore(): void {
    this.refusing = false;
  }

  get openConnections(): number {
    return [...this.pairs].filter((p) => !p.dead).length;
  }

  async stop(): Promise<void> {
    for (const p of this.pairs) {
      p.client.destroy();
      p.upstream.destroy();
    }
    this.pairs.clear();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
