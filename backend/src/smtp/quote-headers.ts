/**
 * The lines with which mail clients introduce a quoted or forwarded email, in the languages
 * and shapes the corpus in test/fixtures/replies/corpus shows. Every test here is on one line
 * (or a few joined lines) of bounded length, with bounded quantifiers only, so the cost is
 * linear in the size of the reply whatever its content.
 */

/** Lines longer than this are text, never a quote header (a long Gmail header wraps instead). */
const MAX_HEADER_CHARS = 400;

// Verbs that end an attribution line ("… wrote:"), by language.
const WROTE = [
  'wrote',
  'writes',
  'sent', // en
  'schrieb',
  'geschrieben', // de
  'a écrit',
  'a ecrit',
  'écrit', // fr
  'ha scritto',
  'scritto', // it
  'escreveu',
  'escribió',
  'escribio', // pt, es
  'schreef',
  'het volgende geschreven', // nl
  'skrev',
  'skriver', // sv, no, da
  'napisał\\(a\\)',
  'napisała',
  'napisał',
  'pisze', // pl
  'написал\\(а\\)',
  'написала',
  'написал',
  'пише',
  'писал', // ru, uk
  'kirjoitti',
  'írta',
  'đã viết',
  'napsal',
  'napísal',
  'έγραψε',
  'yazdı',
  'a scris',
  'va escriure',
  '写道',
  'のメッセージ',
  '님이 작성',
].join('|');

/** "On <date>, <person> wrote:" and its translations, possibly framed by dashes (Android, Zoho). */
const ATTRIBUTION = new RegExp(
  `^[\\s>]{0,4}-{0,8}\\s{0,2}.{0,${MAX_HEADER_CHARS}}?(?:${WROTE})\\s{0,2}(?:[:：]\\s{0,2}-{0,8}|-{2,8})$`,
  'iu',
);
/** "On Wed, 14 Nov 2018 08:14:43 -0200 John Doe <john@doe.com> wrote" (no colon): only "On … wrote". */
const ON_WROTE = /^\s{0,4}On\s.{0,380}?\swrote\s{0,2}$/iu;
/** "<date> <person> <address>:" (Gmail in Russian, Japanese, Chinese; GMT+02:00 dates; Mail.ru "… from x@y <x@y>:"). */
const DATED_ADDRESS = /^\s{0,4}.{0,300}?[<(][^<>()\s]{1,200}@[^<>()\s]{1,200}[>)]\s{0,2}[:：]\s{0,2}$/u;
/** "Alice <alice@example.com> schrieb am Sa., 21. Nov. 2026, 22:04:": address, verb, then the date. */
const ADDRESS_WROTE_DATE = new RegExp(
  `^\\s{0,4}.{0,200}?[<(][^<>()\\s]{1,200}@[^<>()\\s]{1,200}[>)]\\s{0,2}(?:${WROTE})\\s.{1,80}[:：]\\s{0,2}$`,
  'iu',
);
/** "Am 21.11.26 um 22:04 schrieb Alice Example:" (Thunderbird): a dated opener, the verb, a name. */
const DATED_VERB_NAME = new RegExp(
  `^\\s{0,4}(?:Am|Le|El|Il|Em|Op|On|W dniu|Den|På|Dne)\\s.{0,200}?\\d.{0,100}?\\s(?:${WROTE})\\s.{1,100}?[:：]\\s{0,2}$`,
  'iu',
);
/** "2011/4/7 Nathan <a@b>" with no colon: only with a leading ISO-like date. */
const ISO_DATE_ADDRESS = /^\s{0,4}\d{4}[/.-]\d{1,2}[/.-]\d{1,2}\b.{0,200}<[^<>\s]{1,200}@[^<>\s]{1,200}>\s{0,2}$/u;
/** "---- John Smith wrote ----" (Android) has neither date nor address. */
const FRAMED_WROTE = /^\s{0,4}-{2,8}\s{0,2}.{1,120}?\s(?:wrote|schrieb|a écrit|escribió|ha scritto)\s{0,2}:?\s{0,2}-{2,8}\s{0,2}$/iu;

