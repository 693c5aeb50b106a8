import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from '../log.ts';

/**
 * The node's Redis connections, each tuned for what it carries during an outage:
 *
 * - `commands` (rate-limit counters): fails fast while Redis is away (no offline queue, a
 *   short command timeout), so a request never waits on Redis; the limiters fall back to
 *   per-node memory counters meanwhile.
 * - `adapter` (the Socket.IO streams adapter, which duplicates it for its stream reader and
 *   its pub/sub subscriber): never gives up on a command. A broadcast published during an
 *   outage waits in the client's queue and reaches the stream once Redis is back, and the
 *   reader resumes from its last stream offset, so other nodes' clients get what they missed.
 *
 * Every client has an 'error' listener (an ioredis client without one prints "Unhandled error
 * event" on each reconnect attempt); the listener logs at warn, once per window, and says
 * when the connection is back.
 */
export interface RedisClients {
  commands: Redis;
  adapter: Redis;
  keyPrefix: string;
  close(): void;
}

export async function connectRedis(url: string, keyPrefix: string, log: Logger, logEveryMs = 10_000): Promise<RedisClients> {
  const base: RedisOptions = {
    lazyConnect: true,
    // Reconnect quickly at first, then every 2 s: recovery within a few seconds of Redis returning.
    retryStrategy: (times) => Math.min(100 * times, 2_000),
  };
  const commands = watched(
    new Redis(url, { ...base, enableOfflineQueue: false, maxRetriesPerRequest: 1, commandTimeout: 1_000 }),
    'commands',
    log,
    logEveryMs,
  );
  const adapter = watched(new Redis(url, { ...base, maxRetriesPerRequest: null }), 'adapter', log, logEveryMs);
  try {
    await Promise.all([commands.connect(), adapter.connect()]);
  } catch (err) {
    commands.disconnect();
    adapter.disconnect();
    throw err;
  }
  return {
    commands,
    adapter,
    keyPrefix,
    close() {
      commands.disconnect();
      adapter.disconnect();
    },
  };
}

function watched(client: Redis, role: string, log: Logger, everyMs: number): Redis {
  let lastLogged = 0;
  let failing = false;
  let suppressed = 0;
  client.on('error', (err: Error) => {
    failing = true;
    const now = Date.now();
    if (now - lastLogged < everyMs) {
      suppressed++;
      return;
    }
    log.warn({ redis: role, err: err.message, suppressed }, 'Redis unavailable; retrying');
    lastLogged = now;
    suppressed = 0;
  });
  client.on('ready', () => {
    if (!failing) return;
    failing = false;
    log.info({ redis: role }, 'Redis connection restored');
  });
  return client;
}
