/**
 * Microsoft Safe Links (Defender for Office 365) rewrites every link in a received email to
 * `https://<region>.safelinks.protection.outlook.com/?url=<percent-encoded original>&...`, so a
 * panel link no longer starts with the chat server's address. Decoding the wrapped URLs exposes
 * the original link again. One rule for every client that looks for panels in received mail.
 */

/** The text with every percent-encoded http(s) URL (as Safe Links embeds them) decoded. */
export function unwrapSafeLinks(text: string): string {
  return text.replace(/https?%3A%2F%2F[^"'&\s<>]+/gi, (m) => {
    try {
      return decodeURIComponent(m);
    } catch {
      return m;
    }
  });
}
