import { createHash, randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type pg from 'pg';
import { SMTPServer, type SMTPServerSession } from 'smtp-server';
import { AppError } from '../errors.ts';
import { normaliseAddress } from '../identity/addresses.ts';
import type { Caller } from '../identity/sessions.ts';
import type { Logger } from '../log.ts';
import type { MessageService } from '../chats/messages.ts';
import type { MediaService } from '../media/media.ts';
import { lookupReplyToken } from '../email-bridge/links.ts';
import { checkSender, loopbackVerdict, type AuthVerdict, type DNSResolver } from './authenticate.ts';
import { DEFAULT_READER, ReplyReader, type ReaderOptions } from './reader.ts';
import { refusals, SmtpReply } from './refusals.ts';
import { screenRawMessage } from './screen.ts';

export interface InboundOptions {
  port: number;
  host: string;
  /** Reply addresses are reply+<token>@domain. */
  domain: string;
  maxBytes: number;
  maxMessageChars: number;
  /** What happens to a reply that fails DKIM/SPF/DMARC: refused at SMTP, or kept in held_mail unposted. */
  authFailure: 'reject' | 'hold';
  resolver: DNSResolver;
  /** How untrusted mail is parsed off the main thread (deadline, concurrency). */
  reader?: ReaderOptions;
  /** Development only: mail from loopback is authenticated by the local rule (authenticate.ts). */
  loopbackAuth?: boolean;
}

interface Target {
  chatId: string;
  identityId: string;
}

const MAX_RECIPIENTS = 5;

/**
 * The inbound SMTP listener: accepts replies to per-member reply addresses, proves the
 * sender (the token's member, vouched for by DKIM/SPF/DMARC), keeps only the new text and
 * posts it into the chat as that member. Everything refused is refused during the SMTP
 * exchange with a sentence saying why, so the sender's own mail server bounces it to them.
 */
export class InboundMail {
  private server: SMTPServer;
  private readonly targets = new Map<string, Target[]>();
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly reader: ReplyReader;
  port = 0;

  constructor(
    private readonly pool: pg.Pool,
    private readonly messages: Pick<MessageService, 'send'> & Pick<MediaService, 'checkEmailedFiles' | 'postEmailedFile'>,
    private readonly log: Logger,
    private readonly opts: InboundOptions,
  ) {
    this.reader = new ReplyReader(log, opts.reader ?? DEFAULT_READER);
    this.server = new SMTPServer({
      name: opts.domain,
      banner: 'Inbox Chat reply-by-email',
      size: opts.maxBytes,
      authOptional: true,
      disabledCommands: ['AUTH', 'STARTTLS'],
      logger: false,
      closeTimeout: 30_000,
      onRcptTo: (address, session, cb) => {
        this.recipient(address.address, session).then(
          () => cb(),
          (err) => cb(toSmtpError(err)),
        );
      },
      onData: (stream, session, cb) => {
        const chunks: Buffer[] = [];
        let size = 0;
        stream.on('data', (c: Buffer) => {
          size += c.length;
          if (size <= opts.maxBytes) chunks.push(c);
        });
        stream.on('end', () => {
          const work = (async () => {
            if (stream.sizeExceeded || size > opts.maxBytes) {
              throw refusals.tooLarge(opts.maxBytes);
            }
            return this.receive(Buffer.concat(chunks), session);
          })();
          this.inFlight.add(work);
          work
            .then(
              (msg) => cb(null, msg),
              (err) => cb(toSmtpError(err)),
            )
            .finally(() => this.inFlight.delete(work));
        });
      },
      onClose: (session) => {
        this.targets.delete(session.id);
      },
    });
    this.server.on('error', (err) => this.log.warn({ err }, 'inbound SMTP error'));
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.server.once('error', reject);
      this.server.listen(this.opts.port, this.opts.host, () => resolve());
    });
    this.port = (this.server.server.address() as AddressInfo).port;
    this.reader.warmUp();
    this.log.info({ port: this.port, domain: this.opts.domain }, 'inbound SMTP listening');
    if (this.opts.loopbackAuth) {
      this.log.warn(
        { port: this.port },
        'development: replies from loopback (127.0.0.1, ::1) are authenticated by the local rule, without DKIM/SPF/DMARC (DEV_LOOPBACK_AUTH; never in production or with SMTP_URL)',
      );
    }
    return this.port;
  }

  /** Stops accepting connections; replies already being posted finish first. */
  async close(): Promise<void> {
    if (!this.server.server.listening) return;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    await Promise.allSettled([...this.inFlight]);
    await this.reader.close();
    await closed;
  }

  private async recipient(raw: string, session: SMTPServerSession): Promise<void> {
    const address = raw.toLowerCase();
    const at = address.lastIndexOf('@');
    const local = address.slice(0, at);
    const domain = address.slice(at + 1);
    if (at < 0 || domain !== this.opts.domain.toLowerCase()) {
      throw refusals.otherDomain(this.opts.domain);
    }
    const list = this.targets.get(session.id) ?? [];
    if (list.length >= MAX_RECIPIENTS) throw refusals.tooManyRecipients();
    const token = /^reply\+([0-9a-f]{40})$/.exec(local)?.[1];
    const found = token ? await lookupReplyToken(this.pool, token) : ({ status: 'unknown' } as const);
    if (found.status === 'unknown') throw refusals.unknownAddress();
    if (found.status === 'expired') throw refusals.expiredAddress();
    list.push({ chatId: found.chatId, identityId: found.identityId });
    this.targets.set(session.id, list);
  }

  private async receive(raw: Buffer, session: SMTPServerSession): Promise<string> {
    const targets = this.targets.get(session.id) ?? [];
    this.targets.delete(session.id);
    if (targets.length === 0) throw refusals.noRecipients();
    // Before any parser: mail both parsers would read differently, or slowly, goes no further.
    const malformed = screenRawMessage(raw);
    if (malformed) {
      this.log.warn({ reason: malformed.reason, bytes: raw.length }, 'inbound email refused before parsing');
      throw malformed;
    }
    const reply = await this.reader.read(raw);
    // Out-of-office replies, bounces (null sender) and other automatic mail must never become
    // chat messages, nor be bounced back (mail loops, backscatter).
    if (!session.envelope.mailFrom || !session.envelope.mailFrom.address || reply.automatic) {
      this.log.info({ from: reply.from }, 'automatic reply dropped');
      return 'Automatic reply ignored';
    }
    if (reply.from.length !== 1 || !reply.from[0]) throw refusals.fromCount();
    const headerFrom = normaliseAddress(reply.from[0]);

    const posted: number[] = [];
    let auth: AuthVerdict | undefined;
    for (const target of targets) {
      // The token names the member; the From must be one of that member's own addresses...
      const addresses = await this.addressesOf(target.identityId);
      if (!addresses.includes(headerFrom)) throw refusals.notTheMember();
      // ...and the From's domain must vouch for this very message.
      const verdict = (auth ??= await this.authenticate(raw, session, headerFrom));
      if (verdict.outcome === 'temporary') throw refusals.authTemporary(verdict.reason);
      if (verdict.outcome === 'fail') {
        this.log.warn({ from: headerFrom, chatId: target.chatId, reason: verdict.reason }, 'inbound reply failed authentication');
        if (this.opts.authFailure === 'hold') {
          await this.hold(raw, session, headerFrom, target, verdict.reason, verdict.results);
          return 'Held: not posted until an administrator releases it';
        }
        throw refusals.authFailed(verdict.reason);
      }
      const text = reply.text;
      if (!text && reply.files.length === 0) throw refusals.noNewText();
      if (text.length > this.opts.maxMessageChars) throw refusals.textTooLong(text.length, this.opts.maxMessageChars);
      const caller: Caller = { identityId: target.identityId, sessionId: 'email', addresses, chatScope: target.chatId };
      // All files within the limits, or none of the email is posted (the bounce says why).
      await this.messages.checkEmailedFiles(caller, target.chatId, reply.files).catch((err: unknown) => {
        throw err instanceof AppError && (err.code === 'TOO_LARGE' || err.code === 'QUOTA_EXCEEDED')
          ? refusals.attachments(err.message)
          : err;
      });
      // The same email delivered twice (an MTA retry) posts once: its Message-ID is the idempotency key.
      const key = createHash('sha256')
        .update(`${target.chatId}|${reply.messageId ?? raw.toString('base64')}`)
        .digest('hex')
        .slice(0, 40);
      if (text) posted.push((await this.messages.send(caller, target.chatId, `mail-${key}`, text)).seq);
      for (const [i, file] of reply.files.entries()) {
        posted.push((await this.messages.postEmailedFile(caller, target.chatId, `mail-${key}-${i}`, file)).seq);
      }
      this.log.info({ chatId: target.chatId, seqs: posted }, 'reply by email posted');
    }
    return `Posted to the chat (message ${posted.join(', ')})`;
  }

  private async authenticate(raw: Buffer, session: SMTPServerSession, authorFrom: string): Promise<AuthVerdict> {
    const ip = (session.remoteAddress ?? '').replace(/^::ffff:/, '');
    const local = this.opts.loopbackAuth ? loopbackVerdict(ip) : null;
    if (local) {
      this.log.info({ from: authorFrom, ip }, 'reply authenticated by the development loopback rule');
      return local;
    }
    return checkSender(raw, {
      ip,
      helo: session.hostNameAppearsAs || session.clientHostname || '',
      mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
      mta: this.opts.domain,
      resolver: this.opts.resolver,
      authorFrom,
    });
  }

  private async addressesOf(identityId: string): Promise<string[]> {
    const res = await this.pool.query<{ address: string }>(`SELECT address FROM email_address WHERE identity_id = $1`, [identityId]);
    return res.rows.map((r) => r.address);
  }

  private async hold(raw: Buffer, session: SMTPServerSession, headerFrom: string, t: Target, reason: string, results: string) {
    await this.pool.query(
      `INSERT INTO held_mail (id, chat_id, identity_id, mail_from, header_from, reason, auth_results, raw)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [
        randomUUID(),
        t.chatId,
        t.identityId,
        session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
        headerFrom,
        reason,
        results,
        raw,
      ],
    );
  }
}

function toSmtpError(err: unknown): Error & { responseCode: number } {
  if (err instanceof SmtpReply) return Object.assign(new Error(err.message), { responseCode: err.responseCode });
  if (err instanceof AppError) {
    const permanent = ['CHAT_ENDED', 'NOT_IN_AUDIENCE', 'FORBIDDEN', 'NOT_FOUND', 'BAD_INPUT', 'TOO_LARGE'].includes(err.code);
    return Object.assign(new Error(`${permanent ? '5.7.1' : '4.3.0'} Not posted: ${err.message}`), {
      responseCode: permanent ? 550 : 451,
    });
  }
  return Object.assign(new Error('4.3.0 Temporary problem on our side; please try again later'), { responseCode: 451 });
}
