/** The HTML part of our emails. Every user-supplied value goes through escapeHtml before it meets HTML. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export const FONT = 'font-family:Segoe UI,Helvetica,Arial,sans-serif;font-size:15px;color:#1f2328';

/**
 * An email's HTML part in its recipient's language: `lang` and `dir` on the document and again on
 * the outer block, because webmail (Gmail, Outlook on the web) drops the <html> element and keeps
 * only what is inside <body>.
 */
export function emailDocument(words: { lang: string; dir: 'ltr' | 'rtl' }, body: string): string {
  const attrs = `lang="${words.lang}" dir="${words.dir}"`;
  return `<!doctype html>
<html ${attrs}><head><meta charset="utf-8"></head><body>
<div ${attrs} style="${FONT}">
${body}
</div>
</body></html>`;
}