/** An attribution mentions when or who: a digit or an address. Plain sentences ending in "sent:" do not. */
function looksLikeAttribution(text: string): boolean {
  if (text.length > MAX_HEADER_CHARS) return false;
  if (FRAMED_WROTE.test(text)) return true;
  if (ISO_DATE_ADDRESS.test(text)) return true;
  if (!/\d|@/.test(text)) return false;
  return (
    ATTRIBUTION.test(text) || ON_WROTE.test(text) || DATED_ADDRESS.test(text) || ADDRESS_WROTE_DATE.test(text) || DATED_VERB_NAME.test(text)
  );
}

/** Cheap test before the regexes: an attribution ends in a colon, a dash frame, "wrote" or an address. */
function mayEndAttribution(text: string): boolean {
  const tail = text.trimEnd().slice(-8);
  return /[:：\->]$/.test(tail) || /wrote$/i.test(tail);
}

/**
 * For each line, how many lines from it form an attribution line ("On …, X <\nx@y> wrote:" as
 * Gmail and Apple Mail wrap it over up to four lines), or 0. A wrapped header continues only on
 * lines that are not blank, except for a line that starts with "<" (Polymail puts the address
 * after a blank). Answers are remembered, so a reply is scanned in linear time.
 */
export function attributionFinder(lines: readonly string[]): (i: number) => number {
  const memo = new Int8Array(lines.length).fill(-1);
  const at = (i: number): number => {
    if (i >= lines.length) return 0;
    if (memo[i]! < 0) memo[i] = scan(i);
    return memo[i]!;
  };
  // A header joined from line `i` is text followed by a header when a later line of it is a
  // header by itself and either starts like one or line `i` names no date or address
  // ("Hi,\nOn … wrote:").
  const laterStart = (i: number, to: number): boolean => {
    const first = lines[i]!;
    for (let k = i + 1; k <= to; k++) {
      const line = lines[k]!;
      // "at 10:18, John <…> wrote:" and "1234@host> wrote:" continue a header; they do not open one.
      const opens = OPENER.test(line) && !CONTINUATION.test(line);
      if ((opens || !/\d|@/.test(first)) && at(k) > 0) return true;
    }
    return false;
  };
  const scan = (i: number): number => {
    const first = lines[i]!;
    if (!first.trim() || first.length > MAX_HEADER_CHARS) return 0;
    // Every attribution's first line carries its date or address, or opens with a dash frame.
    if (!/[\d@]|^\s{0,4}-/.test(first)) return 0;
    let joined = '';
    let used = 0;
    for (let j = i; j < lines.length && used < 6; j++) {
      const line = lines[j]!;
      if (!line.trim()) {
        const next = lines[j + 1]?.trim() ?? '';
        if (j > i && next.startsWith('<')) {
          used++;
          continue;
        }
        break;
      }
      // "<\naddress>" and "address\n>:" rejoin without a space, so the address reads whole.
      const glue = joined.endsWith('<') || line.trimStart().startsWith('>') ? '' : ' ';
      joined = joined ? `${joined}${glue}${line.trim()}` : line;
      used++;
      if (joined.length > MAX_HEADER_CHARS) break;
      if (mayEndAttribution(joined) && looksLikeAttribution(joined)) {
        // A header starts a logical line: the first line alone must not be a full sentence
        // that happens to be followed by a short "wrote:" line further down.
        if (j > i && (/[.!?]\s*$/.test(first) || laterStart(i, j))) return 0;
        return j - i + 1;
      }
    }
    return 0;
  };
  return at;
}

// How attribution lines begin: "On", "Le", "Am", "El", "Il", "Em", "Op", "W dniu", "Dnia", "Den",
// "På", "Vào", "In data", a date or a short weekday ("ср,", "tir.", "pe").
const OPENER = /^\s{0,4}(?:On|Le|Am|El|Il|Em|Op|W dniu|Dnia|Den|På|Vào|In data|\d|\p{L}{2,4}\.?,? \d)/u;
const CONTINUATION = /^\s{0,4}(?:<|[^\s<>@]{1,200}@|(?:at|um|à|a las|alle|om|kl\.?|o)\s)/iu;

