/**
 * No user-facing English in the Outlook add-in and the Thunderbird extension either: the same
 * check as hard-coded.test.ts over addin/src and thunderbird-ext/src. Panes and pages take their
 * words from the ui catalogues (ui/src/i18n/messages); Thunderbird's manifest, toolbar and
 * background page (notifications, the Chats space, errors, saved transcripts) from its _locales
 * (test/thunderbird/locales.test.ts).
 */
import assert from 'node:assert/strict';
import { globSync } from 'node:fs';
import path from 'node:path';
import { textLiterals } from './hard-coded-scan.ts';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const SOURCES = ['addin/src', 'thunderbird-ext/src'];
/** Files not converted yet (each one a known gap, listed so the test still guards the rest). */
const NOT_YET: string[] = [];
/** Literals that look like words but are not read by a person. */
const NOT_USER_TEXT: Record<string, string[]> = {
  // The ES2016 runtime finds the global object this way.
  'addin/src/events/es2016-runtime.ts': ['return this'],
  // An Office requirement set's name.
  'addin/src/office/async.ts': ['Mailbox'],
  // A CSS selector.
  'thunderbird-ext/src/display/message-script.ts': ['pre, blockquote, div, p'],
  // The Authorization header.
  'thunderbird-ext/src/background/backend.ts': ['Bearer ${}'],
  // The background's log lines (Thunderbird's error console, for whoever debugs the extension).
  'thunderbird-ext/src/background/background.ts': ['pending changes', 'Embed IM failed'],
  'thunderbird-ext/src/background/compose.ts': [
    '${} for ${} still running at send; queued, not waiting',
    '${} for ${} failed; queued',
    'pending changes: ${} delivered, ${} still waiting',
  ],
  // A transcript's From header: the product's name (a brand, never translated) and the user's address.
  'thunderbird-ext/src/background/transcript.ts': ['From: Inbox Chat <${}>'],
};

describe('no hard-coded user text in the Outlook add-in and the Thunderbird extension', () => {
  const files = SOURCES.flatMap((dir) => globSync(`${dir}/**/*.ts`, { cwd: ROOT })).filter(
    (f) => !f.endsWith('.test.ts') && !f.endsWith('.d.ts'),
  );

  it('finds the sources it checks', () => {
    assert.ok(files.some((f) => f.startsWith('addin/src/panes/')) && files.some((f) => f.startsWith('thunderbird-ext/src/pages/')));
    for (const gap of NOT_YET) assert.ok(files.includes(gap), `${gap} is listed as not yet converted but does not exist`);
  });

  for (const rel of files.sort()) {
    if (NOT_YET.includes(rel)) continue;
    it(rel, () => {
      const allowed = new Set(NOT_USER_TEXT[rel] ?? []);
      const left = textLiterals(path.join(ROOT, rel)).filter((hit) => !allowed.has(hit.replace(/^\d+: /, '')));
      assert.deepEqual(left, [], `${rel} has text not from the catalogue (ui/src/i18n/messages)`);
    });
  }
});
