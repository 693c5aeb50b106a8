import { SMTPServer } from 'smtp-server';
import { simpleParser } from 'mailparser';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../log.ts';

export interface CaughtMail {
  id: number;
  receivedAt: string;
  from: string;
  to: string[];
  subject: string;
  text: string;
  html: string | null;
  messageId: string | null;
  headers: Record<string, string>;
}

/**
 * The embedded SMTP catcher: with no SMTP_URL, outbound mail is delivered over real SMTP
 * to this loopback server, which keeps the last messages for the dev mailbox page.
 */
export class MailCatcher {
  private readonly server: SMTPServer;
  private readonly mail: CaughtMail[] = [];
  private nextId = 1;
  private readonly waiters = new Set<() => void>();
  port = 0;

  constructor(
    private readonly log: Logger,
    private readonly keep = 500,
  ) {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      size: 10 * 1024 * 1024,
      logger: false,
      onData: (stream, session, callback) => {
        simpleParser(stream)
          .then((parsed) => {
            const headers: Record<string, string> = {};
            for (const [k, v] of parsed.headers) headers[k] = typeof v === 'string' ? v : JSON.stringify(v);
            this.mail.push({
              id: this.nextId++,
              receivedAt: new Date().toISOString(),
              from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
              to: session.envelope.rcptTo.map((r) => r.address.toLowerCase()),
              subject: parsed.subject ?? '',
              text: parsed.text ?? '',
              html: typeof parsed.html === 'string' ? parsed.html : null,
              messageId: parsed.messageId ?? null,
              headers,
            });
            if (this.mail.length > this.keep) this.mail.shift();
            for (const w of this.waiters) w();
            callback();
          })
          .catch((err: Error) => callback(err));
      },
    });
    this.server.on('error', (err) => this.log.warn({ err }, 'mail catcher error'));
  }

  async listen(port = 0, host = '127.0.0.1'): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(port, host, resolve));
    this.port = (this.server.server.address() as AddressInfo).port;
    return `smtp://${host}:${this.port}`;
  }

  list(): CaughtMail[] {
    return [...this.mail].reverse();
  }

  /** Resolves with the first caught mail (new or old) that matches, for tests and tools. */
  waitFor(match: (m: CaughtMail) => boolean, timeoutMs = 10_000): Promise<CaughtMail> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = this.mail.find(match);
        if (found) {
          this.waiters.delete(check);
          clearTimeout(timer);
          resolve(found);
        }
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error('no matching mail arrived in time'));
      }, timeoutMs);
      this.waiters.add(check);
      check();
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
