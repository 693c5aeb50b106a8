/**
 * Every bridge email composed in each of the ten languages: the words are the recipient's
 * language's (nothing left in English but names, addresses and what people wrote), the HTML part
 * carries lang and dir (Arabic right to left), and what people wrote is escaped and kept as written.
 */
import assert from 'node:assert/strict';
import { EMAIL_CATALOGUES, EMAIL_LANGUAGES, emailWords } from '../mail/i18n.ts';
import { accessDecisionMail, accessRequestMail, verificationMail } from '../mail/templates.ts';
import { addressLinkMail, digestMail, invitationMail, mailLine, notificationMail, transcriptMail, type MailLine } from './templates.ts';

const CHAT_ID = '0b7c7d0e-6a43-4f6e-9a57-1c1c1c1c1c1c';
const URL = `https://chat.example/c/${CHAT_ID}`;
const at = new Date(Date.UTC(2026, 10, 29, 9, 5));

const lines = (): MailLine[] => [
  {
    seq: 1,
    author: 'Ann (ann@example.com)',
    body: 'The <b>delivery</b> is on Friday.',
    at,
    kind: 'TEXT',
    translation: { from: 'en', body: 'Traducción' },
  },
  mailLine(
    {
      seq: 2,
      author: 'Ann (ann@example.com)',
      body: JSON.stringify({ category: 'VIDEO', name: 'clip.webm', durationMs: 3_400 }),
      at,
      kind: 'ATTACHMENT',
    },
    URL,
  ),
  { seq: 3, author: 'Ann', body: 'Missed call from ann@example.com', at, kind: 'CALL' },
  { seq: 4, author: 'Ann', body: 'Call ended after 2 min 5 s; in the call: ann@example.com, bea@example.es', at, kind: 'CALL' },
];

describe('bridge emails in the recipient language', () => {
  for (const lang of EMAIL_LANGUAGES) {
    describe(lang, () => {
      const w = emailWords(lang);
      const words = EMAIL_CATALOGUES[lang];
      const dir = lang === 'ar' ? 'rtl' : 'ltr';
      const marked = (html: string) => {
        assert.ok(html.includes(`<html lang="${lang}" dir="${dir}">`), 'the document carries the language and direction');
        assert.ok(html.includes(`<div lang="${lang}" dir="${dir}"`), 'so does the outer block webmail keeps');
      };

      it('a notification: intro, translation note, attachment, call lines and panel in the language', () => {
        const mail = notificationMail(w, {
          subject: 'Plan',
          chatId: CHAT_ID,
          chatUrl: URL,
          personalUrl: `${URL}#link`,
          replyAddress: 'r@in.example',
          fresh: lines(),
          history: [{ seq: 0, author: 'Bea', body: 'Hola', at, kind: 'QUOTE' }],
          reminder: true,
        });
        assert.equal(mail.subject, 'Re: Plan');
        assert.ok(
          mail.text.startsWith(
            w.t('notify.intro', { reminder: 'yes', count: 4, people: w.list(['Ann (ann@example.com)', 'Ann']), subject: 'Plan' }),
          ),
        );
        for (const expected of [
          words['notify.earlier'],
          w.t('line.fromEmail', { author: 'Bea' }),
          w.t('line.translatedText', { language: w.languageName('en') }),
          w.t('line.sentVideoLength', { length: '0:03' }),
          `${words['line.watchVideo']}: ${URL}`,
          w.t('line.missedCall', { caller: 'ann@example.com' }),
          w.t('line.callEnded', { duration: w.duration(125), people: w.list(['ann@example.com', 'bea@example.es']) }),
          words['notify.replyOrOpen'],
          w.t('mail.time', { at }),
        ]) {
          assert.ok(mail.text.includes(expected), `${lang} text lacks "${expected}":\n${mail.text}`);
        }
        assert.ok(
          mail.text.indexOf('Traducción') < mail.text.indexOf('The <b>delivery</b> is on Friday.'),
          'translation above the original',
        );
        marked(mail.html);
        assert.ok(mail.html.includes('The &#60;b&#62;delivery&#60;/b&#62; is on Friday.'), 'what people wrote is escaped');
        assert.ok(mail.html.includes(`dir="auto">The &#60;b&#62;`), 'and keeps its own direction');
        assert.ok(mail.html.includes(words['panel.body']), 'the panel speaks the language too');
        assert.ok(mail.html.includes(`>${w.html('mail.openSignedIn')}</a>`));
        if (lang !== 'en')
          assert.ok(!mail.text.includes('Reply to this email') && !mail.html.includes('Live chat about'), 'no English left');
      });

      it('an invitation, a transcript, a digest and an address code', () => {
        const invitation = invitationMail(w, { subject: '', chatId: CHAT_ID, chatUrl: URL, personalUrl: `${URL}#i`, days: 7 });
        assert.equal(invitation.subject, w.t('invite.subject', { subject: words['mail.chat'] }));
        assert.ok(invitation.text.includes(w.t('invite.expires', { days: 7 })));
        assert.ok(invitation.text.includes(w.t('invite.intro', { subject: words['mail.untitled'] })));
        marked(invitation.html);

        const transcript = transcriptMail(w, {
          subject: 'Plan',
          chatId: CHAT_ID,
          chatUrl: URL,
          sender: 'ann@example.com',
          lines: lines(),
          replyAddress: 'r@in',
        });
        assert.ok(transcript.text.startsWith(w.t('transcript.intro', { sender: 'ann@example.com', subject: 'Plan' })));
        marked(transcript.html);

        const digest = digestMail(w, [{ subject: 'Plan', chatId: CHAT_ID, chatUrl: URL, personalUrl: `${URL}#d`, fresh: lines() }]);
        assert.equal(digest.subject, w.t('digest.subject', { messages: 4 }));
        assert.ok(digest.text.includes(w.t('digest.intro', { messages: 4, chats: 1 })));
        assert.ok(digest.text.includes(w.t('mail.openLink', { url: `${URL}#d` })));
        marked(digest.html);

        const code = addressLinkMail(w, { code: '123456', address: 'me@work.example', minutes: 15 });
        assert.equal(code.subject, w.t('addressLink.subject', { code: '123456', address: 'me@work.example' }));
        assert.ok(code.text.includes(w.t('addressLink.expires', { minutes: 15 })));
        marked(code.html);
      });

      it('a sign-in code and the access emails', () => {
        const signIn = verificationMail(w, { code: '654321', link: `${URL}#signin=t`, minutes: 15, subject: 'Plan' });
        assert.equal(signIn.subject, w.t('signIn.subject', { code: '654321' }));
        assert.ok(signIn.text.includes(w.t('signIn.enterForChat', { subject: 'Plan' })));
        assert.ok(signIn.html.includes(`<a href="${URL}#signin=t">`), 'the one-click link is in the words');
        marked(signIn.html);

        const request = accessRequestMail(w, { subject: 'Plan', requester: 'eve@example.com', note: '<i>hi</i>', link: URL });
        assert.equal(request.subject, w.t('access.requestSubject', { subject: 'Plan' }));
        assert.ok(request.html.includes('&#60;i&#62;hi&#60;/i&#62;'));
        marked(request.html);

        for (const approved of [true, false]) {
          const decision = accessDecisionMail(w, { subject: 'Plan', approved, link: URL });
          assert.ok(decision.text.startsWith(w.t(approved ? 'access.approved' : 'access.declined', { subject: 'Plan' })));
          marked(decision.html);
        }
      });
    });
  }
});
