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
          editedAt: null,
          reactions: [],
          mentions: [],
          mentionsMe: false,
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
    const outbox = new Outbox(
      (id, body) => server.deliver(id, body),
      () => {},
      (m) => delivered.push(m),
    );
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
    const outbox = new Outbox(
      (id, body) => server.deliver(id, body),
      () => {},
      () => {},
    );
    server.failWith(new TransportError('TIMEOUT', 'The server did not answer in time'));
    outbox.add('one');
    await tick();
    assert.equal(outbox.list()[0]?.state, 'retrying');

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
    const outbox = new Outbox(
      (id, body) => server.deliver(id, body),
      () => {},
      (m) => delivered.push(m),
    );
    outbox.restore([
      { clientId: 'kept-1', body: 'first' },
      { clientId: 'kept-2', body: 'second' },
    ]);
    await tick();
    assert.deepEqual(server.attempts, ['kept-1', 'kept-1', 'kept-2']);
    assert.equal(server.committed.size, 2, 'the first one is not posted again');
    assert.deepEqual(
      delivered.map((m) => m.body),
      ['first', 'second'],
    );
    assert.deepEqual(outbox.unsent(), []);
  });

  /** The server of fakeServer(), down (UNAVAILABLE, as during a database outage) until told otherwise. */
  function flakyServer() {
    const server = fakeServer();
    let down = true;
    return {
      server,
      recover: () => (down = false),
      deliver: (id: string, body: string) =>
        down ? Promise.reject(new TransportError('UNAVAILABLE', 'The service is briefly unavailable')) : server.deliver(id, body),
    };
  }

  it('after an outage, my messages commit in the order I typed them', async () => {
    const { server, recover, deliver } = flakyServer();
    const outbox = new Outbox(
      deliver,
      () => {},
      () => {},
    );
    outbox.add('typed during the outage');
    await tick();
    assert.equal(outbox.list()[0]?.state, 'retrying');
    recover();
    outbox.add('typed after recovery');
    const start = Date.now();
    while (server.committed.size < 2 && Date.now() - start < 3_000) await new Promise((r) => setTimeout(r, 20));
    const order = [...server.committed.values()].sort((a, b) => a.seq - b.seq).map((m) => m.body);
    assert.deepEqual(order, ['typed during the outage', 'typed after recovery']);
    outbox.stop();
  });

  it('once a send can go through, every older waiting message goes at once, not after its backoff', async () => {
    const { server, recover, deliver } = flakyServer();
    const states: string[][] = [];
    const outbox = new Outbox(
      deliver,
      () => states.push(outbox.list().map((p) => p.state)),
      () => {},
    );
    outbox.add('one');
    await tick();
    // Several failed attempts: the backoff has grown to seconds.
    for (let i = 0; i < 3; i++) {
      outbox.retryAll();
      await tick();
    }
    outbox.add('two');
    await tick();
    assert.deepEqual(
      outbox.list().map((p) => p.state),
      ['retrying', 'queued'],
      'the newer one waits its turn, labelled as such',
    );
    recover();
    const sentAt = Date.now();
    outbox.add('three');
    while (server.committed.size < 3 && Date.now() - sentAt < 2_000) await new Promise((r) => setTimeout(r, 5));
    assert.ok(Date.now() - sentAt < 200, `all sent within ${Date.now() - sentAt} ms of the server recovering`);
    assert.deepEqual(
      [...server.committed.values()].sort((a, b) => a.seq - b.seq).map((m) => m.body),
      ['one', 'two', 'three'],
    );
    assert.deepEqual(outbox.list(), []);
    assert.ok(
      states.every((s) => s.filter((x) => x === 'sending').length <= 1),
      'one message on the wire at a time',
    );
    outbox.stop();
  });
});
