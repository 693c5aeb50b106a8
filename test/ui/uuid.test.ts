/**
 * One UUID pattern: the chat page, the email panel finder, the Outlook read pane and the
 * Thunderbird message logic recognise exactly the chat ids the server's uuidSchema accepts, so
 * no client finds a chat in an email that the server then refuses (or the reverse).
 */
import assert from 'node:assert/strict';
import { chatIdFromHeaderBlock } from '../../mail-client/chat-header.ts';
import { uuidSchema } from '../../protocol/index.ts';
import { chatIdOfMessage } from '../../thunderbird-ext/src/shared/message-chat.ts';
import { parseRoute } from '../../ui/src/chat-page/route.ts';
import { findChatIdInHtml, findChatIdInText } from '../../mail-client/panel.ts';

const BASE = 'https://chat.example.com';

const SAMPLES = {
  'a v4 id': '3f2b8c1e-1d2a-4b7c-9e8f-0a1b2c3d4e5f',
  'upper case': '3F2B8C1E-1D2A-4B7C-9E8F-0A1B2C3D4E5F',
  'a v7 id': '01890a5d-ac96-774b-bcce-b302099a8057',
  'version nibble 0': '3f2b8c1e-1d2a-0b7c-9e8f-0a1b2c3d4e5f',
  'version nibble 9': '3f2b8c1e-1d2a-9b7c-9e8f-0a1b2c3d4e5f',
  'variant nibble c (not RFC 9562)': '3f2b8c1e-1d2a-4b7c-ce8f-0a1b2c3d4e5f',
  'the nil UUID': '00000000-0000-0000-0000-000000000000',
  'one digit short': '3f2b8c1e-1d2a-4b7c-9e8f-0a1b2c3d4e5',
  'not hex': '3f2b8c1e-1d2a-4b7c-9e8f-0a1b2c3d4e5g',
} as const;

describe('one UUID pattern for every client and the server', () => {
  for (const [what, id] of Object.entries(SAMPLES)) {
    it(`${what}: every client agrees with the server`, () => {
      const server = uuidSchema.safeParse(id).success;
      const expected = server ? id.toLowerCase() : null;
      const route = parseRoute(`/c/${id}`);
      assert.equal(route.kind === 'chat' ? route.chatId : null, expected, 'chat page route');
      assert.equal(findChatIdInText(`Chat here: ${BASE}/c/${id} (live)`, BASE), expected, 'panel link in text');
      assert.equal(findChatIdInHtml(`<a href="${BASE}/c/${id}">Open the chat</a>`, BASE), expected, 'panel link in HTML');
      assert.equal(chatIdFromHeaderBlock(`Subject: hi\r\nX-Inbox-Chat: ${id}\r\n`), expected, 'Outlook: X-Inbox-Chat header');
      assert.equal(chatIdOfMessage({ headers: { 'x-inbox-chat': [id] }, parts: [] }, BASE), expected, 'Thunderbird: X-Inbox-Chat header');
    });
  }

  it('the server accepts real chat ids and refuses the rest', () => {
    assert.equal(uuidSchema.safeParse(SAMPLES['a v4 id']).success, true);
    assert.equal(uuidSchema.safeParse(SAMPLES['version nibble 0']).success, false);
    assert.equal(uuidSchema.safeParse(SAMPLES['the nil UUID']).success, false);
  });
});
