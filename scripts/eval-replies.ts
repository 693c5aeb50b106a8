/**
 * Measures reply extraction on the labelled corpus in test/fixtures/replies/corpus: each .eml
 * is a reply as a client sent it (its X-Fixture-Source header cites where it comes from), and
 * the .expected.txt next to it is the text that must reach the chat. A case passes when the
 * extracted text equals the label exactly: all the new text, nothing of the quote.
 *
 *   npm run eval:replies            score per client and language, and every failing case
 *   npm run eval:replies -- --library   the same for email-reply-parser alone (the baseline)
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import EmailReplyParser from 'email-reply-parser';
import { simpleParser } from 'mailparser';
import { readReply } from '../backend/src/smtp/read-reply.ts';

const DIR = path.resolve(import.meta.dirname, '../test/fixtures/replies/corpus');

export interface CorpusCase {
  name: string;
  client: string;
  language: string;
  source: string;
  raw: Buffer;
  expected: string;
}

export function loadCorpus(dir = DIR): CorpusCase[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.eml'))
    .sort()
    .map((f) => {
      const raw = readFileSync(path.join(dir, f));
      const head = raw.subarray(0, 2000).toString('utf8');
      const field = (name: string) => new RegExp(`^${name}: (.*)$`, 'm').exec(head)?.[1]?.trim() ?? '?';
      return {
        name: f.replace(/\.eml$/, ''),
        client: field('X-Fixture-Client'),
        language: field('X-Fixture-Language'),
        source: field('X-Fixture-Source'),
        raw,
        expected: readFileSync(path.join(dir, f.replace(/\.eml$/, '.expected.txt')), 'utf8').replace(/\n$/, ''),
      };
    });
}

/** Both sides compared without trailing spaces and runs of blank lines, which a chat shows the same. */
export function comparable(text: string): string {
  return text
    .split('\n')
    .map((l) => l.trimEnd())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

async function libraryAlone(raw: Buffer): Promise<string> {
  const parsed = await simpleParser(raw);
  return new EmailReplyParser().parseReply((parsed.text ?? '').replace(/\r\n?/g, '\n'));
}

function table(title: string, rows: Map<string, { pass: number; total: number }>): string {
  const lines = [`${title.padEnd(18)} pass/total  score`];
  for (const [key, { pass, total }] of [...rows].sort((a, b) => b[1].total - a[1].total || a[0].localeCompare(b[0]))) {
    lines.push(`${key.padEnd(18)} ${`${pass}/${total}`.padStart(10)}  ${((100 * pass) / total).toFixed(0).padStart(4)} %`);
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const library = process.argv.includes('--library');
  const corpus = loadCorpus();
  const byClient = new Map<string, { pass: number; total: number }>();
  const byLanguage = new Map<string, { pass: number; total: number }>();
  const failures: string[] = [];
  let pass = 0;
  let heldOut = 0;
  let heldOutPass = 0;
  let slowest = 0;
  for (const c of corpus) {
    const started = performance.now();
    const got = library ? await libraryAlone(c.raw) : (await readReply(c.raw)).text;
    slowest = Math.max(slowest, performance.now() - started);
    const ok = comparable(got) === comparable(c.expected);
    if (ok) pass++;
    // Labelled before the extractor ever ran on them, and never used to tune it.
    if (c.source.endsWith('(held out)')) {
      heldOut++;
      if (ok) heldOutPass++;
    }
    if (!ok) failures.push(`✗ ${c.name}\n  expected: ${JSON.stringify(c.expected)}\n  got:      ${JSON.stringify(got)}`);
    for (const [rows, key] of [
      [byClient, c.client],
      [byLanguage, c.language],
    ] as const) {
      const row = rows.get(key) ?? { pass: 0, total: 0 };
      row.total++;
      if (ok) row.pass++;
      rows.set(key, row);
    }
  }
  if (process.argv.includes('--failures')) console.log(failures.join('\n') + '\n');
  console.log(table('client', byClient) + '\n');
  console.log(table('language', byLanguage) + '\n');
  console.log(
    `${library ? 'email-reply-parser alone' : 'Inbox Chat'}: ${pass}/${corpus.length} = ${((100 * pass) / corpus.length).toFixed(1)} % ` +
      `(slowest case ${slowest.toFixed(0)} ms; --failures lists the misses)`,
  );
  console.log(`held out (Discourse fixtures, never tuned on): ${heldOutPass}/${heldOut}`);
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
