/**
 * The mail-client rules Outlook, Thunderbird and the server share (mail-client/): pure functions,
 * so the same inputs must give the same answers whichever client asks.
 */
import assert from 'node:assert/strict';
import type { MessageView } from '../../protocol/index.ts';
import { LIMITS } from '../../protocol/limits.ts';
import { CHAT_HEADER, chatIdFromHeaderBlock, chatIdFromHeaderMap, chatIdFromHeaderValue } from '../../mail-client/chat-header.ts';
import { chatUrl } from '../../mail-client/chat-url.ts';
import { draftHasPanel, findChatIdInHtml, findChatIdInText, panelHtml, panelServerIn, panelText } from '../../mail-client/panel.ts';
import { DELETED_MESSAGE_TEXT, messagePreview } from '../../mail-client/preview.ts';
import { replyDraftKey, replyQuote } from '../../mail-client/reply-with-im.ts';
import { unwrapSafeLinks } from '../../mail-client/safe-links.ts';

const ID = '0b6f7c1e-6a1d-4a9e-9a3c-2f4c2e1d9b7a';
const OTHER = '5d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
const BASE = 'https://chat.example.com';

function message(over: Partial<MessageView>): MessageView {
  return {
    chatId: ID,
    seq: 1,
    clientId: 'c1',
    authorId: 'h1',
    authorAddress: 'ann@example.com',
    kind: 'TEXT',
    body: 'hello',
    targetSeq: null,
    createdAt: '2026-11-29T05:00:00.000Z',
    deleted: false,
    editedAt: null,
    reactions: [],
    mentions: [],
    mentionsMe: false,
    ...over,
  };
}

describe('mail-client: chat URL', () => {
  it('is <base>/c/<id> with or without a trailing slash, and the path alone for an empty base', () => {
    assert.equal(chatUrl(BASE, ID), `${BASE}/c/${ID}`);
    assert.equal(chatUrl(`${BASE}//`, ID), `${BASE}/c/${ID}`);
    assert.equal(chatUrl('https://example.com/inbox-chat/', ID), `https://example.com/inbox-chat/c/${ID}`);
    assert.equal(chatUrl('', ID), `/c/${ID}`);
  });

  it('is what the panel finders find again', () => {
    const panel = { chatUrl: chatUrl(BASE, ID), chatId: ID, subject: 'Plan' };
    assert.equal(findChatIdInHtml(panelHtml(panel), BASE), ID);
    assert.equal(findChatIdInText(panelText(panel), BASE), ID);
  });
});

describe('mail-client: which server a panel is on', () => {
  it('is the address before /c/<id>, with its path, for a panel of any server', () => {
    assert.equal(panelServerIn(`see ${chatUrl('https://chat.other.example', ID)} now`), 'https://chat.other.example');
    assert.equal(panelServerIn(chatUrl('http://10.0.0.5:3000/inbox-chat/', ID)), 'http://10.0.0.5:3000/inbox-chat');
    assert.equal(panelServerIn('https://chat.other.example/c/not-a-uuid'), null);
    assert.equal(panelServerIn(`https://chat.other.example/c/${ID}0`), null, 'a longer id is no panel link');
  });
});

describe('mail-client: chat header', () => {
  it('has one name, the one Thunderbird allows (X-)', () => {
    assert.equal(CHAT_HEADER, 'X-Inbox-Chat');
  });

  it('reads the chat from a raw header block under the name, or the server’s old name, lower-cased', () => {
    assert.equal(chatIdFromHeaderBlock(`Subject: a\r\nX-Inbox-Chat: ${ID.toUpperCase()}\r\n`), ID);
    assert.equal(chatIdFromHeaderBlock(`Subject: a\r\nx-inbox-chat-id:   ${ID}\r\nTo: b@x\r\n`), ID, 'emails the server sent before');
    assert.equal(chatIdFromHeaderBlock(`X-Inbox-Chat: ${ID}\r\nX-Inbox-Chat-Id: ${OTHER}\r\n`), ID, 'the current name wins');
  });

  it('reads the chat from headers parsed by name (Thunderbird), under either name', () => {
    assert.equal(chatIdFromHeaderMap({ 'x-inbox-chat': [` ${ID} `] }), ID);
    assert.equal(chatIdFromHeaderMap({ 'x-inbox-chat-id': [ID.toUpperCase()] }), ID);
    assert.equal(chatIdFromHeaderMap({ subject: ['x'] }), null);
    assert.equal(chatIdFromHeaderMap(undefined), null);
  });

  it('names no chat for anything but one UUID', () => {
    for (const bad of ['', 'not-a-uuid', `${ID} ${OTHER}`, `<script>${ID}</script>`, `${ID}x`]) {
      assert.equal(chatIdFromHeaderValue(bad), null, bad);
      assert.equal(chatIdFromHeaderBlock(`X-Inbox-Chat: ${bad}\r\n`), null, bad);
    }
    assert.equal(chatIdFromHeaderBlock(`X-Inbox-Chat-Other: ${ID}\r\n`), null, 'another header that starts the same');
  });
});

