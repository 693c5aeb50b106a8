/**
 * The message writer alone against PostgreSQL, no sockets: how long one batch takes with the
 * one-statement path and its locked-transaction fallback, by batch size, on a table that already holds
 * messages. Usage: tsx bench/writer-micro.ts  (BENCH_MICRO_ROUNDS=20)
 */
import { performance } from 'node:perf_hooks';
import { randomUUID } from 'node:crypto';
import { migrate } from '../backend/src/db/migrator.ts';
import { createPool } from '../backend/src/db/pool.ts';
import { appendAfterLocking, appendInOneStatement } from '../backend/src/chats/message-writer.ts';
import { createLogger } from '../backend/src/log.ts';
import { createBenchDatabase, seedChats } from './lib/database.ts';
import { percentiles, fmt } from './lib/stats.ts';

const rounds = Number(process.env.BENCH_MICRO_ROUNDS ?? 20);
const db = await createBenchDatabase();
const pool = createPool(db.url, 4);
try {
  await migrate(pool, createLogger('silent'));
  const chats = await seedChats(db.url, 250, 4, 'micro');
  const members = chats.flat();
  // A realistic table: 100 messages per chat already there.
  await pool.query(
    `INSERT INTO message (chat_id, seq, client_id, author_id, author_address, kind, body)
     SELECT m.chat_id, g, 'old-' || g, m.identity_id, m.address, 'TEXT', repeat('x', 100)
       FROM (SELECT DISTINCT ON (chat_id) * FROM member ORDER BY chat_id) m, generate_series(1, 100) g`,
  );
  await pool.query(`UPDATE chat SET last_seq = 100`);
  await pool.query('ANALYZE');
  let n = 0;
  const batchOf = (size: number) =>
    Array.from({ length: size }, () => {
      const who = members[Math.floor(Math.random() * members.length)]!;
      return {
        msg: {
          chatId: who.chatId,
          clientId: `c${n++}`,
          authorId: who.identityId,
          authorAddress: 'x@bench.example',
          kind: 'TEXT' as const,
          body: 'x'.repeat(100),
        },
        resolve() {},
        reject(e: unknown) {
          throw e;
        },
      };
    });
  for (const size of [1, 10, 50, 200, 500]) {
    const one: number[] = [];
    const tx: number[] = [];
    for (let r = 0; r < rounds; r++) {
      let t = performance.now();
      await appendInOneStatement(pool, batchOf(size));
      one.push(performance.now() - t);
      t = performance.now();
      await appendAfterLocking(pool, batchOf(size));
      tx.push(performance.now() - t);
    }
    const a = percentiles(one);
    const b = percentiles(tx);
    console.log(
      `batch ${String(size).padStart(3)}: one statement p50 ${fmt(a.p50, 2)} ms (${fmt((size / a.p50) * 1000)} msg/s per connection), ` +
        `transaction p50 ${fmt(b.p50, 2)} ms (${fmt((size / b.p50) * 1000)} msg/s)`,
    );
  }
} finally {
  await pool.end();
  await db.drop();
}
void randomUUID;
