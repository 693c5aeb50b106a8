/**
 * The privacy table: a Bcc recipient is invisible to everyone but the chat's owner and
 * themselves, on every path. A scripted session (the Bcc member opens the chat, types, reads,
 * posts nothing, adds and invites someone; others post, email the transcript, get notified
 * by email; the owner removes someone) runs against a real server with real sockets and real
 * SMTP. Everything each role receives (REST bodies, socket events and acks, emails) is kept,
 * then scanned for the Bcc address, the Bcc identity id and the Bcc member handle.
 */
import assert from 'node:assert/strict';
import type { CaughtMail } from '../../backend/src/mail/catcher.ts';
import {
  UUID_PATTERN,
  type CapabilitiesNotice,
  type ChatCapabilitiesView,
  type ChatPresenceView,
  type ChatSummary,
  type ChatView,
  type ContactsView,
  type PresenceNotice,
  type VideoFormat,
} from '../../protocol/index.ts';
import {
  api,
  type ClientSocket,
  connectSocket,
  lastMailId,
  nextEvent,
  request,
  signInAll,
  startTestServer,
  startTwoNodes,
  type TestServer,
  type TwoNodes,
} from '../support/server.ts';

const OWNER = 'olivia@example.com';
const TO = 'tom@example.com';
const CC = 'cecile@example.com';
const BCC = 'bea.hidden@example.com';
/** The Bcc member's display name: shown to the owner, never to anyone else. */
const BCC_NAME = 'Bea Behind-The-Curtain';
const REMOVED = 'rafael@example.com';
const OUTSIDER = 'oscar@example.net';
const OFFLINE = 'otto@example.com';
const ADDED_BY_BCC = 'ada@example.org';
const INVITED_BY_BCC = 'ines@example.org';

type Role = 'owner' | 'to' | 'cc' | 'bcc' | 'removed' | 'outsider' | 'offline';
const ADDRESS: Record<Role, string> = { owner: OWNER, to: TO, cc: CC, bcc: BCC, removed: REMOVED, outsider: OUTSIDER, offline: OFFLINE };
/** Who may learn of the Bcc member. */
const ENTITLED: Role[] = ['owner', 'bcc'];

interface Received {
  role: Role;
  what: string;
  body: unknown;
}

