/**
 * The checks every set of ICU MessageFormat catalogues must pass (the interface's, ui/src/i18n,
 * and the emails', backend/src/mail/messages): the same keys as English, every message parses,
 * uses the same arguments with the same types as English, covers the plural categories its
 * language has, and is not left in English.
 */
import assert from 'node:assert/strict';
import { parse, TYPE, type MessageFormatElement } from '@formatjs/icu-messageformat-parser';

/** "name:type" for every argument, nested plural/select branches included. */
export function argumentsOf(elements: MessageFormatElement[], out = new Set<string>()): Set<string> {
  for (const e of elements) {
    if (e.type === TYPE.argument) out.add(`${e.value}:text`);
    else if (e.type === TYPE.number) out.add(`${e.value}:number`);
    else if (e.type === TYPE.date || e.type === TYPE.time) out.add(`${e.value}:date`);
    else if (e.type === TYPE.plural || e.type === TYPE.select) {
      out.add(`${e.value}:${e.type === TYPE.plural ? 'plural' : 'select'}`);
      for (const option of Object.values(e.options)) argumentsOf(option.value, out);
    } else if (e.type === TYPE.tag) {
      out.add(`<${e.value}>:tag`);
      argumentsOf(e.children, out);
    }
  }
  return out;
}

export function describeCatalogues<L extends string, K extends string>(
  title: string,
  languages: readonly L[],
  catalogues: Record<L, Record<K, string>>,
  english: L,
): void {
  const reference = catalogues[english];
  const keys = Object.keys(reference) as K[];
  describe(title, () => {
    for (const lang of languages) {
      describe(lang, () => {
        const catalogue = catalogues[lang];

        it('has exactly the English keys', () => {
          assert.deepEqual(Object.keys(catalogue).sort(), [...keys].sort());
        });

        it('uses the same ICU arguments as English in every message', () => {
          for (const key of keys) {
            const want = [...argumentsOf(parse(reference[key]))].sort();
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

        if (lang !== english) {
          it('is translated, not left in English', () => {
            // Short technical words may legitimately match (e.g. "Chat", "Options", "Original");
            // more than a handful identical to English means the catalogue was not translated.
            const same = keys.filter((k) => catalogue[k] === reference[k]);
            assert.ok(same.length <= 8, `${lang}: ${same.length} messages identical to English: ${same.join(', ')}`);
          });
        }
      });
    }
  });
}
