/**
 * No user-facing English left in the shared panel and the web page: every string literal there
 * that reads like words for a person (a capitalised word or a phrase) fails this test unless it
 * comes from the catalogue. Parsed with the TypeScript compiler, so comments, imports, types and
 * comparisons (`e.key === 'Enter'`) are not mistaken for text.
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { looksLikeText, textLiterals } from './hard-coded-scan.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
/** The folders whose strings must all come from the catalogue. */
const FOLDERS = ['chat-panel', 'chat-page', 'alerts'];
/** Files not converted yet (each one a known gap, listed so the test still guards the rest). */
const NOT_YET: string[] = [];
/** Literals that look like words but are not read by a person. */
const NOT_USER_TEXT: Record<string, string[]> = {
  // The product's name on a notification about a chat without a subject: a brand in every language.
  'alerts/browser-alerts.ts': ['Inbox Chat'],
  // HTTP header name and scheme sent to the upload server.
  'chat-panel/media-upload.ts': ['Authorization', 'Bearer ${}'],
  // The stored name of a generated thumbnail file (metadata for the server); the DataTransfer type of dropped files.
  'chat-panel/attach.ts': ['thumbnail of ${}', 'Files'],
  // File name of a recording (metadata for the server and the download).
  'chat-panel/video-recorder.ts': ['video message.${}'],
  // A CSS selector and a rel attribute.
  'chat-panel/log-keyboard.ts': ['button, a[href], input, select, textarea, summary'],
  'chat-panel/message-text.ts': ['noopener noreferrer nofollow'],
  // The product's name, a brand in every language.
  'chat-page/shell.ts': ['Inbox Chat'],
  'chat-page/home-view.ts': ['Inbox Chat'],
};

describe('no hard-coded user text in the panel and the page', () => {
  for (const folder of FOLDERS) {
    for (const name of readdirSync(path.join(ROOT, folder)).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))) {
      const rel = `${folder}/${name}`;
      if (NOT_YET.includes(rel)) continue;
      it(rel, () => {
        const allowed = new Set(NOT_USER_TEXT[rel] ?? []);
        const left = textLiterals(path.join(ROOT, rel)).filter((hit) => !allowed.has(hit.replace(/^\d+: /, '')));
        assert.deepEqual(left, [], `${rel} has text not from the catalogue (ui/src/i18n/messages)`);
      });
    }
  }

  it('catches a hard-coded string (the check itself works)', () => {
    assert.ok(looksLikeText('Send'));
    assert.ok(looksLikeText('Connection lost. Reconnecting…'));
    assert.ok(looksLikeText('${} is typing…'));
    assert.ok(!looksLikeText('ic-button ic-send'));
    assert.ok(!looksLikeText('composer.placeholder'));
    assert.ok(!looksLikeText('RATE_LIMITED'));
  });
});
