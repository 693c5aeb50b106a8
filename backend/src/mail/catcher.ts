import { SMTPServer } from 'smtp-server';
import { simpleParser } from 'mailparser';
import { appendFile, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { z } from 'zod';
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
  /** Where an answer goes (Reply-To, else From): the dev mailbox's reply form sends there. */
  replyTo: string | null;
  headers: Record<string, string>;
}

/** One line of the dev mailbox file; lines that do not match (a torn last write) are skipped. */
const storedMail = z.object({
  id: z.number().int().positive(),
  receivedAt: z.string(),
  from: z.string(),
  to: z.array(z.string()),
  subject: z.string(),
  text: z.string(),
  html: z.string().nullable(),
  messageId: z.string().nullable(),
  replyTo: z.string().nullable().default(null),
  headers: z.record(z.string(), z.string()),
});

/**
 * The embedded SMTP catcher: with no SMTP_URL, outbound mail is delivered over real SMTP
 * to this loopback server, which keeps the last messages for the dev mailbox page. With a
 * file (DEV_MAILBOX_FILE, by default DATA_DIR/dev-mailbox.jsonl outside tests) the mailbox
 * survives a restart: each caught mail is appended as one JSON line, and the file is
 * rewritten with the newest `keep` mails when it holds twice as many.
 */
export class MailCatcher {
  private readonly server: SMTPServer;
  private readonly mail: CaughtMail[] = [];
  private nextId = 1;
  private readonly waiters = new Set<() => void>();
  /** Lines in the file (kept and dropped mails), to know when to rewrite it. */
  private fileLines = 0;
  /** File writes in order: an append never overtakes a rewrite. */
  private writes: Promise<void> = Promise.resolve();
  port = 0;

  constructor(
    private readonly log: Logger,
    private readonly keep = 500,
    private readonly file: string | null = null,
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
            const mail: CaughtMail = {
              id: this.nextId++,
              receivedAt: new Date().toISOString(),
              from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
              to: session.envelope.rcptTo.map((r) => r.address.toLowerCase()),
              subject: parsed.subject ?? '',
              text: parsed.text ?? '',
              html: typeof parsed.html === 'string' ? parsed.html : null,
              messageId: parsed.messageId ?? null,
              replyTo: parsed.replyTo?.value[0]?.address ?? parsed.from?.value[0]?.address ?? null,
              headers,
            };
            this.mail.push(mail);
            if (this.mail.length > this.keep) this.mail.shift();
            // Acknowledged once stored, so a mail the sender saw accepted is there after a restart.
            return this.store(mail).then(() => {
              for (const w of this.waiters) w();
              callback();
            });
          })
          .catch((err: Error) => callback(err));
      },
    });
    this.server.on('error', (err) => this.log.warn({ err }, 'mail catcher error'));
  }

  /** Reads the mailbox file, if any (a missing file is an empty mailbox). */
  private async load(): Promise<void> {
    if (!this.file) return;
    const text = await readFile(this.file, 'utf8').catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return '';
      throw err;
    });
    const lines = text.split('\n').filter((l) => l.trim());
    this.fileLines = lines.length;
    for (const line of lines.slice(-this.keep)) {
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        continue;
      }
      const mail = storedMail.safeParse(value);
      if (mail.success) this.mail.push(mail.data);
    }
    this.nextId = Math.max(0, ...this.mail.map((m) => m.id)) + 1;
    if (this.fileLines > this.keep) await this.rewrite();
    this.log.info({ file: this.file, mails: this.mail.length }, 'dev mailbox loaded');
  }

  private store(mail: CaughtMail): Promise<void> {
    const file = this.file;
    if (!file) return Promise.resolve();
    this.writes = this.writes.then(async () => {
      await mkdir(path.dirname(file), { recursive: true });
      // Caught mail holds sign-in codes: readable by this user only.
      await appendFile(file, `${JSON.stringify(mail)}\n`, { mode: 0o600 });
      if (++this.fileLines >= 2 * this.keep) await this.rewrite();
    });
    return this.writes.catch((err: Error) => this.log.warn({ err }, 'dev mailbox could not be saved'));
  }

  private async rewrite(): Promise<void> {
    const file = this.file!;
    const next = `${file}.${process.pid}.tmp`;
    await writeFile(next, this.mail.map((m) => `${JSON.stringify(m)}\n`).join(''), { mode: 0o600 });
    await rename(next, file);
    this.fileLines = this.mail.length;
  }

  async listen(port = 0, host = '127.0.0.1'): Promise<string> {
    await this.load();
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

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    await this.writes.catch(() => {});
  }
}
