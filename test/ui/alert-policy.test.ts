/** Which new messages raise an alert and what the title badge counts (ui/src/alerts/alert-policy.ts). */
import assert from 'node:assert/strict';
import type { AlertsView, ChatSummary, MessageView } from '../../protocol/index.ts';
import { alertSender, alertsFor, firstWords, ringAlert, seenOf, unreadToBadge, voiceFor } from '../../ui/src/alerts/alert-policy.ts';

const A = '11111111-1111-4111-8111-111111111111';
const B = '22222222-2222-4222-8222-222222222222';
const ME = 'h-me';

function message(chatId: string, seq: number, authorId: string, body: string, extra: Partial<MessageView> = {}): MessageView {
  return {
    chatId,
    seq,
    clientId: `c${seq}`,
    authorId,
    authorAddress: `${authorId}@example.com`,
    kind: 'TEXT',
    body,
    targetSeq: null,
    createdAt: new Date(1_800_000_000_000 + seq).toISOString(),
    deleted: false,
    editedAt: null,
    reactions: [],
    mentions: [],
    mentionsMe: false,
    ...extra,
  };
}

function chat(id: string, last: MessageView | null, unread = 0): ChatSummary {
  return {
    id,
    subject: `Subject ${id.slice(0, 1)}`,
    retention: 'ARCHIVED',
    isOwner: false,
    lastSeq: last?.seq ?? 0,
    lastActivityAt: last?.createdAt ?? new Date(0).toISOString(),
    endedAt: null,
    unread,
    lastMessage: last,
    memberAddresses: [],
    people: [],
    me: { identityId: ME },
    isNew: false,
  };
}

const settings = (over: Partial<AlertsView> = {}): AlertsView => ({
  desktop: true,
  sound: true,
  vibrate: true,
  speak: false,
  dnd: false,
  chats: [],
  ...over,
});
const nowhere = () => false;

