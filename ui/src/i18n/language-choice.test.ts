/** Which interface language a reader gets, and that messages format in it (plurals, numbers). */
import assert from 'node:assert/strict';
import { IntlMessageFormat } from 'intl-messageformat';
import { CATALOGUES } from './catalogues.ts';
import { pickUiLanguage } from './index.ts';

const format = (lang: keyof typeof CATALOGUES, key: keyof (typeof CATALOGUES)['en'], values: Record<string, string | number>) =>
  String(new IntlMessageFormat(CATALOGUES[lang][key], lang).format(values));

describe('the interface language', () => {
  it('is the first supported candidate, by base language', () => {
    assert.equal(pickUiLanguage(['pt-BR', 'fr-CA', 'de']), 'fr');
    assert.equal(pickUiLanguage(['zh-TW']), 'zh');
    assert.equal(pickUiLanguage(['ar_EG']), 'ar');
    assert.equal(pickUiLanguage(['JA']), 'ja');
  });

  it('is English when nothing is known or supported', () => {
    assert.equal(pickUiLanguage([]), 'en');
    assert.equal(pickUiLanguage([null, undefined, '']), 'en');
    assert.equal(pickUiLanguage(['pt', 'ru']), 'en');
  });

  it('formats plurals by each language’s rules', () => {
    assert.equal(format('en', 'typing.many', { count: 1 }), '1 person is typing…');
    assert.equal(format('en', 'typing.many', { count: 3 }), '3 people are typing…');
    assert.equal(format('ar', 'typing.many', { count: 2 }), 'شخصان يكتبان…');
    assert.equal(format('ar', 'typing.many', { count: 5 }), '5 أشخاص يكتبون…');
    assert.equal(format('ja', 'typing.many', { count: 4 }), '4 人が入力中…');
  });

  it('formats numbers by each language’s conventions', () => {
    assert.equal(format('en', 'composer.count', { count: 3500, limit: 4000 }), '3,500 / 4,000 characters');
    assert.equal(format('de', 'composer.count', { count: 3500, limit: 4000 }), '3.500 / 4.000 Zeichen');
    // French puts a (no-break) space before the percent sign.
    assert.match(format('fr', 'attach.progress', { name: 'a.pdf', share: 0.5 }), /^Envoi de a\.pdf : 50[\u00a0\u202f]%$/);
  });
});
