import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Redis } from 'ioredis';
import { AppError } from '../errors.ts';

/**
 * Named rate limits. With Redis every node shares the counters; without it each node
 * counts alone, which is right for the single-process default.
 */
export interface RateLimit {
  /** Throws RATE_LIMITED with a retry hint when the key is over its budget. */
  consume(key: string, what: string): Promise<void>;
}

export function createRateLimit(name: string, points: number, durationSeconds: number, redis?: Redis): RateLimit {
  const opts = { keyPrefix: `rl:${name}`, points, duration: durationSeconds };
  const limiter: RateLimiterAbstract = redis
    ? // While Redis is unreachable each node counts alone (fails over to memory at once, no waiting on Redis).
      new RateLimiterRedis({ ...opts, storeClient: redis, rejectIfRedisNotReady: true, insuranceLimiter: new RateLimiterMemory(opts) })
    : new RateLimiterMemory(opts);
  return {
    async consume(key, what) {
      try {
        await limiter.consume(key);
      } catch (err) {
        if (err instanceof RateLimiterRes) {
          const retryAfterSeconds = Math.ceil(err.msBeforeNext / 1000);
          throw new AppError('RATE_LIMITED', `Too many ${what}; try again in ${retryAfterSeconds} s`, {
            retryAfterSeconds,
          });
        }
        throw err;
      }
    },
  };
}
