/**
 * The address of a chat's page. Panels, invitations, notifications, transcripts and the clients'
 * lists all link to it, and the panel finders look for exactly this shape, so it is built here only.
 */

/** `<base>/c/<chatId>`; with an empty base, the path alone (links within the web app). */
export function chatUrl(baseUrl: string, chatId: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/c/${encodeURIComponent(chatId)}`;
}