describe('privacy table: a Bcc member reaches nobody but the owner and themselves', function () {
  this.timeout(60_000);
  let server: TestServer;
  let mailFrom = 0;
  const received: Received[] = [];
  const tokens = {} as Record<Role, string>;
  const identities = {} as Record<Role, string>;
  const sockets = {} as Partial<Record<Role, ClientSocket>>;
  let chatId = '';
  let bccHandle = '';
  let transcriptRecipients = -1;

  /** A REST call whose answer is kept as something `role` received. */
  async function rest(role: Role, method: string, path: string, body?: unknown) {
    const r = await api(server, method, path, body, tokens[role]);
    received.push({ role, what: `${method} ${path} -> ${r.status}`, body: r.body });
    return r;
  }

  /** A socket request whose ack is kept as something `role` received. */
  async function ask(role: Role, event: string, payload: unknown) {
    const r = await request(sockets[role]!, event, payload);
    received.push({ role, what: `ack ${event}`, body: r });
    return r;
  }

  /** Lets fan-out, receipts and their database round trips settle (all are asynchronous). */
  const settle = (ms = 400) => new Promise((r) => setTimeout(r, ms));

  before(async () => {
    server = await startTestServer({
      EMAIL_BATCH_WINDOW_MS: '200',
      // Non-zero like production (scaled down): a zero delay once hid an everyone-stays-online bug.
      EMAIL_OFFLINE_DELAY_MS: '1000',
      PRESENCE_HEARTBEAT_MS: '300',
      JOBS_POLL_MS: '50',
    });
    const roles = Object.keys(ADDRESS) as Role[];
    const sessions = await signInAll(
      server,
      roles.map((r) => ADDRESS[r]),
    );
    roles.forEach((role, i) => {
      tokens[role] = sessions[i]!.token;
      identities[role] = sessions[i]!.identity.id;
    });
    mailFrom = lastMailId(server);

    // Everyone but the offline member has a live socket, every event it gets is kept.
    for (const role of roles.filter((r) => r !== 'offline')) {
      const s = await connectSocket(server.url, tokens[role]);
      s.onAny((event: string, ...args: unknown[]) => received.push({ role, what: `event ${event}`, body: args }));
      sockets[role] = s;
      await ask(role, 'chats:watch', {});
    }

    const created = await rest('owner', 'POST', '/api/chats', {
      subject: 'Quarterly numbers',
      audience: { from: [OWNER], to: [TO, OFFLINE], cc: [CC, REMOVED], bcc: [BCC] },
    });
    assert.equal(created.status, 201);
    chatId = created.body.id;
    bccHandle = server.services.chats.memberHandle(chatId, identities.bcc);

    for (const role of ['owner', 'to', 'cc', 'removed'] as const)
      assert.equal((await ask(role, 'chat:join', { chatId, lastSeq: 0 })).ok, true);
    assert.equal((await rest('offline', 'POST', `/api/chats/${chatId}/open`)).status, 200);
    assert.equal((await ask('outsider', 'chat:join', { chatId, lastSeq: 0 })).error.code, 'NOT_IN_AUDIENCE');
    await settle();
    // Everyone's "my chats" before the Bcc member opened it: theirs lists it (new), and the
    // scan below checks nobody else's reveals them.
    for (const role of roles) await rest(role, 'GET', '/api/chats');

    // The Bcc member opens the chat (what showing the email in Outlook or Thunderbird does) ...
    assert.equal((await ask('bcc', 'chat:join', { chatId, lastSeq: 0 })).ok, true);
    assert.equal((await rest('bcc', 'POST', `/api/chats/${chatId}/open`)).status, 200);
    await settle();
    // ... types without posting ...
    sockets.bcc!.emit('typing', { chatId, typing: true });
    await settle(200);
    sockets.bcc!.emit('typing', { chatId, typing: false });
    // ... while the others talk; the Bcc member's open socket makes their "delivered" move.
    const first = await ask('owner', 'message:send', { chatId, clientId: 'o-1', body: 'Numbers are in.' });
    await ask('to', 'message:send', { chatId, clientId: 't-1', body: 'Looks good to me.' });
    sockets.to!.emit('typing', { chatId, typing: true });
    sockets.owner!.emit('typing', { chatId, typing: true });
    await settle();
    // ... reads ...
    const top = first.message.seq + 1;
    assert.equal((await ask('bcc', 'read', { chatId, seq: top })).ok, true);
    assert.equal((await rest('bcc', 'POST', `/api/chats/${chatId}/read`, { seq: top })).status, 200);
    assert.equal((await ask('cc', 'read', { chatId, seq: top })).ok, true);
    // ... names themself, reacts (a reaction is state, not a log entry: it must not show as a gap to
    // the others) and cannot be mentioned, not even by the owner who sees them ...
    assert.equal((await rest('bcc', 'PUT', '/api/me/display-name', { displayName: BCC_NAME })).status, 200);
    const reacted = await rest('bcc', 'POST', `/api/chats/${chatId}/messages/${first.message.seq}/reactions`, { emoji: '👀', on: true });
    assert.equal(reacted.status, 200);
    const mention = { clientId: 'o-mention', body: 'Thoughts?', mentions: [bccHandle] };
    assert.equal((await rest('owner', 'POST', `/api/chats/${chatId}/messages`, mention)).status, 400);
    await settle();
    // ... and adds and invites someone.
    assert.equal((await rest('bcc', 'POST', `/api/chats/${chatId}/audience`, { address: ADDED_BY_BCC })).status, 200);
    assert.equal((await rest('bcc', 'POST', `/api/chats/${chatId}/invitations`, { address: INVITED_BY_BCC })).status, 201);
    await settle();

    // A visible member emails the transcript (to every member, the Bcc one included).
    const transcript = await rest('to', 'POST', `/api/chats/${chatId}/transcript`, {});
    assert.equal(transcript.status, 202);
    transcriptRecipients = transcript.body.recipients;

    // The offline member is emailed the new messages.
    await server.catcher!.waitFor(
      (m) => m.id > mailFrom && m.to.includes(OFFLINE) && !/^Transcript|code/.test(m.subject) && /Looks good/.test(m.text),
    );
    await server.catcher!.waitFor((m) => m.id > mailFrom && m.to.includes(INVITED_BY_BCC));
    await server.catcher!.waitFor((m) => m.id > mailFrom && m.to.includes(CC) && /Looks good/.test(m.text));

    // The owner removes someone; they keep nothing.
    const replaced = await rest('owner', 'PUT', `/api/chats/${chatId}/audience`, {
      audience: { from: [OWNER], to: [TO, OFFLINE], cc: [CC], bcc: [BCC] },
    });
    assert.equal(replaced.status, 200);
    await settle();

    // Everyone looks at everything there is to look at.
    for (const role of Object.keys(ADDRESS) as Role[]) {
      await rest(role, 'GET', `/api/chats/${chatId}`);
      await rest(role, 'GET', `/api/chats/${chatId}/messages?after=0`);
      await rest(role, 'GET', `/api/chats/${chatId}/messages`);
      await rest(role, 'GET', `/api/chats/${chatId}/delivery`);
      await rest(role, 'GET', '/api/chats');
      await rest(role, 'GET', `/api/chats/${chatId}/access-requests/mine`);
      if (sockets[role]) {
        await ask(role, 'chat:join', { chatId, lastSeq: 0 });
        await ask(role, 'chats:watch', {});
      }
    }
    await settle();
  });

  after(async () => {
    for (const s of Object.values(sockets)) s?.close();
    await server?.close();
  });

  function mails(): CaughtMail[] {
    return server.catcher!.list().filter((m) => m.id > mailFrom);
  }

  /** Every mail counts as received by each of its recipients; recipients outside the table are outsiders. */
  function mailFor(role: Role): CaughtMail[] {
    return mails().filter((m) =>
      m.to.some((to) => {
        const known = (Object.keys(ADDRESS) as Role[]).find((r) => ADDRESS[r] === to);
        return known ? known === role : role === 'outsider';
      }),
    );
  }

  function everything(role: Role): { what: string; text: string }[] {
    return [
      ...received.filter((r) => r.role === role).map((r) => ({ what: r.what, text: JSON.stringify(r.body) })),
      ...mailFor(role).map((m) => ({ what: `mail "${m.subject}" to ${m.to.join(', ')}`, text: JSON.stringify(m) })),
    ];
  }

  it('the session really exercised every path (the scan below is not vacuous)', () => {
    assert.ok(
      received.some((r) => r.role === 'owner' && r.what === 'event typing' && JSON.stringify(r.body).includes(bccHandle)),
      'the owner sees the Bcc member typing',
    );
    assert.ok(
      received.some((r) => r.role === 'owner' && r.what === 'event read' && JSON.stringify(r.body).includes(bccHandle)),
      'the owner sees the Bcc member read',
    );
    assert.ok(
      received.some((r) => r.role === 'owner' && r.what === 'event delivery' && JSON.stringify(r.body).includes(bccHandle)),
      'the owner sees deliveries to the Bcc member',
    );
    assert.ok(
      received.some((r) => r.role === 'to' && r.what === 'event typing'),
      'typing reached others at all',
    );
    assert.ok(
      received.some((r) => r.role === 'to' && r.what === 'event read'),
      'read reached others at all',
    );
    assert.ok(
      received.some((r) => r.role === 'to' && r.what === 'event delivery'),
      'delivery reached others at all',
    );
    assert.ok(
      received.some((r) => r.role === 'cc' && r.what === 'event typing'),
      'a visible member typing reached the others',
    );
    assert.ok(
      mailFor('bcc').some((m) => m.subject.startsWith('Transcript') || /transcript/i.test(m.text)),
      'the Bcc member got the transcript',
    );
    assert.ok(
      mailFor('outsider').some((m) => m.to.includes(INVITED_BY_BCC)),
      'the invitation went out',
    );
    assert.ok(mailFor('offline').length > 0 && mailFor('removed').length > 0, 'members were emailed');
    const ownerView = received.find((r) => r.role === 'owner' && r.what === `GET /api/chats/${chatId} -> 200`)!.body as ChatView;
    assert.ok(
      ownerView.members.some((m) => m.identityId === bccHandle),
      'the owner sees the Bcc member',
    );
    const bccView = received.find((r) => r.role === 'bcc' && r.what === `GET /api/chats/${chatId} -> 200`)!.body as ChatView;
    assert.equal(bccView.me.identityId, bccHandle);
    assert.ok(
      received.some((r) => r.role === 'owner' && r.what === 'event reaction' && JSON.stringify(r.body).includes(bccHandle)),
      "the owner sees the Bcc member's reaction",
    );
    assert.ok(
      received.some((r) => r.role === 'to' && r.what === 'event chat:updated'),
      'chat updates reached visible members at all',
    );
    assert.equal(ownerView.members.find((m) => m.identityId === bccHandle)?.displayName, BCC_NAME, "the owner sees the Bcc member's name");
  });

  for (const role of (Object.keys(ADDRESS) as Role[]).filter((r) => !ENTITLED.includes(r))) {
    it(`${role}: no Bcc address, identity id, member handle or display name in any REST body, socket event or email`, () => {
      const leaks = everything(role)
        .filter(({ text }) => [BCC, identities.bcc, bccHandle, BCC_NAME].some((t) => text.includes(t)))
        .map(({ what, text }) => `${what}: ${text.slice(0, 300)}`);
      assert.deepEqual(leaks, []);
    });
  }

  for (const role of Object.keys(ADDRESS) as Role[]) {
    it(`${role}: no global identity id of anyone else reaches them`, () => {
      const others = (Object.keys(identities) as Role[]).filter((r) => r !== role).map((r) => identities[r]);
      const leaks = everything(role)
        .filter(({ text }) => others.some((id) => text.includes(id)))
        .map(({ what, text }) => `${what}: ${text.slice(0, 300)}`);
      assert.deepEqual(leaks, []);
    });
  }

  it('no count gives the Bcc member away: members, audience, transcript recipients', () => {
    const toView = received.find((r) => r.role === 'to' && r.what === `GET /api/chats/${chatId} -> 200`)!.body as ChatView;
    const toMembers = toView.members.map((m) => m.address).sort();
    assert.deepEqual(toMembers, [CC, OFFLINE, OWNER, TO].sort());
    assert.ok(!toView.audience.some((a) => a.role === 'BCC'));
    // Sent to owner, cc, removed (still a member then), offline and the Bcc member: counted without the latter.
    assert.equal(transcriptRecipients, 4);
    const summaries = received
      .filter((r) => r.role === 'to' && r.what === 'GET /api/chats -> 200')
      .map((r) => r.body as { chats: { id: string; memberAddresses: string[] }[] });
    const mine = summaries.at(-1)!.chats.find((c) => c.id === chatId)!;
    assert.equal(mine.memberAddresses.length, toMembers.length);
  });

  it('the Bcc member lists the chat before opening it, marked new and told live; other lists show it without them', () => {
    const lists = (role: Role) =>
      received.filter((r) => r.role === role && r.what === 'GET /api/chats -> 200').map((r) => (r.body as { chats: ChatSummary[] }).chats);
    const bccFirst = lists('bcc')[0]!.find((c) => c.id === chatId);
    assert.ok(bccFirst, 'the Bcc member lists the chat before opening it');
    assert.equal(bccFirst.isNew, true);
    assert.ok(
      received.some((r) => r.role === 'bcc' && r.what === 'event chats:activity' && JSON.stringify(r.body).includes(chatId)),
      'told live',
    );
    assert.equal(
      lists('bcc')
        .at(-1)!
        .find((c) => c.id === chatId)?.isNew,
      false,
      'opened: joined',
    );
    const toFirst = lists('to')[0]!.find((c) => c.id === chatId)!;
    assert.deepEqual([...toFirst.memberAddresses].sort(), [CC, OFFLINE, OWNER, REMOVED, TO].sort());
    assert.equal(
      lists('outsider')[0]!.some((c) => c.id === chatId),
      false,
    );
  });

  it('the Bcc member opening the chat posts no "joined" message for anyone, the owner included', () => {
    const history = received.find((r) => r.role === 'owner' && r.what === `GET /api/chats/${chatId}/messages?after=0 -> 200`)!.body as {
      messages: { kind: string; body: string }[];
    };
    assert.ok(
      history.messages.some((m) => m.kind === 'SYSTEM' && m.body === `${TO} joined`),
      'visible joins are announced',
    );
    assert.ok(!history.messages.some((m) => m.body.includes(BCC)));
  });

  it('the removed member keeps no access', () => {
    const last = received.filter((r) => r.role === 'removed' && r.what.startsWith(`GET /api/chats/${chatId} ->`)).at(-1)!;
    assert.match(last.what, /-> 403$/);
  });
});