/** "reply On Wed, Apr 4, 2012 at 3:59 PM, bob@example.com wrote:": text and header on one line. */
const SHARED_LINE = /^(.{1,200}?)\s{0,4}-{0,3}\s{0,2}(On\s(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]{0,6},.{1,200}\bwrote:)\s{0,2}$/u;
export function textBeforeSharedHeader(line: string): string | null {
  if (!line.includes('On ') || !/wrote:\s*$/.test(line)) return null;
  const m = SHARED_LINE.exec(line);
  return m ? m[1]!.replace(/-+$/, '').trimEnd() : null;
}

/** "-----Original Message-----", "---------- Forwarded message ---------" and translations. */
const SEPARATOR = new RegExp(
  '^\\s{0,4}\\*?\\s{0,2}-{2,12}\\s{0,2}(?:' +
    [
      'Original Message',
      'Reply Message',
      'Forwarded message',
      'Forwarded Message',
      'Ursprüngliche Nachricht',
      'Antwort Nachricht',
      'Weitergeleitete Nachricht',
      'Oprindelig meddelelse',
      'Oprindelig besked',
      'Videresendt meddelelse',
      "Message d'origine",
      'Message transféré',
      'Mensaje original',
      'Mensaje reenviado',
      'Messaggio originale',
      'Messaggio inoltrato',
      'Oorspronkelijk bericht',
      'Doorgestuurd bericht',
      'Mensagem original',
      'Mensagem encaminhada',
      'Ursprungligt meddelande',
      'Vidarebefordrat meddelande',
      'Opprinnelig melding',
      'Videresendt melding',
      'Alkuperäinen viesti',
      'Välitetty viesti',
      'Wiadomość oryginalna',
      'Oryginalna wiadomość',
      'Przekazana wiadomość',
      'Исходное сообщение',
      'Пересылаемое сообщение',
      'Původní zpráva',
      'Eredeti üzenet',
      '原始邮件',
      '転送されたメッセージ',
      '원본 메시지',
    ].join('|') +
    ')\\s{0,2}-{2,12}\\s{0,2}\\*?\\s{0,2}$',
  'iu',
);
const BEGIN_FORWARD =
  /^\s{0,4}(?:Begin forwarded message|Anfang der weitergeleiteten Nachricht|Début du message réenvoyé|Inicio del mensaje reenviado)\s?:\s*$/iu;

export function isSeparator(line: string): boolean {
  if (line.length > 120) return false;
  return line.includes('--') ? SEPARATOR.test(line) : BEGIN_FORWARD.test(line);
}

// The field that opens a header block of a quoted or forwarded email (Outlook, Yahoo, Apple).
const OPENING_FIELD =
  /^\s{0,8}\*{0,2}(?:From|Date|Sent|Von|Datum|Gesendet|De|Envoyé|Message du|Da|Van|Från|Fra|Dato|Od|Data|От|Від|Lähettäjä|Feladó|Fecha|Enviado|差出人|发件人|寄件者|送信者|보낸 사람)\s?\*{0,2}\s?[:：]/iu;
// Any "Name:" field line of such a block (To, Subject, Cc, An, Betreff, À, Objet, Aan, Till, Emne, …).
const FIELD = /^\s{0,8}\*{0,2}[\p{L}][\p{L}\p{M} .'-]{0,24}?\s?\*{0,2}\s?[:：]\*{0,2}(?:\s|$)/u;

/**
 * True when a header block of a quoted or forwarded email starts at line `i`: an opening field
 * (From/Date/Sent in any language, bold or not) and at least one more field line among the next
 * few lines (wrapped addresses may sit between them). "From: x / To: y / Subject: z" without a
 * date is a forward, and counts.
 */
export function headerBlockAt(lines: readonly string[], i: number): boolean {
  const first = lines[i]!;
  if (first.length > MAX_HEADER_CHARS || !OPENING_FIELD.test(first)) return false;
  let fields = 0;
  // A real block names an address or a date somewhere; "Data: …" / "Result: …" notes do not.
  let concrete = /\d|@/.test(first);
  for (let j = i + 1; j < lines.length && j <= i + 6; j++) {
    const line = lines[j]!;
    if (!line.trim()) break;
    if (line.length <= MAX_HEADER_CHARS && FIELD.test(line)) fields++;
    if (/\d|@/.test(line)) concrete = true;
  }
  return fields >= 1 && concrete;
}
