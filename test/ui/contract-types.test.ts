/**
 * The typed contract. Its compile-time half runs with `npm run typecheck`: every line marked
 * @ts-expect-error must stay a type error, so a contract that loosens (a code, a reason, a body,
 * an answer, an ack or a path parameter that anything would satisfy) fails the typecheck.
 * The run-time half checks how the zod-free route table fills in paths for the browser client.
 */
import assert from 'node:assert/strict';
import type { ClientToServerEvents, ErrorCode, RouteBody, RouteResponse, ServerClosingReason } from '../../protocol/index.ts';
import { routePath } from '../../protocol/routes.ts';

type JoinAck = Parameters<Parameters<ClientToServerEvents['chat:join']>[1]>[0];

export const compileTimeContract = () => {
  // @ts-expect-error an error code outside the protocol's union
  const unknownCode: ErrorCode = 'TEAPOT';
  // @ts-expect-error server:closing reasons are a closed union
  const unknownReason: ServerClosingReason = 'bored';
  // @ts-expect-error a chat's retention is ARCHIVED or EPHEMERAL
  const badBody: RouteBody<'createChat'> = { retention: 'FOREVER' };
  // @ts-expect-error GET /me answers a MeView, which carries no token
  const noToken: RouteResponse<'me'>['token'] = '';
  // @ts-expect-error the join ack carries {chat, missed, hasMore}, not a message
  const wrongAck: JoinAck = { ok: true, message: null };
  // @ts-expect-error GET /chats/:chatId has no :seq parameter
  const extraParam = routePath('chat', { chatId: 'x', seq: 1 });
  // @ts-expect-error DELETE /chats/:chatId/messages/:seq needs :seq
  const missingParam = routePath('deleteMessage', { chatId: 'x' });
  return [unknownCode, unknownReason, badBody, noToken, wrongAck, extraParam, missingParam];
};

describe('protocol route table (zod-free half)', () => {
  it('fills in path parameters, URI-encoded, and refuses a missing one at run time too', () => {
    assert.equal(routePath('deleteMessage', { chatId: 'a/b c', seq: 7 }), '/chats/a%2Fb%20c/messages/7');
    assert.equal(routePath('me', {}), '/me');
    assert.throws(() => compileTimeContract(), /needs the path parameter seq/);
  });
});
