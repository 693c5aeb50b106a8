import { generateKeyPairSync } from 'node:crypto';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import net, {
  connect as tcpConnect,
  createServer as createTcpServer,
  type AddressInfo,
  type Server as TcpServer,
  type Socket as TcpSocket,
} from 'node:net';
import { simpleParser } from 'mailparser';
import nodemailer from 'nodemailer';
import pg from 'pg';
import { SMTPServer } from 'smtp-server';
import type { SessionView } from '../../protocol/index.ts';
import {
  api,
  connectSocket,
  isSignInCodeSubject,
  request,
  startTestServer,
  type ClientSocket,
  type TestDatabase,
  type TestServer,
} from '../support/server.ts';
import { waitUntil } from '../support/wait.ts';
import { MEDIA_SWEEP_QUEUE } from '../../backend/src/media/media-objects.ts';

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

/**
 * A real DNS server on loopback serving a FakeDns's TXT records over UDP (and TCP, for
 * answers too big for a plain UDP reply), so the server under test resolves SPF, DKIM and
 * DMARC through its own resolver (INBOUND_DNS_SERVERS) exactly as in production. Names
 * without records answer NXDOMAIN; other record types of a known name answer NODATA.
 */
export class LoopbackDns {
  private udp: UdpSocket | null = null;
  private tcp: TcpServer | null = null;
  /** Every query seen, as "TYPE name", to show the server really asked. */
  readonly queries: string[] = [];

  constructor(private readonly records: FakeDns) {}

  /** Starts on a free port (the same for UDP and TCP); returns "127.0.0.1:port" for INBOUND_DNS_SERVERS. */
  async start(): Promise<string> {
    for (let attempt = 0; ; attempt++) {
      const udp = createSocket('udp4');
      await new Promise<void>((resolve) => udp.bind(0, '127.0.0.1', resolve));
      const port = udp.address().port;
      const tcp = createTcpServer((conn) => this.serveTcp(conn));
      const listening = await new Promise<boolean>((resolve) => {
        tcp.once('error', () => resolve(false));
        tcp.listen(port, '127.0.0.1', () => resolve(true));
      });
      if (!listening) {
        udp.close();
        if (attempt > 10) throw new Error('no free port for the loopback DNS server');
        continue;
      }
      udp.on('message', (query, peer) => {
        void this.answer(query, 512).then((reply) => reply && udp.send(reply, peer.port, peer.address));
      });
      this.udp = udp;
      this.tcp = tcp;
      return `127.0.0.1:${port}`;
    }
  }

  async stop(): Promise<void> {
    const { udp, tcp } = this;
    this.udp = this.tcp = null;
    udp?.close();
    if (tcp) await new Promise<void>((resolve) => tcp.close(() => resolve()));
  }

