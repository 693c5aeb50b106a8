import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { extractReplyText } from '../../backend/src/mail/inbound/reply-text.ts';

/**
 * Replies as Gmail, Outlook (Windows, web, iOS), Apple Mail (iPhone, iPad/macOS) and
 * Thunderbird write them, plain and HTML, in several languages, each with the text that
 * must reach the chat. The raw messages live in test/fixtures/replies (see make-fixtures.py
 * there); this runs them through the same MIME parser and trimming the listener uses.
 */
const DIR = path.resolve(import.meta.dirname, '../fixtures/replies');
const names = readdirSync(DIR)
  .filter((f) => f.endsWith('.eml'))
  .map((f) => f.replace(/\.eml$/, ''))
  .sort();

describe('reply parsing: fixtures from real mail clients', function () {
  it('has fixtures for every client, format and several languages', () => {
    for (const client of ['gmail', 'outlook', 'apple', 'thunderbird']) {
      assert.ok(names.some((n) => n.startsWith(`${client}-plain`)), `${client} plain`);
      assert.ok(names.some((n) => n.startsWith(`${client}-html`)), `${client} HTML`);
    }
    const languages = new Set(names.map((n) => n.split('-').pop()));
    assert.ok(languages.size >= 5, [...languages].join(','));
  });

  for (const name of names) {
    it(name, async () => {
      const parsed = await simpleParser(readFileSync(path.join(DIR, `${name}.eml`)));
      const expected = readFileSync(path.join(DIR, `${name}.expected.txt`), 'utf8').replace(/\n$/, '');
      const got = extractReplyText({ text: parsed.text, html: typeof parsed.html === 'string' ? parsed.html : null });
      assert.equal(got, expected);
    });
  }

  it('an HTML-only reply is trimmed at the quote even when the text part is missing', () => {
    const got = extractReplyText({
      html: '<div>New text</div><div class="gmail_quote"><blockquote>old text</blockquote></div>',
    });
    assert.equal(got, 'New text');
  });
});