describe('alert policy', () => {
  it('alerts once per chat for the newest message from someone else since last seen', () => {
    const seen = seenOf([chat(A, message(A, 3, 'bob', 'old')), chat(B, message(B, 5, 'bob', 'old'))]);
    const now = [chat(A, message(A, 7, 'bob', 'hello there'), 4), chat(B, message(B, 5, 'bob', 'old'))];
    const alerts = alertsFor(seen, now, settings(), nowhere);
    assert.deepEqual(alerts, [
      {
        chatId: A,
        seq: 7,
        subject: 'Subject 1',
        sender: 'bob@example.com',
        senderKey: 'bob',
        text: 'hello there',
        sound: true,
        mention: false,
      },
    ]);
    // Nothing new the second time round.
    assert.deepEqual(alertsFor(seenOf(now), now, settings(), nowhere), []);
    // A list whose lastSeq trails its newest message (written in separate steps) does not alert twice.
    const trailing = [{ ...chat(A, message(A, 8, 'bob', 'again?'), 5), lastSeq: 7 }];
    const after = seenOf(trailing, seenOf(now));
    assert.equal(after.get(A), 8);
    assert.deepEqual(alertsFor(after, trailing, settings(), nowhere), []);
    // Nor does a list that lags behind what was already seen.
    assert.equal(seenOf([chat(A, message(A, 3, 'bob', 'old'))], after).get(A), 8);
  });

  it('stays silent for my own, deleted and looked-at messages, muted chats and do-not-disturb', () => {
    const seen = seenOf([chat(A, null), chat(B, null)]);
    assert.deepEqual(alertsFor(seen, [chat(A, message(A, 1, ME, 'mine'), 1)], settings(), nowhere), []);
    assert.deepEqual(alertsFor(seen, [chat(A, message(A, 1, 'bob', 'x', { deleted: true }), 1)], settings(), nowhere), []);
    assert.deepEqual(alertsFor(seen, [chat(A, message(A, 1, 'bob', 'read on my phone already'), 0)], settings(), nowhere), []);
    const bobs = [chat(A, message(A, 1, 'bob', 'a'), 1), chat(B, message(B, 1, 'bob', 'b'), 1)];
    assert.deepEqual(
      alertsFor(seen, bobs, settings(), (id) => id === A).map((a) => a.chatId),
      [B],
    );
    assert.deepEqual(
      alertsFor(seen, bobs, settings({ chats: [{ chatId: B, muted: true, sound: true }] }), nowhere).map((a) => a.chatId),
      [A],
    );
    assert.deepEqual(alertsFor(seen, bobs, settings({ dnd: true }), nowhere), []);
  });

  it('a chat new to the list counts from its start; sound follows the person and the chat', () => {
    const alerts = alertsFor(
      new Map(),
      [chat(A, message(A, 1, 'bob', 'hi'), 1), chat(B, message(B, 2, 'bob', 'yo'), 2)],
      settings({ chats: [{ chatId: B, muted: false, sound: false }] }),
      nowhere,
    );
    assert.deepEqual(
      alerts.map((a) => [a.chatId, a.sound]),
      [
        [A, true],
        [B, false],
      ],
    );
    assert.ok(alertsFor(new Map(), [chat(A, message(A, 1, 'bob', 'hi'), 1)], settings({ sound: false }), nowhere).every((a) => !a.sound));
  });

  it('a mention is the stronger alert: through a muted chat and its sound setting, never through do-not-disturb', () => {
    const mentioned = [chat(A, message(A, 3, 'bob', '@me look', { mentionsMe: true }), 1)];
    const quiet = settings({ chats: [{ chatId: A, muted: true, sound: false }] });
    const [alert] = alertsFor(new Map(), mentioned, quiet, nowhere);
    assert.deepEqual([alert?.chatId, alert?.mention, alert?.sound], [A, true, true]);
    const words = { someone: 'Someone', mentionedYou: (s: string) => `${s} mentioned you` };
    assert.equal(alertSender(alert!, words), 'bob@example.com mentioned you');
    assert.equal(alertSender({ sender: '', mention: false }, words), 'Someone', 'a sender the server could not name');
    assert.deepEqual(alertsFor(new Map(), mentioned, settings({ dnd: true, chats: quiet.chats }), nowhere), []);
    assert.equal(
      alertsFor(new Map(), mentioned, settings({ sound: false }), nowhere)[0]?.sound,
      false,
      'the person turned sound off everywhere',
    );
    // Not mentioned: the muted chat stays silent; an attachment alerts like a text.
    assert.deepEqual(alertsFor(new Map(), [chat(A, message(A, 3, 'bob', 'chatter'), 1)], quiet, nowhere), []);
    assert.equal(alertsFor(new Map(), [chat(A, message(A, 3, 'bob', '{}', { kind: 'ATTACHMENT' }), 1)], settings(), nowhere).length, 1);
  });

  it('badges unread from unmuted, ongoing chats, none under do-not-disturb', () => {
    const chats = [chat(A, null, 2), chat(B, null, 5)];
    assert.equal(unreadToBadge(chats, null), 7);
    assert.equal(unreadToBadge([chat(A, null, 2), { ...chat(B, null, 5), endedAt: new Date(0).toISOString() }], null), 2);
    assert.equal(unreadToBadge(chats, settings({ chats: [{ chatId: B, muted: true, sound: true }] })), 2);
    assert.equal(unreadToBadge(chats, settings({ dnd: true })), 0);
  });

  it('cuts to whole first words and keeps one voice per sender', () => {
    assert.equal(firstWords('one  two\nthree', 2), 'one two…');
    assert.equal(firstWords('short one'), 'short one');
    assert.deepEqual(voiceFor('bob', 5), voiceFor('bob', 5));
    const pitches = new Set(['a', 'b', 'c', 'd', 'e', 'f'].map((k) => voiceFor(k, 0).pitch));
    assert.ok(pitches.size > 1, 'different senders get different pitches');
    for (const p of pitches) assert.ok(p >= 0.7 && p <= 1.4);
    assert.equal(voiceFor('x', 0).voice, -1);
  });

  it('a ringing call alerts as a message would: silent under do-not-disturb and in a muted chat, no tone with sounds off', () => {
    assert.deepEqual(ringAlert(settings(), A), { alert: true, tone: true });
    assert.deepEqual(ringAlert(settings({ dnd: true }), A), { alert: false, tone: false });
    assert.deepEqual(ringAlert(settings({ chats: [{ chatId: A, muted: true, sound: true }] }), A), { alert: false, tone: false });
    assert.deepEqual(ringAlert(settings({ chats: [{ chatId: A, muted: true, sound: true }] }), B), { alert: true, tone: true });
    assert.deepEqual(ringAlert(settings({ sound: false }), A), { alert: true, tone: false });
    assert.deepEqual(ringAlert(settings({ chats: [{ chatId: A, muted: false, sound: false }] }), A), { alert: true, tone: false });
  });
});