describe('mail-client: Reply with IM', () => {
  it('gives the same draft key for the same email whichever client reads it (with or without angle brackets)', () => {
    const outlook = replyDraftKey('<CAB123.456@mail.example.com>', 'AAMkAGI2TG93AAA=');
    const thunderbird = replyDraftKey('CAB123.456@mail.example.com');
    assert.equal(outlook, 'reply:CAB123.456@mail.example.com');
    assert.equal(thunderbird, outlook);
    assert.notEqual(replyDraftKey('<other@mail.example.com>'), outlook);
  });

  it('falls back to the client’s own item id only without a Message-ID, and to nothing without either', () => {
    assert.equal(replyDraftKey('', 'AAMkAGI2TG93AAA='), 'reply-item:AAMkAGI2TG93AAA=');
    assert.equal(replyDraftKey('  <>  ', null), null);
    assert.equal(replyDraftKey(undefined), null);
  });

  it('keeps the key within the draft key limit', () => {
    const key = replyDraftKey(`<${'a'.repeat(300)}@example.com>`)!;
    assert.equal(key.length, LIMITS.draftKeyChars);
    assert.ok(key.startsWith('reply:aaa'));
  });

  it('quotes short emails whole, with unified line ends, and cuts long ones at the limit with one marker', () => {
    assert.equal(replyQuote('  Hi\r\nthere\r\r\n'), 'Hi\nthere');
    const long = replyQuote(`${'word '.repeat(LIMITS.quoteChars)}`);
    assert.ok(long.length <= LIMITS.quoteChars, `${long.length} <= ${LIMITS.quoteChars}`);
    assert.ok(long.endsWith('word\n[… quote shortened]'));
    const exact = 'x'.repeat(LIMITS.quoteChars);
    assert.equal(replyQuote(exact), exact, 'exactly at the limit is not cut');
  });
});

describe('mail-client: previews', () => {
  it('has one text for a deleted message, whether tombstone or deletion event', () => {
    assert.equal(DELETED_MESSAGE_TEXT, 'Message deleted');
    assert.equal(messagePreview(message({ deleted: true, body: '' })), DELETED_MESSAGE_TEXT);
    assert.equal(messagePreview(message({ kind: 'DELETION', body: '', targetSeq: 1 })), DELETED_MESSAGE_TEXT);
  });

  it('names the author, folds whitespace, cuts long texts, and says when there is nothing yet', () => {
    assert.equal(messagePreview(null), 'No messages yet');
    assert.equal(messagePreview(message({ body: 'lake\n\n  or mountains?' })), 'ann@example.com: lake or mountains?');
    assert.equal(messagePreview(message({ kind: 'SYSTEM', authorAddress: null, body: 'Chat ended' })), 'Chat ended');
    const cut = messagePreview(message({ body: 'x'.repeat(200) }));
    assert.equal(cut, `ann@example.com: ${'x'.repeat(89)}…`);
  });
});

describe('mail-client: the panel still in a draft', () => {
  const html = panelHtml({ chatUrl: chatUrl(BASE, ID), chatId: ID, subject: 'Plan' });

  it('finds the panel in HTML or text, also behind a quoted panel of another chat', () => {
    assert.equal(draftHasPanel({ html }, ID), true);
    assert.equal(draftHasPanel({ text: `hi\n${chatUrl(BASE, ID)}\n` }, ID.toUpperCase()), true);
    const quoted = `<blockquote><a href="${chatUrl(BASE, OTHER)}">x</a></blockquote>`;
    assert.equal(draftHasPanel({ html: quoted + html }, ID), true);
    assert.equal(findChatIdInHtml(quoted + html), OTHER, 'the first panel is the quoted one');
  });

  it('says the panel is gone when only its text, another chat, or another server is left', () => {
    assert.equal(draftHasPanel({ html: `<p>chat ${ID} was here</p>` }, ID), false);
    assert.equal(draftHasPanel({ html: `<a href="${chatUrl(BASE, OTHER)}">x</a>` }, ID), false);
    assert.equal(draftHasPanel({ html: '', text: null }, ID), false);
    assert.equal(draftHasPanel({ html }, ID, 'https://chat.other.example'), false);
    assert.equal(draftHasPanel({ html }, ID, BASE), true);
  });
});

describe('mail-client: Safe Links', () => {
  it('exposes the wrapped chat link, and leaves broken encodings alone', () => {
    const wrapped = `https://eur01.safelinks.protection.outlook.com/?url=${encodeURIComponent(chatUrl(BASE, ID))}&data=05`;
    assert.equal(findChatIdInText(wrapped, BASE), null);
    assert.equal(findChatIdInText(unwrapSafeLinks(wrapped), BASE), ID);
    assert.equal(unwrapSafeLinks('https%3A%2F%2Fbad%E0%A4%A'), 'https%3A%2F%2Fbad%E0%A4%A');
  });
});
