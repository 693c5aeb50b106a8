/**
 * The shared REST client against the real server (fresh PostgreSQL, real SMTP catcher): typed
 * results, and the server's `{error:{code,message,details}}` surfaced as ApiError.
 */
import assert from 'node:assert/strict';
import { ApiClient, ApiError } from '../../ui/src/api-client.ts';
import { codeFromMail, lastMailId, signIn, startTestServer, type TestServer } from '../support/server.ts';
import { rejection } from '../support/assertions.ts';

describe('ApiClient (shared REST client)', function () {
  this.timeout(60_000);
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(async () => {
    await server?.close();
  });

  it('signs in with a code, and reports a wrong code with its tries left', async () => {
    let token: string | null = null;
    const client = new ApiClient({ baseUrl: server.url, getToken: () => token });
    const before = lastMailId(server);
    const started = await client.startSignIn('dana@example.com');
    const code = await codeFromMail(server, 'dana@example.com', before);
    const wrong = await rejection(client.verifyCode(started.verificationId, code === '000000' ? '111111' : '000000'), ApiError);
    assert.equal(wrong.code, 'CODE_WRONG');
    assert.equal(wrong.status, 400);
    assert.match(wrong.message, /tries left/);
    assert.equal(typeof wrong.details.attemptsLeft, 'number');

    const session = await client.verifyCode(started.verificationId, code, 'test');
    token = session.token;
    const me = await client.me();
    assert.deepEqual(me.addresses, ['dana@example.com']);
    await client.signOut();
    assert.equal((await rejection(client.me(), ApiError)).code, 'UNAUTHENTICATED');
  });

  it('covers chats, messages, reads and access requests', async () => {
    const owner = await signIn(server, 'erin@example.com');
    const member = await signIn(server, 'finn@example.com');
    const outsider = await signIn(server, 'gus@example.com');
    const asOwner = new ApiClient({ baseUrl: server.url, getToken: () => owner.token });
    const asMember = new ApiClient({ baseUrl: server.url, getToken: () => member.token });
    const asOutsider = new ApiClient({ baseUrl: server.url, getToken: () => outsider.token });

    const chat = await asOwner.createChat({ subject: 'API', audience: { to: ['finn@example.com'] }, source: 'STANDALONE' });
    assert.equal(chat.isOwner, true);
    const opened = await asMember.openChat(chat.id);
    assert.equal(opened.me.address, 'finn@example.com');

    const sent = await asMember.sendMessage(chat.id, 'api-1', 'hello');
    const again = await asMember.sendMessage(chat.id, 'api-1', 'hello');
    assert.equal(again.seq, sent.seq, 'same client id, same message');
    const page = await asOwner.history(chat.id, { before: sent.seq + 1, limit: 10 });
    assert.ok(page.messages.some((m) => m.seq === sent.seq && m.body === 'hello'));
    assert.equal(await asOwner.markRead(chat.id, sent.seq), sent.seq);
    const deleted = await asMember.deleteMessage(chat.id, sent.seq);
    assert.equal(deleted.kind, 'DELETION');
    assert.equal(deleted.targetSeq, sent.seq);
    assert.ok((await asOwner.listChats()).some((c) => c.id === chat.id));

    const refused = await rejection(asOutsider.openChat(chat.id), ApiError);
    assert.equal(refused.code, 'NOT_IN_AUDIENCE');
    assert.equal(refused.status, 403);
    assert.equal(refused.details.canRequestAccess, true);
    const request = await asOutsider.requestAccess(chat.id, 'please');
    assert.equal((await asOutsider.myAccessRequest(chat.id))?.status, 'PENDING');
    assert.deepEqual(
      (await asOwner.accessRequests(chat.id)).map((r) => r.id),
      [request.id],
    );
    assert.equal((await asOwner.decideAccess(chat.id, request.id, 'APPROVE')).status, 'APPROVED');
    assert.equal((await asOutsider.openChat(chat.id)).me.address, 'gus@example.com');

    const ended = await asOwner.endChat(chat.id);
    assert.ok(ended.endedAt);
    assert.equal((await rejection(asMember.sendMessage(chat.id, 'api-2', 'late'), ApiError)).code, 'CHAT_ENDED');
  });

  it('turns an unknown chat and an unreachable server into ApiErrors', async () => {
    const s = await signIn(server, 'hana@example.com');
    const client = new ApiClient({ baseUrl: server.url, getToken: () => s.token });
    const missing = await rejection(client.openChat('7b0c2f7e-8a51-4d7e-9d4e-2f1d2c3b4a59'), ApiError);
    assert.equal(missing.code, 'NOT_FOUND');
    assert.equal(missing.status, 404);
    const nowhere = new ApiClient({ baseUrl: 'http://127.0.0.1:9', getToken: () => s.token });
    const network = await rejection(nowhere.me(), ApiError);
    assert.equal(network.code, 'NETWORK');
    assert.equal(network.status, 0);
  });
});
