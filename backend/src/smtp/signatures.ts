/**
 * Signature noise below a reply: what a client or a signature tool adds, never what the person
 * typed. Hand-typed sign-offs ("Best regards,\nSome One"), markdown rules ("----") and sentences
 * that merely start like a signature ("Sent from my desk, because …") are kept.
 */

// A whole line a phone or an app adds; anything after it is the quoted email (if anything).
const MOBILE_SIGNATURE = [
  // "Sent from my iPhone", "Sent from my Verizon Wireless BlackBerry", "Sent from TypeApp<link>",
  // "Sent from a magnificent torch of pixels": a few words, no sentence punctuation.
  /^Sent from (?:my )?[\p{L}\p{N}'&+-]{1,40}(?: [\p{L}\p{N}'&+-]{1,40}){0,6}\s?(?:<[^<>\s]{1,300}>)?$/iu,
  /^Sent (?:with|via|using) [\p{L}\p{N}' .&+-]{1,60}(?:<[^<>\s]{1,300}>)?$/iu,
  /^(?:Get|Download) Outlook for (?:iOS|Android)\s?(?:<[^<>\s]{1,300}>)?$/iu,
  /^Obtener Outlook para (?:iOS|Android)\s?(?:<[^<>\s]{1,300}>)?$/iu,
  /^Outlook für (?:iOS|Android) herunterladen\s?(?:<[^<>\s]{1,300}>)?$/iu,
  /^Gesendet von Outlook für (?:iOS|Android)\s?(?:<[^<>\s]{1,300}>)?$/iu,
  /^(?:Télécharger|Envoyé à partir de) Outlook pour (?:iOS|Android)\s?(?:<[^<>\s]{1,300}>)?$/iu,
  /^Envoyé (?:de|depuis) mon [\p{L}\p{N} ]{1,40}$/iu,
  /^Von meinem [\p{L}\p{N} ]{1,40} gesendet$/iu,
  /^Gesendet von meinem [\p{L}\p{N} ]{1,40}$/iu,
  /^Enviado (?:desde|do) (?:mi|meu) [\p{L}\p{N} ]{1,40}$/iu,
  /^Inviato da (?:iPhone|iPad|Android|il mio [\p{L}\p{N} ]{1,40})$/iu,
  /^Verzonden (?:vanaf|met) mijn [\p{L}\p{N} ]{1,40}$/iu,
  /^(?:Skickat|Sendt) fra(?:n)? min [\p{L}\p{N} ]{1,40}$/iu,
  /^Wysłane z (?:iPhone'a|mojego [\p{L}\p{N} ]{1,40})$/iu,
  /^Отправлено с (?:iPhone|iPad|моего [\p{L}\p{N} ]{1,40})$/iu,
  /^iPhoneから送信$/u,
  /^从我的 ?iPhone ?发送$/u,
];

// The first words of every pattern above: most lines are ruled out by this one test.
const MOBILE_START =
  /^(?:Sent|Get|Download|Obtener|Outlook|Gesendet|Télécharger|Envoyé|Von|Enviado|Inviato|Verzonden|Skickat|Sendt|Wysłane|Отправлено|iPhone|从)/iu;

export function isMobileSignature(line: string): boolean {
  const t = line.trim();
  return t.length > 0 && t.length <= 200 && MOBILE_START.test(t) && MOBILE_SIGNATURE.some((re) => re.test(t));
}

/** Lines that separate a signature block: "-- " (RFC 3676), "--", an em-dash rule, underscores. */
function signatureDelimiter(line: string): 'always' | 'short-block' | null {
  if (line === '-- ' || line === '--') return 'always';
  const t = line.trim();
  if (/^[—–]{1,12}$/u.test(t)) return 'short-block';
  if (/^_{2,80}$/.test(t)) return 'short-block';
  return null;
}

/** Cuts the signature (and everything after it) off the new text. */
export function cutSignature(lines: string[]): string[] {
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (isMobileSignature(line)) return lines.slice(0, i);
    const kind = signatureDelimiter(line);
    if (kind === 'always') return lines.slice(0, i);
    if (kind === 'short-block') {
      // A rule followed by a few short lines is a signature card or a mailing-list footer;
      // a rule in the middle of a long text is formatting.
      const rest = lines.slice(i + 1).filter((l) => l.trim());
      if (rest.length <= 8 && rest.every((l) => l.length <= 100)) return lines.slice(0, i);
    }
  }
  return lines;
}

/** Separator lines left at the end once the quote below them is gone ("====", "----", "___"). */
export function dropTrailingRules(lines: string[]): string[] {
  let end = lines.length;
  while (end > 0 && (!lines[end - 1]!.trim() || /^\s*(?:[-=_*~]{2,80}|[—–]{1,12})\s*$/u.test(lines[end - 1]!))) end--;
  return lines.slice(0, end);
}