  private serveTcp(conn: TcpSocket): void {
    let buf = Buffer.alloc(0);
    conn.on('error', () => conn.destroy());
    conn.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        const query = buf.subarray(2, 2 + buf.readUInt16BE(0));
        buf = buf.subarray(2 + query.length);
        void this.answer(query, 65535).then((reply) => {
          if (!reply) return;
          const len = Buffer.alloc(2);
          len.writeUInt16BE(reply.length);
          conn.write(Buffer.concat([len, reply]));
        });
      }
    });
  }

  /** One DNS answer for one query (RFC 1035 wire format), or null for a packet that is not a query. */
  private async answer(query: Buffer, maxBytes: number): Promise<Buffer | null> {
    if (query.length < 17 || query.readUInt16BE(4) !== 1) return null;
    const labels: string[] = [];
    let at = 12;
    while (at < query.length && query[at] !== 0) {
      const len = query[at]!;
      if (len > 63) return null;
      labels.push(query.subarray(at + 1, at + 1 + len).toString('latin1'));
      at += 1 + len;
    }
    const questionEnd = at + 5;
    if (questionEnd > query.length) return null;
    const name = labels.join('.');
    const type = query.readUInt16BE(at + 1);
    this.queries.push(`${type === 16 ? 'TXT' : type} ${name}`);
    let rcode = 0;
    let txt: string[][] = [];
    try {
      const found = await this.records.resolver(name, 'TXT');
      if (type === 16) txt = found.map((r) => (Array.isArray(r) ? r : [r]));
    } catch (err) {
      rcode = err instanceof Error && 'code' in err && err.code === 'ENODATA' ? 0 : 3; // NODATA or NXDOMAIN
    }
    const answers = txt.map((strings) => {
      const rdata = Buffer.concat(strings.map((s) => Buffer.concat([Buffer.from([Buffer.byteLength(s)]), Buffer.from(s)])));
      const rr = Buffer.alloc(12);
      rr.writeUInt16BE(0xc00c, 0); // the name: a pointer to the question's
      rr.writeUInt16BE(16, 2); // TXT
      rr.writeUInt16BE(1, 4); // IN
      rr.writeUInt32BE(60, 6); // TTL
      rr.writeUInt16BE(rdata.length, 10);
      return Buffer.concat([rr, rdata]);
    });
    const header = Buffer.alloc(12);
    header.writeUInt16BE(query.readUInt16BE(0), 0); // id
    // QR, the query's opcode and RD, RA, and the rcode.
    const flags = 0x8000 | (query.readUInt16BE(2) & 0x7900) | 0x0080 | rcode;
    header.writeUInt16BE(flags, 2);
    header.writeUInt16BE(1, 4);
    header.writeUInt16BE(answers.length, 6);
    const question = query.subarray(12, questionEnd);
    const full = Buffer.concat([header, question, ...answers]);
    if (full.length <= maxBytes) return full;
    header.writeUInt16BE(flags | 0x0200, 2); // TC: too big for UDP, ask again over TCP
    header.writeUInt16BE(0, 6);
    return Buffer.concat([header, question]);
  }
}

