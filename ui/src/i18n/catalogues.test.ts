/**
 * The catalogues agree with English: the same keys, every message parses as ICU MessageFormat,
 * uses the same arguments with the same types, and covers the plural categories its language needs.
 */
import assert from 'node:assert/strict';
import { parse, TYPE, type MessageFormatElement } from '@formatjs/icu-messageformat-parser';
import { CATALOGUES, UI_LANGUAGES, type MessageKey } from './catalogues.ts';

/** "name:type" for every argument, nested plural/select branches included. */
function argumentsOf(elements: MessageFormatElement[], out = new Set<string>()): Set<string> {
  for (const e of elements) {
    if (e.type === TYPE.argument) out.add(`${e.value}:text`);
    else if (e.type === TYPE.number) out.add(`${e.value}:number`);
    else if (e.type === TYPE.date || e.type === TYPE.time) out.add(`${e.value}:date`);
    else if (e.type === TYPE.plural || e.type === TYPE.select) {
      out.add(`${e.value}:${e.type === TYPE.plural ? 'plural' : 'select'}`);
      for (const option of Object.values(e.options)) argumentsOf(option.value, out);
    } else if (e.type === TYPE.tag) argumentsOf(e.children, out);
  }
  return out;
}

const english = CATALOGUES.en;
const keys = Object.keys(english) as MessageKey[];

describe('UI message catalogues', () => {
  it('ships the ten interface languages', () => {
    assert.deepEqual([...UI_LANGUAGES].sort(), ['ar', 'de', 'en', 'es', 'fr', 'hi', 'ja', 'ko', 'sw', 'zh']);
  });

  for (const lang of UI_LANGUAGES) {
    describe(lang, () => {
      const catalogue = CATALOGUES[lang];

      it('has exactly the English keys', () => {
        assert.deepEqual(Object.keys(catalogue).sort(), [...keys].sort());
      });

      it('uses the same ICU arguments as English in every message', () => {
        for (const key of keys) {
          const want = [...argumentsOf(parse(english[key]))].sort();
          const got = [...argumentsOf(parse(catalogue[key]))].sort();
          assert.deepEqual(got, want, `${lang} ${key}`);
        }
      });

      it('gives every plural the categories the language has', () => {
        const needed = new Intl.PluralRules(lang).resolvedOptions().pluralCategories;
        for (const key of keys) {
          for (const e of parse(catalogue[key])) {
            if (e.type !== TYPE.plural) continue;
            for (const category of needed) assert.ok(category in e.options, `${lang} ${key} lacks "${category}"`);
          }
        }
      });

      if (lang !== 'en') {
        it('is translated, not left in English', () => {
          // Short technical words may legitimately match (e.g. "Chat", "Options", "Original");
          // more than a handful identical to English means the catalogue was not translated.
          const same = keys.filter((k) => catalogue[k] === english[k]);
          assert.ok(same.length <= 8, `${lang}: ${same.length} messages identical to English: ${same.join(', ')}`);
        });
      }
    });
  }
});
