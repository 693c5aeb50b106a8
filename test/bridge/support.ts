import { generateKeyPairSync } from 'node:crypto';
import net, { type AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import nodemailer from 'nodemailer';
import pg from 'pg';
import { SMTPServer } from 'smtp-server';
import type { SessionView } from '../../protocol/index.ts';
import { api, connectSocket, request, startTestServer, type ClientSocket, type TestDatabase, type TestServer } from '../support/server.ts';

/**
 * Fake DNS for mailauth. This machine has no internet, so SPF, DKIM and DMARC records are
 * served in-process through mailauth's `resolver` option (the one thing mocked here; the
 * SMTP exchanges in and out are real).
 */
export class FakeDns {
  private readonly txt = new Map<string, string[]>();

  addTxt(name: string, value: string): void {
    const list = this.txt.get(name.toLowerCase()) ?? [];
    list.push(value);
    this.txt.set(name.toLowerCase(), list);
  }

  readonly resolver = async (name: string, rrtype: string): Promise<string[][] | string[]> => {
    const key = name.toLowerCase();
    if (rrtype === 'TXT' && this.txt.has(key)) return this.txt.get(key)!.map((v) => chunk(v));
    throw Object.assign(new Error(`queryTxt ENOTFOUND ${name}`), { code: this.txt.has(key) ? 'ENODATA' : 'ENOTFOUND' });
  };
}

/** TXT strings are at most 255 bytes each; long DKIM keys come as several. */
function chunk(v: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < v.length; i += 255) out.push(v.slice(i, i + 255));
  return out;
}

/** A sending domain with SPF for loopback, a DKIM key and a DMARC reject policy. */
export function publishDomain(dns: FakeDns, domain: string, opts: { spfIp?: string; dmarc?: string } = {}) {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const selector = 'mail';
  dns.addTxt(domain, `v=spf1 ip4:${opts.spfIp ?? '127.0.0.1'} -all`);
  dns.addTxt(`_dmarc.${domain}`, opts.dmarc ?? 'v=DMARC1; p=reject');
  dns.addTxt(
    `${selector}._domainkey.${domain}`,
    `v=DKIM1; k=rsa; p=${publicKey.export({ type: 'spki', format: 'der' }).toString('base64')}`,
  );
  return { domainName: domain, keySelector: selector, privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
}

export type DkimKey = ReturnType<typeof publishDomain>;

/** A real server on its own fresh database with fake DNS for inbound mail authentication. */
export async function startBridgeServer(
  env: Record<string, string>,
  dns: FakeDns,
  database?: TestDatabase,
): Promise<TestServer> {
  return startTestServer(
    {
      INBOUND_DOMAIN: 'reply.inbox-chat.example',
      // Realistic, non-zero timings (production: 120 s, 60 s, 15 s), scaled down: a zero offline
      // delay once hid a heartbeat that kept everyone "online" forever.
      EMAIL_BATCH_WINDOW_MS: '300',
      EMAIL_OFFLINE_DELAY_MS: '1500',
      PRESENCE_HEARTBEAT_MS: '300',
      JOBS_POLL_MS: '50',
      JOBS_RETRY_BASE_MS: '100',
      JOBS_RETRY_MAX_MS: '400',
      ...env,
    },
    database,
    { dnsResolver: dns.resolver },
  );
}

export interface SunkMail {
  to: string[];
  subject: string;
  text: string;
  html: string;
  messageId: string;
  inReplyTo: string;
  references: string[];
  replyTo: string;
  headers: Map<string, unknown>;
}

/** A test-owned SMTP server standing in for the outside mail server: it can go down and come back on its port. */
export class MailSink {
  readonly mail: SunkMail[] = [];
  private server: SMTPServer | null = null;
  port = 0;
  /** Recipients this server refuses for good (550), like an unknown mailbox. */
  readonly refuse = new Set<string>();

  async start(port = 0): Promise<void> {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onRcptTo: (address, _session, cb) => {
        if (this.refuse.has(address.address.toLowerCase())) {
          cb(Object.assign(new Error('5.1.1 No such mailbox'), { responseCode: 550 }));
        } else cb();
      },
      onData: (stream, session, cb) => {
        simpleParser(stream)
          .then((p) => {
            this.mail.push({
              to: session.envelope.rcptTo.map((r) => r.address.toLowerCase()),
              subject: p.subject ?? '',
              text: p.text ?? '',
              html: typeof p.html === 'string' ? p.html : '',
              messageId: p.messageId ?? '',
              inReplyTo: p.inReplyTo ?? '',
              references: typeof p.references === 'string' ? [p.references] : (p.references ?? []),
              replyTo: p.replyTo?.value[0]?.address ?? '',
              headers: p.headers,
            });
            cb();
          })
          .catch((err: Error) => cb(err));
      },
    });
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
    this.port = (this.server.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    const s = this.server;
    this.server = null;
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }
}

