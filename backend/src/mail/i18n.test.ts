/**
 * The email catalogues (messages/<lang>.json): complete in the ten languages, ICU arguments as
 * English's (shared checks: test/support/catalogues.ts), no markup but the one link tag (values
 * are escaped, the catalogue text is not), and the choice of a recipient's language.
 */
import assert from 'node:assert/strict';
import { parse, TYPE, type MessageFormatElement } from '@formatjs/icu-messageformat-parser';
import { describeCatalogues } from '../../../test/support/catalogues.ts';
import { EMAIL_CATALOGUES, EMAIL_LANGUAGES, emailWords, recipientLanguage, type EmailKey, type EmailValues } from './i18n.ts';

function literals(elements: MessageFormatElement[]): string[] {
  return elements.flatMap((e) =>
    e.type === TYPE.literal
      ? [e.value]
      : e.type === TYPE.tag
        ? literals(e.children)
        : e.type === TYPE.plural || e.type === TYPE.select
          ? Object.values(e.options).flatMap((o) => literals(o.value))
          : [],
  );
}

describeCatalogues('email catalogues:', EMAIL_LANGUAGES, EMAIL_CATALOGUES, 'en');

describe('email words', () => {
  it('hold no markup and no entity in their own text: only <link> is markup', () => {
    for (const lang of EMAIL_LANGUAGES) {
      for (const [key, message] of Object.entries(EMAIL_CATALOGUES[lang])) {
        for (const text of literals(parse(message))) assert.doesNotMatch(text, /[<>&]/, `${lang} ${key}`);
      }
    }
  });

  it('escape every value in HTML, and make <link> the one link', () => {
    const w = emailWords('es');
    const html = w.html('signIn.enterForChatHtml', { subject: '<b>"Plan" & co</b>' }, 'https://chat.example/c/x#signin=a"b');
    assert.equal(
      html,
      'Introdúcelo donde lo pediste para unirte al chat «&#60;b&#62;&#34;Plan&#34; &#38; co&#60;/b&#62;» o <a href="https://chat.example/c/x#signin=a&#34;b">inicia sesión con un clic</a>.',
    );
  });

  it('plurals follow the language: Arabic has its dual', () => {
    const ar = emailWords('ar');
    assert.match(ar.t('invite.expires', { days: 2 }), /يومين/);
    assert.match(ar.t('invite.expires', { days: 7 }), /أيام/);
    assert.equal(emailWords('en').t('invite.expires', { days: 1 }), 'The link expires in 1 day.');
    assert.equal(emailWords('en').t('invite.expires', { days: 7 }), 'The link expires in 7 days.');
  });

  it('dates come from Intl in the language, in UTC', () => {
    const at = new Date(Date.UTC(2026, 10, 29, 23, 30));
    assert.equal(emailWords('en').t('mail.time', { at }), 'Nov 29, 2026 11:30 PM UTC');
    assert.equal(emailWords('de').t('mail.time', { at }), '29. Nov. 2026, 23:30 UTC');
    assert.equal(emailWords('ja').t('mail.time', { at }), '2026年11月29日 23:30 UTC');
  });

  it('say lists, language names and durations in the language', () => {
    const es = emailWords('es');
    assert.equal(es.list(['Ann', 'Bea', 'Cruz']), 'Ann, Bea y Cruz');
    assert.equal(es.languageName('en'), 'inglés');
    assert.equal(emailWords('en').duration(125), '2 min 5 sec');
    assert.equal(emailWords('ar').dir, 'rtl');
    assert.equal(emailWords('fr').dir, 'ltr');
  });

  it("pick the recipient's language: the first supported candidate by base subtag, else English", () => {
    assert.equal(recipientLanguage([null, 'es-MX', 'fr']), 'es');
    assert.equal(recipientLanguage(['pt-BR', 'zh-TW']), 'zh');
    assert.equal(recipientLanguage(['pt-BR']), 'en');
    assert.equal(recipientLanguage([]), 'en');
  });

  it('every message formats in every language with sample values', () => {
    const sample = { people: 'Ann', subject: 'Plan', count: 3, reminder: 'yes', days: 2, minutes: 15, messages: 4, chats: 2 };
    for (const lang of EMAIL_LANGUAGES) {
      const w = emailWords(lang);
      for (const key of Object.keys(EMAIL_CATALOGUES.en) as EmailKey[]) {
        const format = EMAIL_CATALOGUES[lang][key].includes('<link>') ? (k: EmailKey, v: EmailValues) => w.html(k, v, 'u') : w.t;
        const text = format(key, {
          ...sample,
          at: new Date(0),
          id: 'x',
          url: 'u',
          author: 'a',
          language: 'l',
          length: '0:03',
          name: 'n',
          caller: 'c',
          duration: 'd',
          sender: 's',
          code: '123456',
          address: 'a@b',
          requester: 'r',
          note: 'n',
        });
        assert.ok(text.length > 0 && !text.includes('{'), `${lang} ${key}: ${text}`);
      }
    }
  });
});