describe('privacy: guessing a hidden address confirms nothing', function () {
  this.timeout(60_000);
  let server: TestServer;
  let owner: string, alice: string, hidden: string, hidden2: string;

  before(async () => {
    server = await startTestServer({ JOBS_POLL_MS: '50' });
    const sessions = await signInAll(server, ['gwen@example.com', 'alice@example.com', 'hid@example.com', 'hid2@example.com']);
    [owner, alice, hidden, hidden2] = [sessions[0].token, sessions[1].token, sessions[2].token, sessions[3].token];
  });
  after(async () => server?.close());

  /** A chat whose Bcc recipients have opened it, as reading the email does. */
  async function chatWithHidden(): Promise<string> {
    const chat = (
      await api(
        server,
        'POST',
        '/api/chats',
        {
          subject: 'Guess',
          audience: { to: ['alice@example.com'], bcc: ['hid@example.com', 'hid2@example.com'] },
        },
        owner,
      )
    ).body;
    for (const t of [alice, hidden, hidden2])
      assert.equal((await api(server, 'POST', `/api/chats/${chat.id}/open`, undefined, t)).status, 200);
    return chat.id;
  }

  /** What the guesser learns, with the guessed address itself taken out. */
  function shape(r: { status: number; body: ChatView }, address: string) {
    const entry = r.body.audience.find((a) => a.address === address);
    return {
      status: r.status,
      entry: entry && { role: entry.role, joined: entry.joined },
      members: r.body.members.map((m) => m.address),
      audienceSize: r.body.audience.length,
    };
  }

  it('adding a Bcc recipient answers exactly as adding a new address', async () => {
    const a = await chatWithHidden();
    const b = await chatWithHidden();
    const guessed = await api<ChatView>(server, 'POST', `/api/chats/${a}/audience`, { address: 'hid@example.com' }, alice);
    const fresh = await api<ChatView>(server, 'POST', `/api/chats/${b}/audience`, { address: 'new@example.com' }, alice);
    assert.deepEqual(shape(guessed, 'hid@example.com'), shape(fresh, 'new@example.com'));
    const history = async (id: string) =>
      (await api(server, 'GET', `/api/chats/${id}/messages?after=0`, undefined, alice)).body.messages.map((m: { body: string }) =>
        m.body.replace(/hid@example\.com|new@example\.com/, 'X'),
      );
    assert.deepEqual(await history(a), await history(b));
  });

  it('inviting a Bcc recipient answers and mails exactly as inviting a new address', async () => {
    const a = await chatWithHidden();
    const b = await chatWithHidden();
    const before = lastMailId(server);
    const guessed = await api<ChatView>(server, 'POST', `/api/chats/${a}/invitations`, { address: 'hid2@example.com' }, alice);
    const fresh = await api<ChatView>(server, 'POST', `/api/chats/${b}/invitations`, { address: 'other@example.com' }, alice);
    assert.deepEqual(shape(guessed, 'hid2@example.com'), shape(fresh, 'other@example.com'));
    const mailTo = (to: string) => server.catcher!.waitFor((m) => m.id > before && m.to.includes(to));
    const [g, f] = await Promise.all([mailTo('hid2@example.com'), mailTo('other@example.com')]);
    const strip = (m: CaughtMail) => ({
      from: m.from,
      subject: m.subject,
      text: m.text.replace(/#link=[0-9a-f]+/g, '').replace(new RegExp(UUID_PATTERN, 'g'), 'ID'),
    });
    assert.deepEqual(strip(g), strip(f));
    assert.doesNotMatch(g.text, /alice@example\.com/, 'the invitation names no inviter');
  });
});

describe('privacy: the owner’s removal sticks', function () {
  this.timeout(60_000);
  let server: TestServer;

  before(async () => {
    server = await startTestServer({ JOBS_POLL_MS: '50' });
  });
  after(async () => server?.close());

  it('a member removed from the recipients loses the second address they linked and added', async () => {
    const [owner, bob] = await signInAll(server, ['owen@example.com', 'bob@example.com']);
    const chat = (await api(server, 'POST', '/api/chats', { subject: 'Stick', audience: { to: ['bob@example.com'] } }, owner!.token)).body;
    assert.equal((await api(server, 'POST', `/api/chats/${chat.id}/open`, undefined, bob!.token)).status, 200);
    // Bob links a second address of his and adds it to the chat.
    const before = lastMailId(server);
    const started = await api(server, 'POST', '/api/me/addresses', { address: 'bob.home@example.org' }, bob!.token);
    assert.equal(started.status, 202);
    const mail = await server.catcher!.waitFor((m) => m.id > before && m.to.includes('bob.home@example.org'));
    const code = /\b(\d{6})\b/.exec(mail.subject)![1];
    assert.equal((await api(server, 'POST', '/api/me/addresses/verify', { linkId: started.body.linkId, code }, bob!.token)).status, 200);
    assert.equal(
      (await api(server, 'POST', `/api/chats/${chat.id}/audience`, { address: 'bob.home@example.org' }, bob!.token)).status,
      200,
    );

    const socket = await connectSocket(server.url, bob!.token);
    try {
      assert.equal((await request(socket, 'chat:join', { chatId: chat.id, lastSeq: 0 })).ok, true);
      const removed = await api<ChatView>(server, 'PUT', `/api/chats/${chat.id}/audience`, { audience: { to: [] } }, owner!.token);
      assert.equal(removed.status, 200);
      assert.deepEqual(
        removed.body.audience.map((a) => a.address),
        ['owen@example.com'],
        'every address of his is gone',
      );
      assert.equal((await api(server, 'GET', `/api/chats/${chat.id}`, undefined, bob!.token)).status, 403);
      assert.equal((await api(server, 'POST', `/api/chats/${chat.id}/open`, undefined, bob!.token)).status, 403);
      const rejoin = await request(socket, 'chat:join', { chatId: chat.id, lastSeq: 0 });
      assert.equal(rejoin.ok ? 'ok' : rejoin.error.code, 'NOT_IN_AUDIENCE');
    } finally {
      socket.close();
    }
  });
});

describe('privacy across two server processes (rooms shared through Redis)', function () {
  this.timeout(60_000);
  let nodes: TwoNodes | undefined;
  let one: TestServer, two: TestServer;
  const sockets: ClientSocket[] = [];

  before(async () => {
    nodes = await startTwoNodes();
    ({ one, two } = nodes);
  });
  after(async () => {
    for (const s of sockets) s.close();
    await nodes?.close();
  });

  it('a Bcc member typing and reading on one node reaches the owner on the other, and no visible member', async () => {
    const [owner, tina, bcc] = await signInAll(one, ['own@example.com', 'tina@example.com', 'secret@example.com']);
    const chat = (
      await api(
        one,
        'POST',
        '/api/chats',
        { subject: 'Nodes', audience: { to: ['tina@example.com'], bcc: ['secret@example.com'] } },
        owner!.token,
      )
    ).body;
    const connect = async (server: TestServer, token: string) => {
      const s = await connectSocket(server.url, token);
      sockets.push(s);
      return s;
    };
    const ownerSocket = await connect(one, owner!.token);
    const tinaOnOne = await connect(one, tina!.token);
    const tinaOnTwo = await connect(two, tina!.token);
    const bccSocket = await connect(two, bcc!.token);
    const heardByTina: unknown[] = [];
    for (const s of [tinaOnOne, tinaOnTwo]) s.onAny((event: string, ...args: unknown[]) => heardByTina.push({ event, args }));
    const ownerJoin = await request(ownerSocket, 'chat:join', { chatId: chat.id, lastSeq: 0 });
    const tinaJoin = await request(tinaOnOne, 'chat:join', { chatId: chat.id, lastSeq: 0 });
    assert.equal(
      (await request(tinaOnTwo, 'chat:join', { chatId: chat.id, lastSeq: 0 })).chat.me.identityId,
      tinaJoin.chat.me.identityId,
      'both nodes name a member alike',
    );
    const bccJoin = await request(bccSocket, 'chat:join', { chatId: chat.id, lastSeq: 0 });
    const bccHandle = bccJoin.chat.me.identityId;
    assert.ok(ownerJoin.ok && bccJoin.ok);

    const typing = nextEvent(ownerSocket, 'typing', (t: { identityId: string }) => t.identityId === bccHandle);
    bccSocket.emit('typing', { chatId: chat.id, typing: true });
    await typing;
    const sent = await request(ownerSocket, 'message:send', { chatId: chat.id, clientId: 'n-1', body: 'hello' });
    const read = nextEvent(ownerSocket, 'read', (r: { identityId: string }) => r.identityId === bccHandle);
    await request(bccSocket, 'read', { chatId: chat.id, seq: sent.message.seq });
    await read;
    // A visible member's typing still crosses nodes to everyone, the Bcc member included.
    const tinaTyping = nextEvent(bccSocket, 'typing', (t: { identityId: string }) => t.identityId === tinaJoin.chat.me.identityId);
    tinaOnOne.emit('typing', { chatId: chat.id, typing: true });
    await tinaTyping;
    await new Promise((r) => setTimeout(r, 300));
    const leaks = heardByTina
      .map((e) => JSON.stringify(e))
      .filter((t) => [bccHandle, bcc!.identity.id, 'secret@example.com'].some((x) => t.includes(x)));
    assert.deepEqual(leaks, []);
    assert.ok(
      heardByTina.some((e) => JSON.stringify(e).includes('"message"')),
      'tina did hear the chat',
    );
  });
});

/**
 * The presence row of the privacy table: one person (Sam) under every visibility setting, seen
 * by one person per relationship, on every surface: REST (a chat's member presence, the contact
 * list), the socket (presence notices) and email (which never carries presence). The panel shows
 * exactly what those two give it; test/e2e/presence-privacy.test.ts checks what it shows in Chromium for every
 * setting and relationship (the panel column).
 */
describe('privacy table: presence follows the setting for every relationship, on every surface', function () {
  this.timeout(120_000);
  type Viewer = 'self' | 'sharer' | 'contact' | 'pending' | 'invited' | 'bccOwner' | 'bccPeer' | 'lurker' | 'blocked' | 'stranger';
  const SAM = 'sam@example.com';
  const ADDR: Record<Viewer, string> = {
    self: SAM,
    sharer: 'shara@example.com',
    contact: 'connie@example.org',
    pending: 'pen@example.net',
    invited: 'ivy@example.net',
    bccOwner: 'bo@example.com',
    bccPeer: 'pia@example.com',
    lurker: 'lu@example.org',
    blocked: 'blake@example.net',
    stranger: 'stan@example.com',
  };
  /**
   * Who may see Sam's presence under each setting:
   * sharer: both accepted a chat (Sam's), then removed each other as contacts;
   * contact: a contact who no longer shares a chat (Sam removed them from it);
   * pending: in the audience of Sam's chat, never opened it (email alone is no acceptance);
   * invited: invited by Sam, whom they had never met, and not accepted yet (the invitation is
   * their one email);
   * bccOwner: owns a chat Sam was Bcc'd on (and accepted) — the owner sees a Bcc member;
   * bccPeer: a visible member of that chat, who must never learn of the Bcc member;
   * lurker: Bcc'd on a chat where Sam is visible: they see Sam, Sam cannot see them;
   * blocked: accepted Sam's chat, but Sam blocked their address; stranger: nothing in common.
   */
  const EXPECTED: Record<string, Viewer[]> = {
    NOBODY: ['self'],
    SHARED_CHATS: ['self', 'sharer', 'bccOwner'],
    CONTACTS: ['self', 'contact', 'bccOwner'],
    SIGNED_IN: ['self', 'sharer', 'contact', 'bccOwner', 'lurker'],
  };
  const viewers = Object.keys(ADDR) as Viewer[];
  let server: TestServer;
  const tokens = {} as Record<Viewer, string>;
  const ids = {} as Record<Viewer, string>;
  /** Everyone but Sam has a socket open throughout (Sam's own come and go with each phase). */
  const sockets = {} as Partial<Record<Viewer, ClientSocket>>;
  const chats: Record<'c0' | 'c1' | 'c2' | 'c3', string> = { c0: '', c1: '', c2: '', c3: '' };
  /** Chats each viewer is a member of (where a chat presence request is theirs to make). */
  const memberOf = {} as Record<Viewer, string[]>;
  const heard: { viewer: Viewer; phase: string; notice: PresenceNotice }[] = [];
  /** Pushed client reports (capabilities:changed): about anyone, to be scanned like presence notices. */
  const heardCaps: { viewer: Viewer; phase: string; notice: CapabilitiesNotice }[] = [];
  /** Sam reports a different player in each phase, so each phase's report is news worth pushing. */
  const PLAYS: Record<string, VideoFormat[]> = {
    NOBODY: ['webm-vp9'],
    SHARED_CHATS: ['mp4-h264'],
    CONTACTS: ['webm-vp8'],
    SIGNED_IN: ['webm-vp8', 'webm-vp9'],
  };
  let phase = 'setup';
  let mailFrom = 0;

  const samHandles = () => Object.values(chats).map((c) => server.services.chats.memberHandle(c, ids.self));
  const aboutSam = (n: PresenceNotice, contactId: string | null) =>
    n.members.some((m) => samHandles().includes(m.identityId)) || (contactId !== null && n.contactId === contactId);
  const contactIdOfSam = {} as Record<Viewer, string | null>;

  before(async () => {
    server = await startTestServer({
      PRESENCE_AWAY_MS: '60000',
      EMAIL_BATCH_WINDOW_MS: '100',
      EMAIL_OFFLINE_DELAY_MS: '1000',
      PRESENCE_HEARTBEAT_MS: '300',
      JOBS_POLL_MS: '50',
    });
    const sessions = await signInAll(
      server,
      viewers.map((v) => ADDR[v]),
    );
    viewers.forEach((v, i) => {
      tokens[v] = sessions[i]!.token;
      ids[v] = sessions[i]!.identity.id;
    });
    mailFrom = lastMailId(server);
    const call = async (v: Viewer, method: string, path: string, body?: unknown) => {
      const r = await api(server, method, path, body, tokens[v]);
      assert.ok(r.status < 300, `${v} ${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`);
      return r.body;
    };
    const open = (v: Viewer, chatId: string) => call(v, 'POST', `/api/chats/${chatId}/open`);

    chats.c0 = (await call('self', 'POST', '/api/chats', { subject: 'Met once', audience: { to: [ADDR.contact] } })).id;
    await open('contact', chats.c0);
    await call('self', 'PUT', `/api/chats/${chats.c0}/audience`, { audience: { to: [] } });

    chats.c1 = (
      await call('self', 'POST', '/api/chats', { subject: 'Sam’s', audience: { to: [ADDR.sharer, ADDR.pending, ADDR.blocked] } })
    ).id;
    await call('self', 'POST', `/api/chats/${chats.c1}/invitations`, { address: ADDR.invited });
    await open('sharer', chats.c1);
    await open('blocked', chats.c1);
    const samForSharer = (await call('sharer', 'GET', '/api/me/contacts')).contacts.find((c: { address: string }) => c.address === SAM);
    await call('sharer', 'DELETE', `/api/me/contacts/${samForSharer.id}`);
    await call('self', 'POST', '/api/me/blocks', { address: ADDR.blocked });

    chats.c2 = (await call('bccOwner', 'POST', '/api/chats', { subject: 'Bcc', audience: { to: [ADDR.bccPeer], bcc: [SAM] } })).id;
    await open('self', chats.c2);
    await open('bccPeer', chats.c2);
    chats.c3 = (await call('bccOwner', 'POST', '/api/chats', { subject: 'Lurk', audience: { to: [SAM], bcc: [ADDR.lurker] } })).id;
    await open('self', chats.c3);
    await open('lurker', chats.c3);
    // Something to email: Sam writes in their chat, which the never-opened audience address is mailed.
    await call('self', 'POST', `/api/chats/${chats.c1}/messages`, { clientId: 'sam-1', body: 'Hello all' });
    await server.catcher!.waitFor((m) => m.id > mailFrom && m.to.includes(ADDR.pending) && /Hello all/.test(m.text));

    memberOf.self = [chats.c0, chats.c1, chats.c2, chats.c3];
    memberOf.sharer = [chats.c1];
    memberOf.contact = [];
    memberOf.pending = [];
    memberOf.invited = [];
    memberOf.bccOwner = [chats.c2, chats.c3];
    memberOf.bccPeer = [chats.c2];
    memberOf.lurker = [chats.c3];
    memberOf.blocked = [chats.c1];
    memberOf.stranger = [];
    for (const v of viewers) {
      const list = (await call(v, 'GET', '/api/me/contacts')).contacts as { id: string; address: string }[];
      contactIdOfSam[v] = list.find((c) => c.address === SAM)?.id ?? null;
      if (v === 'self') continue;
      const s = await connectSocket(server.url, tokens[v]);
      s.on('presence', (notice) => heard.push({ viewer: v, phase, notice }));
      s.on('capabilities:changed', (notice) => heardCaps.push({ viewer: v, phase, notice }));
      sockets[v] = s;
    }
    // The relationships are what the table says they are.
    assert.deepEqual(
      viewers.filter((v) => contactIdOfSam[v]),
      ['contact', 'bccOwner'],
    );
  });
  after(async () => {
    for (const s of Object.values(sockets)) s?.close();
    await server?.close();
  });

  /** The chats where a viewer sees Sam in the member list (a Bcc member is listed only for the owner). */
  const listedFor = (v: Viewer) => memberOf[v].filter((c) => !(c === chats.c2 && v !== 'bccOwner' && v !== 'self'));
  const samHandlesIn = (chatIds: string[]) => chatIds.map((c) => server.services.chats.memberHandle(c, ids.self));

  /** What each viewer's REST surfaces show of Sam now (client capabilities follow presence: docs/media.md). */
  async function restView(v: Viewer): Promise<{ chats: string[]; capabilities: string[]; contact: boolean; pendingRefused: boolean }> {
    const shown: string[] = [];
    const clientShown: string[] = [];
    for (const c of memberOf[v]) {
      const r = await api<ChatPresenceView>(server, 'GET', `/api/chats/${c}/presence`, undefined, tokens[v]);
      assert.equal(r.status, 200);
      const handle = server.services.chats.memberHandle(c, ids.self);
      if (r.body.members.some((m) => m.identityId === handle)) shown.push(c);
      const caps = await api<ChatCapabilitiesView>(server, 'GET', `/api/chats/${c}/capabilities`, undefined, tokens[v]);
      assert.equal(caps.status, 200);
      const sam = caps.body.members.find((m) => m.identityId === handle);
      if (sam) {
        assert.equal(sam.client?.kind, 'thunderbird', 'what Sam reported');
        clientShown.push(c);
      }
    }
    const contacts = (await api<ContactsView>(server, 'GET', '/api/me/contacts', undefined, tokens[v])).body.contacts;
    const pending = await api(server, 'GET', `/api/chats/${chats.c1}/presence`, undefined, tokens.pending);
    const pendingCaps = await api(server, 'GET', `/api/chats/${chats.c1}/capabilities`, undefined, tokens.pending);
    return {
      chats: shown,
      capabilities: clientShown,
      contact: contacts.some((c) => c.address === SAM && c.presence !== null),
      pendingRefused: pending.status === 403 && pendingCaps.status === 403,
    };
  }

  for (const [setting, allowed] of Object.entries(EXPECTED)) {
    describe(`Sam's setting ${setting}`, () => {
      before(async () => {
        phase = setting;
        assert.equal((await api(server, 'PUT', '/api/me/presence', { visibility: setting }, tokens.self)).status, 200);
        // Sam comes and goes: each change is published to exactly who may see it.
        const others = allowed.filter((v) => v !== 'self');
        const visible = (n: PresenceNotice) => n.state === 'available' && n.lastSeenAt === null;
        const came = others.map((v) =>
          nextEvent(sockets[v]!, 'presence', (n: PresenceNotice) => visible(n) && aboutSam(n, contactIdOfSam[v])),
        );
        // Sam's new report reaches, live, those who see Sam in a member list (capabilities belong to chats).
        const capsCame = others
          .filter((v) => listedFor(v).length > 0)
          .map((v) =>
            nextEvent(sockets[v]!, 'capabilities:changed', (n: CapabilitiesNotice) =>
              n.members.some((m) => samHandles().includes(m.identityId)),
            ),
          );
        const samSocket = await connectSocket(server.url, tokens.self);
        samSocket.on('presence', (notice) => heard.push({ viewer: 'self', phase, notice }));
        const reported = await request(samSocket, 'capabilities', {
          kind: 'thunderbird',
          camera: false,
          microphone: true,
          plays: PLAYS[setting],
          records: [],
          notifications: true,
        });
        assert.equal(reported.ok, true);
        await Promise.all(capsCame);
        const seenOwn = nextEvent(samSocket, 'presence', visible);
        samSocket.emit('presence:visibility', { visible: true });
        await seenOwn;
        await Promise.all(came);
        const gone = others.map((v) =>
          nextEvent(sockets[v]!, 'presence', (n: PresenceNotice) => n.state === 'offline' && aboutSam(n, contactIdOfSam[v])),
        );
        samSocket.close();
        await Promise.all(gone);
        // Late notices would land here: give them time to arrive before the scan.
        await new Promise((r) => setTimeout(r, 400));
      });

      for (const v of viewers) {
        const sees = allowed.includes(v);
        it(`${v}: ${sees ? 'sees' : 'never sees'} Sam's presence (and client capabilities) over REST and the socket`, async () => {
          const rest = await restView(v);
          // Where they see Sam at all (member lists; a Bcc member is listed only for the owner).
          const listed = listedFor(v);
          assert.deepEqual(rest.chats, sees ? listed : [], 'chat presence');
          assert.deepEqual(rest.capabilities, rest.chats, "Sam's client capabilities exactly where Sam's presence is");
          assert.equal(rest.contact, sees && contactIdOfSam[v] !== null, 'contact list presence');
          assert.equal(rest.pendingRefused, true, 'an unopened chat shows nothing');
          const notices = heard.filter((h) => h.viewer === v && h.phase === setting && aboutSam(h.notice, contactIdOfSam[v]));
          const withState = notices.filter((h) => h.notice.state !== null);
          if (sees) assert.ok(withState.length >= (v === 'self' ? 1 : 2), 'heard Sam come (and go)');
          else assert.deepEqual(withState, [], 'no presence notice about Sam');
          for (const h of notices) {
            assert.ok(
              h.notice.members.every((m) => listed.map((c) => server.services.chats.memberHandle(c, ids.self)).includes(m.identityId)),
              'named only where they already see Sam',
            );
          }
          if (v === 'self') return;
          const caps = heardCaps.filter(
            (h) => h.viewer === v && h.phase === setting && h.notice.members.some((m) => samHandles().includes(m.identityId)),
          );
          if (sees && listed.length > 0) {
            assert.equal(caps.length, 1, "Sam's new report, pushed once");
            assert.deepEqual(caps[0]!.notice.client.plays, PLAYS[setting]);
            assert.deepEqual(
              caps[0]!.notice.members.map((m) => m.identityId).sort(),
              samHandlesIn(listed).sort(),
              'named in exactly the chats where they see Sam',
            );
          } else {
            assert.deepEqual(caps, [], 'no capabilities notice about Sam');
          }
        });
      }
    });
  }

  describe('after every setting', () => {
    it('no notice about anyone reaches a viewer carrying an identity id, or Sam’s handle in a chat where Sam is hidden from them', () => {
      const bccHandle = server.services.chats.memberHandle(chats.c2, ids.self);
      for (const h of [...heard, ...heardCaps]) {
        const text = JSON.stringify(h.notice);
        assert.ok(!Object.values(ids).some((id) => text.includes(id)), `${h.viewer}: ${text}`);
        if (h.viewer !== 'bccOwner' && h.viewer !== 'self') assert.ok(!text.includes(bccHandle), `${h.viewer}: ${text}`);
      }
      assert.ok(heard.length > 0);
    });

    it('invited, not yet accepted: the invitation was the one email about the chat, while the never-opened To address was notified', () => {
      const about = (address: string) =>
        server.catcher!.list().filter((m) => m.id > mailFrom && m.to.includes(address) && m.text.includes(`/c/${chats.c1}`));
      assert.deepEqual(
        about(ADDR.invited).map((m) => m.subject),
        ['Invitation: Sam’s'],
      );
      assert.ok(about(ADDR.pending).some((m) => /Hello all/.test(m.text)));
    });

    it('email carries no presence: no state word or last-seen time in any mail to anyone', () => {
      const mails = server.catcher!.list().filter((m) => m.id > mailFrom);
      assert.ok(mails.length > 0, 'mail went out (invitations, notifications)');
      for (const m of mails)
        assert.doesNotMatch(`${m.subject}\n${m.text}`, /\b(last seen|is available|is away|is offline|presence)\b/i, m.subject);
    });
  });
});
