/**
 * The chat panel's outbox: a message keeps its client id across retries, so after a dropped
 * connection it is re-sent until acknowledged and never posted twice. The delivery function
 * here stands in for the transport and behaves like the server: the same client id returns
 * the first result.
 */
import assert from 'node:assert/strict';
import type { MessageView } from '../../protocol/index.ts';
import { Outbox } from '../../ui/src/chat-panel/outbox.ts';
import { TransportError } from '../../ui/src/transport.ts';

const tick = () => new Promise((r) => setImmediate(r));

function fakeServer() {
  const committed = new Map<string, MessageView>();
  let seq = 0;
  const attempts: string[] = [];
  let failNext: TransportError | null = null;
  let loseAckNext = false;
  return {
    committed,
    attempts,
    failWith(e: TransportError) {
      failNext = e;
    },
    loseNextAck() {
      loseAckNext = true;
    },
    async deliver(clientId: string, body: string): Promise<MessageView> {
      attempts.push(clientId);
      if (failNext) {
        const e = failNext;
        failNext = null;
        throw e;
      }
      let m = committed.get(clientId);
      if (!m) {
        m = {
          chatId: 'c',
          seq: ++seq,
          clientId,
          authorId: 'me',
          authorAddress: 'me@example.com',
          kind: 'TEXT',
          body,
          targetSeq: null,
          createdAt: new Date().toISOString(),
          deleted: false,
        };
        committed.set(clientId, m);
      }
      if (loseAckNext) {
        loseAckNext = false;
        throw new TransportError('OFFLINE', 'The connection dropped before the server answered');
      }
      return m;
    },
  };
}

describe('chat panel outbox', () => {
  it('re-sends with the same client id after a lost acknowledgement: one message, not two', async () => {
    const server = fakeServer();
    const delivered: MessageView[] = [];
    const outbox = new Outbox((id, body) => server.deliver(id, body), () => {}, (m) => delivered.push(m));
    server.loseNextAck();
    const p = outbox.add('hello');
    await tick();
    assert.equal(outbox.list()[0]?.state, 'waiting');
    assert.equal(server.committed.size, 1, 'committed even though the ack was lost');

    outbox.retryAll();
    await tick();
    assert.deepEqual(server.attempts, [p.clientId, p.clientId]);
    assert.equal(server.committed.size, 1);
    assert.equal(delivered.length, 1);
    assert.equal(delivered[0]!.seq, 1);
    assert.deepEqual(outbox.list(), []);
  });

  it('keeps waiting through offline and timeouts, and stops on a final refusal', async () => {
    const server = fakeServer();
    const outbox = new Outbox((id, body) => server.deliver(id, body), () => {}, () => {});
    server.failWith(new TransportError('TIMEOUT', 'The server did not answer in time'));
    outbox.add('one');
    await tick();
    assert.equal(outbox.list()[0]?.state, 'waiting');

    server.failWith(new TransportError('CHAT_ENDED', 'This chat has ended; no new messages can be posted'));
    outbox.retryAll();
    await tick();
    const [failed] = outbox.list();
    assert.equal(failed?.state, 'failed');
    assert.match(failed?.error ?? '', /ended/);
    outbox.retryAll();
    await tick();
    assert.equal(server.attempts.length, 2, 'a final refusal is not retried');
    outbox.discard(failed!.clientId);
    assert.deepEqual(outbox.list(), []);
    outbox.stop();
  });

  it('settles a message that arrived by another path (live event) and does not deliver it again', async () => {
    let release!: (m: MessageView) => void;
    const delivered: MessageView[] = [];
    const outbox = new Outbox(
      () => new Promise<MessageView>((r) => (release = r)),
      () => {},
      (m) => delivered.push(m),
    );
    const p = outbox.add('hi');
    assert.equal(outbox.settle(p.clientId), true);
    assert.deepEqual(outbox.list(), []);
    release({ clientId: p.clientId } as MessageView);
    await tick();
    // onDelivered still hands over the ack; the transcript de-duplicates it by seq.
    assert.equal(delivered.length, 1);
  });

  it('restores unsent messages from an earlier page with their own client ids', async () => {
    const server = fakeServer();
    // The earlier page's send reached the server, but the page closed before the ack.
    await server.deliver('kept-1', 'first').catch(() => {});
    const delivered: MessageView[] = [];
    const outbox = new Outbox((id, body) => server.deliver(id, body), () => {}, (m) => delivered.push(m));
    outbox.restore([
      { clientId: 'kept-1', body: 'first' },
      { clientId: 'kept-2', body: 'second' },
    ]);
    await tick();
    assert.deepEqual(server.attempts, ['kept-1', 'kept-1', 'kept-2']);
    assert.equal(server.committed.size, 2, 'the first one is not posted again');
    assert.deepEqual(delivered.map((m) => m.body), ['first', 'second']);
    assert.deepEqual(outbox.unsent(), []);
  });
});
