import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

/**
 * A Lua script run atomically in Redis by its SHA-1 (EVALSHA), sent whole only when the server
 * does not know it yet (after a restart or a SCRIPT FLUSH), so each call carries a hash, not the script.
 */
export class LuaScript {
  private readonly sha: string;
  constructor(private readonly source: string) {
    this.sha = createHash('sha1').update(source).digest('hex');
  }
  async run(redis: Redis, args: (string | number)[]): Promise<unknown> {
    try {
      return await redis.evalsha(this.sha, 0, ...args);
    } catch (err) {
      if (!/NOSCRIPT/.test(String((err as Error).message))) throw err;
      return redis.eval(this.source, 0, ...args);
    }
  }
}
