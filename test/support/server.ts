import { io as connect, type Socket } from 'socket.io-client';
import { loadConfig } from '../../backend/src/config/index.ts';
import { createLogger } from '../../backend/src/log.ts';
import { startServer, type RunningServer } from '../../backend/src/server.ts';
import type { ClientToServerEvents, ServerToClientEvents, SessionView } from '../../protocol/index.ts';

export { ADMIN_URL, createTestDatabase, type TestDatabase } from './database.ts';
import { createTestDatabase, type TestDatabase } from './database.ts';

export interface TestServer extends RunningServer {
  database: TestDatabase;
  close(): Promise<void>;
}

/**
 * A real server on a random port, its own fresh database, and the embedded SMTP catcher
 * (real SMTP over loopback). Pass env overrides to tune limits.
 */
export async function startTestServer(
  env: Record<string, string> = {},
  database?: TestDatabase,
  hooks?: Parameters<typeof startServer>[2],
): Promise<TestServer> {
  const db = database ?? (await createTestDatabase());
  const config = loadConfig({
    NODE_ENV: 'test',
    PORT: '0',
    DATABASE_URL: db.url,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    CODES_PER_ADDRESS_PER_HOUR: '50',
    CODES_PER_ADDRESS_CEILING: '200',
    CODES_PER_CLIENT_PER_HOUR: '1000',
    HTTP_REQUESTS_PER_MINUTE: '100000',
    SOCKET_EVENTS_PER_10S: '5000',
    DEV_MAILBOX: 'true',
    // Suites that share one Redis must not share rooms or rate-limit counters.
    REDIS_KEY_PREFIX: `test-${db.name}`,
    ...env,
  });
  const server = await startServer(config, createLogger(config.logLevel), hooks);
  return {
    ...server,
    database: db,
    async close() {
      await server.stop();
      if (!database) await db.drop();
    },
  };
}

/** Two nodes, as in production: one fresh database, rooms shared through Redis (on 127.0.0.1:6379 here). */
export interface TwoNodes {
  one: TestServer;
  two: TestServer;
  database: TestDatabase;
  /** Stops both nodes, then drops the database. */
  close(): Promise<void>;
}

export async function startTwoNodes(env: Record<string, string> = {}): Promise<TwoNodes> {
  const database = await createTestDatabase();
  const shared = { REDIS_URL: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379', ...env };
  const one = await startTestServer(shared, database);
  const two = await startTestServer(shared, database);
  return {
    one,
    two,
    database,
    async close() {
      await two.close();
      await one.close();
      await database.drop();
    },
  };
}

/* eslint-disable @typescript-eslint/no-explicit-any -- test helpers read response bodies and socket
   payloads loosely on purpose: each test asserts the fields it cares about, and the protocol's zod
   schemas (not these helpers) are what types the real clients. */
export interface ApiResult<T = any> {
  status: number;
  body: T;
}

/** A tiny REST client for tests: JSON in, JSON out, bearer token when given. */
export async function api<T = any>(
  server: { url: string },
  method: string,
  path: string,
  body?: unknown,
  token?: string,
): Promise<ApiResult<T>> {
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: {
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    // not JSON: leave as text
  }
  return { status: res.status, body: parsed as T };
}

/**
 * Whether a subject is a sign-in code's ("123456 is your Inbox Chat code"), in whatever language
 * the email was written for its recipient: every language's names the code and the product.
 */
export function isSignInCodeSubject(subject: string): boolean {
  return /\b\d{6}\b/.test(subject) && subject.includes('Inbox Chat') && !subject.includes(':');
}

/** Reads the 6-digit code out of the verification email the catcher received. */
export async function codeFromMail(server: TestServer, address: string, after = 0): Promise<string> {
  const mail = await server.catcher!.waitFor((m) => m.id > after && m.to.includes(address) && isSignInCodeSubject(m.subject));
  const match = /\b(\d{6})\b/.exec(mail.subject);
  if (!match) throw new Error(`no code in mail: ${mail.subject}`);
  return match[1]!;
}

export function lastMailId(server: TestServer): number {
  return server.catcher!.list()[0]?.id ?? 0;
}

/** Signs an address in the way a person does: ask for a code, read the email, enter it. */
export async function signIn(server: TestServer, address: string): Promise<SessionView> {
  const before = lastMailId(server);
  const start = await api(server, 'POST', '/api/auth/start', { address });
  if (start.status !== 202) throw new Error(`auth/start ${start.status}: ${JSON.stringify(start.body)}`);
  const code = await codeFromMail(server, address.toLowerCase(), before);
  const verify = await api<SessionView>(server, 'POST', '/api/auth/verify', {
    verificationId: start.body.verificationId,
    code,
  });
  if (verify.status !== 200) throw new Error(`auth/verify ${verify.status}: ${JSON.stringify(verify.body)}`);
  return verify.body;
}

/** Signs several people in at once; the result is typed as a tuple so destructuring is safe. */
export async function signInAll<const A extends readonly string[]>(
  server: TestServer,
  addresses: A,
): Promise<{ [K in keyof A]: SessionView }> {
  return (await Promise.all(addresses.map((a) => signIn(server, a)))) as { [K in keyof A]: SessionView };
}

export type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** A real Socket.IO client over websocket; resolves once connected (or rejects with the server's reason). */
export function connectSocket(url: string, token: string | undefined, opts: { origin?: string } = {}): Promise<ClientSocket> {
  const socket: ClientSocket = connect(url, {
    transports: ['websocket'],
    auth: token ? { token } : {},
    reconnection: false,
    forceNew: true,
    extraHeaders: opts.origin ? { origin: opts.origin } : undefined,
  });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (err) => {
      socket.close();
      reject(err);
    });
  });
}

/**
 * The same socket as a hostile or careless client holds it: any event name, any payload, any
 * listener. Socket.IO's untyped Socket is what the typed one widens to, so no cast is needed.
 */
/** The sockets one suite opens, closed together in its `after` hook. */
export function suiteSockets(url: () => string): { open(token: string): Promise<ClientSocket>; closeAll(): void } {
  const sockets: ClientSocket[] = [];
  return {
    async open(token) {
      const s = await connectSocket(url(), token);
      sockets.push(s);
      return s;
    },
    closeAll() {
      for (const s of sockets) s.close();
    },
  };
}

export function untyped(socket: ClientSocket): Socket {
  return socket;
}

/** emitWithAck with a timeout, typed loosely for tests. */
export async function request(socket: ClientSocket, event: string, payload: unknown): Promise<any> {
  return untyped(socket).timeout(10_000).emitWithAck(event, payload);
}

export function nextEvent<T = any>(
  socket: ClientSocket,
  event: string,
  match: (p: T) => boolean = () => true,
  timeoutMs = 10_000,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      untyped(socket).off(event, handler);
      reject(new Error(`no ${event} event in time`));
    }, timeoutMs);
    const handler = (p: T) => {
      if (!match(p)) return;
      clearTimeout(timer);
      untyped(socket).off(event, handler);
      resolve(p);
    };
    untyped(socket).on(event, handler);
  });
}
/* eslint-enable @typescript-eslint/no-explicit-any */