/** A real server whose inbound mail checks resolve through a real DNS server (see LoopbackDns). */
export async function startBridgeServerWithDns(
  env: Record<string, string>,
  dnsServer: string,
  database?: TestDatabase,
): Promise<TestServer> {
  return startTestServer(
    {
      INBOUND_DOMAIN: 'reply.inbox-chat.example',
      // Non-zero like production (scaled down), as in startBridgeServer below.
      EMAIL_BATCH_WINDOW_MS: '300',
      EMAIL_OFFLINE_DELAY_MS: '1000',
      PRESENCE_HEARTBEAT_MS: '300',
      JOBS_POLL_MS: '50',
      JOBS_RETRY_BASE_MS: '100',
      JOBS_RETRY_MAX_MS: '400',
      INBOUND_DNS_SERVERS: dnsServer,
      ...env,
    },
    database,
  );
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
export async function startBridgeServer(env: Record<string, string>, dns: FakeDns, database?: TestDatabase): Promise<TestServer> {
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
  /** Parts with a filename or a Content-ID (inline images included). */
  attachments: { contentId: string | undefined; contentType: string; content: Buffer }[];
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
              attachments: p.attachments.map((a) => ({ contentId: a.contentId, contentType: a.contentType, content: a.content })),
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

/** Shared with every suite (test/support/wait.ts); re-exported for the bridge tests' imports. */
export { waitUntil };

export async function sql<T extends pg.QueryResultRow = pg.QueryResultRow>(
  server: { database: TestDatabase },
  text: string,
  params: unknown[] = [],
): Promise<T[]> {
  const c = new pg.Client({ connectionString: server.database.url });
  await c.connect();
  try {
    return (await c.query<T>(text, params)).rows;
  } finally {
    await c.end();
  }
}

/**
 * No job is waiting or running: every batch window closed and every email went out (or failed for
 * good). The store sweep is always booked for its next period, so it never counts.
 */
export function jobsSettled(server: { database: TestDatabase }): Promise<boolean> {
  return sql(server, `SELECT count(*)::int AS n FROM job WHERE done_at IS NULL AND failed_at IS NULL AND queue <> $1`, [
    MEDIA_SWEEP_QUEUE,
  ]).then((r) => r[0]!.n === 0);
}

/** Signs in with the code from the given mailbox (for servers whose mail goes to a MailSink). */
export async function signInVia(server: { url: string }, sink: MailSink, address: string): Promise<SessionView> {
  const before = sink.mail.length;
  const start = await api(server, 'POST', '/api/auth/start', { address });
  if (start.status !== 202) throw new Error(`auth/start ${start.status}: ${JSON.stringify(start.body)}`);
  const mail = await waitUntil('code email', () =>
    sink.mail.slice(before).find((m) => m.to.includes(address) && isSignInCodeSubject(m.subject)),
  );
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
  attachments?: { filename: string; content: string; encoding?: string; contentType?: string }[];
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
    const info = await transport.sendMail(
      o.raw
        ? { envelope: { from: o.envelopeFrom ?? o.from, to: o.to }, raw: o.raw }
        : {
            from: o.from,
            to: o.to,
            envelope: { from: o.envelopeFrom ?? o.from, to: o.to },
            subject: o.subject ?? 'Re: chat',
            text: o.text,
            html: o.html,
            inReplyTo: o.inReplyTo,
            attachments: o.attachments,
            headers: o.headers,
          },
    );
    return { response: info.response };
  } finally {
    transport.close();
  }
}

/**
 * Sends one email over a plain SMTP conversation, byte for byte. nodemailer turns a bare CR
 * into CRLF; a hostile sending server does not, so tests of malformed mail use this.
 * Resolves with the server's answer to the message (code and text), whatever the code.
 */
export async function sendRawSmtp(o: { port: number; from: string; to: string; data: Buffer }): Promise<{ code: number; text: string }> {
  const socket = tcpConnect(o.port, '127.0.0.1');
  let buffered = '';
  const waiters: ((reply: { code: number; text: string }) => void)[] = [];
  const replies: { code: number; text: string }[] = [];
  socket.setEncoding('latin1');
  socket.on('data', (chunk: string) => {
    buffered += chunk;
    // A reply ends with a line "NNN text" (a space, not a dash, after the code).
    for (let m = /^(\d{3}) (.*)\r\n/m.exec(buffered); m; m = /^(\d{3}) (.*)\r\n/m.exec(buffered)) {
      const reply = { code: Number(m[1]), text: buffered.slice(0, m.index + m[0].length).trim() };
      buffered = buffered.slice(m.index + m[0].length);
      const waiter = waiters.shift();
      if (waiter) waiter(reply);
      else replies.push(reply);
    }
  });
  const next = () =>
    new Promise<{ code: number; text: string }>((resolve, reject) => {
      const queued = replies.shift();
      if (queued) return resolve(queued);
      waiters.push(resolve);
      socket.once('error', reject);
    });
  const command = async (line: string, expect: number) => {
    socket.write(`${line}\r\n`);
    const reply = await next();
    if (Math.floor(reply.code / 100) !== expect) throw new Error(`${line} -> ${reply.text}`);
  };
  try {
    const banner = await next();
    if (banner.code !== 220) throw new Error(`banner ${banner.text}`);
    await command('EHLO mx.sender.example', 2);
    await command(`MAIL FROM:<${o.from}>`, 2);
    await command(`RCPT TO:<${o.to}>`, 2);
    await command('DATA', 3);
    // Dot-stuffing (RFC 5321 4.5.2), and the terminating line.
    const body = Buffer.from(o.data.toString('latin1').replace(/(^|\r\n)\./g, '$1..'), 'latin1');
    socket.write(body);
    socket.write(body.subarray(-2).toString() === '\r\n' ? '.\r\n' : '\r\n.\r\n');
    const answer = await next();
    socket.write('QUIT\r\n');
    return answer;
  } finally {
    socket.end();
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
