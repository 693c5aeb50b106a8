/* eslint-disable @typescript-eslint/no-explicit-any -- test support for Thunderbird's untyped Marionette protocol and messenger API, whose JSON shapes the tests do not type */
/**
 * A minimal Marionette client (Gecko's remote protocol) over TCP, enough to drive Thunderbird's
 * chrome from a test. npm has no maintained Marionette client that works offline, and geckodriver
 * would have to be downloaded; the wire format is small: `<length>:<json>` frames carrying
 * `[0, id, command, params]` requests and `[1, id, error, result]` responses.
 */
import net from 'node:net';

export class MarionetteError extends Error {
  constructor(
    readonly error: string,
    message: string,
    readonly stacktrace?: string,
  ) {
    super(`${error}: ${message}`);
  }
}

type Pending = { resolve: (v: any) => void; reject: (e: Error) => void };

export class Marionette {
  private buffer = Buffer.alloc(0);
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private greeting?: (v: unknown) => void;

  private constructor(private readonly socket: net.Socket) {
    socket.on('data', (chunk) => this.onData(chunk));
    socket.on('close', () => {
      for (const p of this.pending.values()) p.reject(new Error('marionette connection closed'));
      this.pending.clear();
    });
  }

  /** Connects, reads the server's greeting and starts a session. */
  static async connect(port: number, host = '127.0.0.1'): Promise<Marionette> {
    const socket = net.connect({ port, host });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    const client = new Marionette(socket);
    await new Promise((resolve) => (client.greeting = resolve));
    await client.send('WebDriver:NewSession', { capabilities: { alwaysMatch: { acceptInsecureCerts: true } } });
    return client;
  }

  private onData(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      const colon = this.buffer.indexOf(0x3a);
      if (colon < 0) return;
      const length = Number(this.buffer.subarray(0, colon).toString('ascii'));
      if (this.buffer.length < colon + 1 + length) return;
      const packet = JSON.parse(this.buffer.subarray(colon + 1, colon + 1 + length).toString('utf8'));
      this.buffer = this.buffer.subarray(colon + 1 + length);
      if (!Array.isArray(packet)) {
        this.greeting?.(packet);
        this.greeting = undefined;
        continue;
      }
      const [, id, error, result] = packet as [number, number, any, any];
      const p = this.pending.get(id);
      if (!p) continue;
      this.pending.delete(id);
      if (error) p.reject(new MarionetteError(error.error, error.message, error.stacktrace));
      else p.resolve(result);
    }
  }

  send<T = any>(command: string, params: Record<string, unknown> = {}): Promise<T> {
    const id = this.nextId++;
    const body = Buffer.from(JSON.stringify([0, id, command, params]), 'utf8');
    this.socket.write(Buffer.concat([Buffer.from(`${body.length}:`, 'ascii'), body]));
    return new Promise((resolve, reject) => this.pending.set(id, { resolve, reject }));
  }

  setContext(context: 'chrome' | 'content'): Promise<void> {
    return this.send('Marionette:SetContext', { value: context });
  }

  /** Runs a function body in the current context; `arguments` holds args. Returns its value. */
  async execute<T = any>(script: string, args: unknown[] = []): Promise<T> {
    const r = await this.send('WebDriver:ExecuteScript', { script, args, sandbox: 'system' });
    return r.value as T;
  }

  /** Like execute, but the script resolves by calling `arguments[arguments.length - 1](value)`. */
  async executeAsync<T = any>(script: string, args: unknown[] = [], timeoutMs = 60_000): Promise<T> {
    await this.send('WebDriver:SetTimeouts', { script: timeoutMs });
    const r = await this.send('WebDriver:ExecuteAsyncScript', { script, args, sandbox: 'system' });
    return r.value as T;
  }

  /** PNG of the current chrome window, base64. */
  async screenshot(): Promise<Buffer> {
    const r = await this.send<{ value: string }>('WebDriver:TakeScreenshot', { full: false, hash: false });
    return Buffer.from(r.value, 'base64');
  }

  async close(): Promise<void> {
    await this.send('WebDriver:DeleteSession').catch(() => undefined);
    this.socket.destroy();
  }
}