/** Polls until check() returns a truthy value; fails with `what` after a generous wait (no timing claims). */
export async function waitUntil<T>(what: string, check: () => Promise<T> | T, timeoutMs = 20_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting: ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export async function sql<T extends pg.QueryResultRow = any>(server: { database: TestDatabase }, text: string, params: unknown[] = []): Promise<T[]> {
  const c = new pg.Client({ connectionString: server.database.url });
  await c.connect();
  try {
    return (await c.query<T>(text, params)).rows;
  } finally {
    await c.end();
  }
}

/** No job is waiting or running: every batch window closed and every email went out (or failed for good). */
export function jobsSettled(server: { database: TestDatabase }): Promise<boolean> {
  return sql(server, `SELECT count(*)::int AS n FROM job WHERE done_at IS NULL AND failed_at IS NULL`).then((r) => r[0].n === 0);
}

/** Signs in with the code from the given mailbox (for servers whose mail goes to a MailSink). */
export async function signInVia(server: { url: string }, sink: MailSink, address: string): Promise<SessionView> {
  const before = sink.mail.length;
  const start = await api(server, 'POST', '/api/auth/start', { address });
  if (start.status !== 202) throw new Error(`auth/start ${start.status}: ${JSON.stringify(start.body)}`);
  const mail = await waitUntil('code email', () => sink.mail.slice(before).find((m) => m.to.includes(address) && /Inbox Chat code/.test(m.subject)));
  const code = /\b(\d{6})\b/.exec(mail.subject)![1];
  const verify = await api<SessionView>(server, 'POST', '/api/auth/verify', { verificationId: start.body.verificationId, code });
  if (verify.status !== 200) throw new Error(`auth/verify ${verify.status}`);
  return verify.body;
}

export interface ReplyOptions {
  port: number;
  from: string;
  to: string;
  envelopeFrom?: string;
  subject?: string;
  text?: string;
  html?: string;
  inReplyTo?: string;
  dkim?: DkimKey;
  attachments?: { filename: string; content: string }[];
  headers?: Record<string, string>;
  /** A whole raw message (e.g. a fixture) instead of the fields above. */
  raw?: string;
}

/** Sends an email to the inbound listener over real SMTP, as a sending mail server would. */
export async function sendMail(o: ReplyOptions): Promise<{ response: string }> {
  const transport = nodemailer.createTransport({
    host: '127.0.0.1',
    port: o.port,
    secure: false,
    ignoreTLS: true,
    name: 'mx.sender.example',
    ...(o.dkim ? { dkim: o.dkim } : {}),
  });
  try {
    const info = await transport.sendMail(o.raw ? { envelope: { from: o.envelopeFrom ?? o.from, to: o.to }, raw: o.raw } : {
      from: o.from,
      to: o.to,
      envelope: { from: o.envelopeFrom ?? o.from, to: o.to },
      subject: o.subject ?? 'Re: chat',
      text: o.text,
      html: o.html,
      inReplyTo: o.inReplyTo,
      attachments: o.attachments,
      headers: o.headers,
    });
    return { response: info.response };
  } finally {
    transport.close();
  }
}

/** A socket of a client a person is looking at (a visible page), as the shared UI reports it. */
export async function visibleSocket(server: { url: string }, token: string): Promise<ClientSocket> {
  const socket = await connectSocket(server.url, token);
  const r = await request(socket, 'presence:visibility', { visible: true });
  if (!r.ok) throw new Error(`visibility refused: ${JSON.stringify(r)}`);
  return socket;
}

/**
 * A TCP proxy on loopback in front of PostgreSQL that a test can cut, as a network failure or
 * a database restart would: every connection through it is dropped and new ones are refused
 * until it is restored. The database itself and every other client are untouched.
 */
export class DatabaseProxy {
  private server: net.Server | null = null;
  private readonly open = new Set<net.Socket>();
  private cutOff = false;
  port = 0;

  constructor(private readonly target: { host: string; port: number }) {}

  async start(): Promise<void> {
    this.server = net.createServer((client) => {
      if (this.cutOff) return void client.destroy();
      const upstream = net.connect(this.target.port, this.target.host);
      for (const s of [client, upstream]) {
        this.open.add(s);
        s.on('close', () => this.open.delete(s));
        s.on('error', () => {});
      }
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  /** The database through this proxy: same database, name and drop(); only the URL differs. */
  via(database: TestDatabase): TestDatabase {
    const url = new URL(database.url);
    url.hostname = '127.0.0.1';
    url.port = String(this.port);
    return { ...database, url: url.toString() };
  }

  cut(): void {
    this.cutOff = true;
    for (const s of this.open) s.destroy();
  }

  restore(): void {
    this.cutOff = false;
  }

  async stop(): Promise<void> {
    this.cut();
    const s = this.server;
    this.server = null;
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
  }
}
