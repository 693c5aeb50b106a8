/**
 * The extension's manifest, toolbar buttons and background page (notifications, the Chats space,
 * errors, saved transcripts) in the ten interface languages: every
 * `__MSG_name__` in the manifest exists in the default locale, and every locale has exactly
 * the default locale's messages, translated (not copies of English beyond the brand).
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { word } from '../../thunderbird-ext/src/background/words.ts';

const STATIC = path.resolve(import.meta.dirname, '../../thunderbird-ext/static');
const manifest = readFileSync(path.join(STATIC, 'manifest.json'), 'utf8');
type Messages = Record<string, { message: string; description?: string }>;
const substitutions = (message: string) => [...new Set(message.match(/\$\d/g) ?? [])].sort();
const load = (locale: string): Messages => JSON.parse(readFileSync(path.join(STATIC, '_locales', locale, 'messages.json'), 'utf8'));

describe('Thunderbird extension locales', () => {
  const locales = readdirSync(path.join(STATIC, '_locales')).sort();
  const english = load('en');

  it('ships the ten interface languages (zh as zh_CN, Simplified)', () => {
    assert.deepEqual(locales, ['ar', 'de', 'en', 'es', 'fr', 'hi', 'ja', 'ko', 'sw', 'zh_CN']);
    assert.equal(JSON.parse(manifest).default_locale, 'en');
  });

  it('names in the manifest exist in the default locale', () => {
    const used = [...manifest.matchAll(/__MSG_(\w+)__/g)].map((m) => m[1]!);
    assert.ok(used.length >= 4);
    for (const name of used) assert.ok(english[name], `${name} is missing from _locales/en`);
  });

  for (const locale of ['ar', 'de', 'es', 'fr', 'hi', 'ja', 'ko', 'sw', 'zh_CN']) {
    it(`${locale} has the same messages, translated`, () => {
      const messages = load(locale);
      assert.deepEqual(Object.keys(messages).sort(), Object.keys(english).sort());
      for (const [name, { message }] of Object.entries(messages)) {
        assert.ok(message.trim(), `${locale} ${name} is empty`);
        // German and Spanish say "Chat" and "Chats" too.
        if (name !== 'extensionName' && !(['de', 'es'].includes(locale) && /^Chats?$/.test(message)))
          assert.notEqual(message, english[name]!.message, `${locale} ${name} is still English`);
        // Each `$1`, `$2` … the background fills in (a subject, a date, an address) is kept: none lost, none made up.
        assert.deepEqual(substitutions(message), substitutions(english[name]!.message), `${locale} ${name} substitutions`);
      }
    });
  }

  it('the background says its words through messenger.i18n, English outside Thunderbird', () => {
    assert.equal(word('transcriptSubject', 'Plan'), 'Chat transcript: Plan');
    assert.equal(word('transcriptSaved', '21 Nov', '4'), 'Saved: 21 Nov. Entries: 4');
    // Thunderbird's lookup (a stand-in here: the Thunderbird tests run an English Thunderbird).
    const ja = load('ja');
    const scope = globalThis as { messenger?: unknown };
    scope.messenger = {
      i18n: {
        getUILanguage: () => 'ja',
        getMessage: (name: string, subs: string[] = []) =>
          ja[name]?.message.replace(/\$(\d)/g, (_, n: string) => subs[Number(n) - 1]!) ?? '',
      },
    };
    try {
      assert.equal(word('transcriptSubject', 'Plan'), 'チャットの記録: Plan');
      assert.equal(word('spaceTitle'), 'チャット');
    } finally {
      delete scope.messenger;
    }
  });
});
