import EmailReplyParser from 'email-reply-parser';
import { convert } from 'html-to-text';
import { stripControlCharacters } from '../../../../protocol/index.ts';

/**
 * The new text of an emailed reply: quoted history and signatures removed. The plain-text
 * part goes through email-reply-parser (a maintained port of GitHub's parser, which knows
 * quote headers in many languages and common signatures). HTML-only replies are first cut
 * at the quote container each big client writes, then turned into text the same way.
 */
export function extractReplyText(mail: { text?: string | null; html?: string | null }): string {
  // A quote container in the HTML is the surest cut. Without one, the text part (or, for
  // HTML-only mail, the parser's text rendering of it) goes to the reply parser.
  const cut = mail.html ? cutHtmlQuote(mail.html) : null;
  const source =
    mail.html && cut !== null && cut.length < mail.html.length
      ? htmlToText(cut)
      : mail.text && mail.text.trim()
        ? mail.text
        : mail.html
          ? htmlToText(mail.html)
          : '';
  // Control characters are refused in API text; a person's emailed reply never holds them on
  // purpose, so they are dropped here rather than the whole reply bounced.
  const normalised = stripControlCharacters(source.replace(/\r\n?/g, '\n').replace(/\u00a0/g, ' '));
  const parsed = new EmailReplyParser().parseReply(cutPlainQuote(normalised));
  return tidy(stripTrailingNoise(parsed));
}

// Where each client's quoted original (or signature) starts in its HTML.
const HTML_QUOTE_MARKERS = [
  /<div[^>]+class=["'][^"']*\bgmail_quote\b/i, // Gmail
  /<div[^>]+class=["'][^"']*\bgmail_signature\b/i,
  /<div[^>]+class=["'][^"']*\bgmail_extra\b/i,
  /<div[^>]+id=["']divRplyFwdMsg["']/i, // Outlook on the web / new Outlook
  /<div[^>]+id=["']appendonsend["']/i,
  /<div[^>]+id=["']mail-editor-reference-message-container["']/i,
  /<div[^>]+id=["']Signature["']/i,
  /<div[^>]+style=["'][^"']*border-top:\s*solid\s+#E1E1E1/i, // classic Outlook's header rule
  /<div[^>]+class=["'][^"']*\bmoz-cite-prefix\b/i, // Thunderbird
  /<(?:div|pre)[^>]+class=["'][^"']*\bmoz-signature\b/i,
  /<blockquote[^>]+type=["']cite["']/i, // Apple Mail, Thunderbird
  /<div[^>]+class=["'][^"']*\byahoo_quoted\b/i,
];

export function cutHtmlQuote(html: string): string {
  let cut = html.length;
  for (const re of HTML_QUOTE_MARKERS) {
    const m = re.exec(html);
    if (m && m.index < cut) cut = m.index;
  }
  return html.slice(0, cut);
}

function htmlToText(html: string): string {
  return convert(html, {
    wordwrap: false,
    selectors: [
      { selector: 'a', options: { ignoreHref: true } },
      { selector: 'img', format: 'skip' },
      { selector: 'hr', format: 'skip' },
    ],
  });
}

/**
 * Quote headers the parser does not know (it misses some languages' "X wrote:" lines and
 * Outlook's localised From/Sent blocks). Cut at the first line that is clearly one.
 */
const PLAIN_QUOTE_HEADERS = [
  /^-{2,}\s*(?:Original Message|Originalnachricht|Message d'origine|Mensaje original|Messaggio originale|Oorspronkelijk bericht|Mensagem original|Ursprüngliche Nachricht)\s*-{2,}/im,
  /^_{10,}\s*$/m, // Outlook's separator line
  // Outlook header block: "From:" (any language) followed by a "Sent:/Date:" line.
  /^(?:From|Von|De|Da|Van|Från|Fra|Od|От|差出人|发件人|寄件者):\s.*\n(?:.*\n)?(?:Sent|Date|Gesendet|Datum|Envoyé|Enviado|Inviato|Verzonden|Skickat|Sendt|Wysłano|Отправлено|送信日時|发送时间|傳送時間|Fecha|Data):\s/im,
  // "<date> <name> <address>:" headers, e.g. Gmail in Japanese or Chinese.
  /^.*\d{4}\s*年.*<[^>\s]+@[^>\s]+>\s*(?:のメッセージ)?[:：]?\s*$/m,
];

function cutPlainQuote(text: string): string {
  let cut = text.length;
  for (const re of PLAIN_QUOTE_HEADERS) {
    const m = re.exec(text);
    if (m && m.index < cut && m.index > 0) cut = m.index;
  }
  return text.slice(0, cut);
}

// Sign-offs added by mobile apps, which the parser keeps when they have no "--" above them.
const MOBILE_SIGNATURES = [
  /^Sent from my (?:iPhone|iPad|Android|mobile device|Galaxy.*)$/i,
  /^Envoyé de mon (?:iPhone|iPad)$/i,
  /^Von meinem (?:iPhone|iPad) gesendet$/i,
  /^Enviado desde mi (?:iPhone|iPad)$/i,
  /^Inviato da (?:iPhone|iPad)$/i,
  /^Verzonden vanaf mijn (?:iPhone|iPad)$/i,
  /^Get Outlook for (?:iOS|Android)\s*(?:<[^>]*>)?$/i,
  /^Obtener Outlook para (?:iOS|Android)\s*(?:<[^>]*>)?$/i,
  /^Outlook für (?:iOS|Android) herunterladen\s*(?:<[^>]*>)?$/i,
  /^Télécharger Outlook pour (?:iOS|Android)\s*(?:<[^>]*>)?$/i,
  /^iPhoneから送信$/,
];

function stripTrailingNoise(text: string): string {
  const lines = text.split('\n');
  for (;;) {
    while (lines.length && lines[lines.length - 1]!.trim() === '') lines.pop();
    const last = lines[lines.length - 1]?.trim();
    if (last === undefined) break;
    if (MOBILE_SIGNATURES.some((re) => re.test(last)) || /^--\s*$/.test(last)) {
      lines.pop();
      continue;
    }
    break;
  }
  // A standard "-- " signature delimiter and everything after it.
  const sig = lines.findIndex((l) => l === '-- ' || l === '--');
  return (sig > 0 ? lines.slice(0, sig) : lines).join('\n');
}

function tidy(text: string): string {
  return text
    .split('\n')
    .map((l) => l.replace(/\s+$/, ''))
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
