import type { Redis } from 'ioredis';
import { LuaScript } from '../ops/lua-script.ts';
import { AppError } from '../errors.ts';
import { isSaid, type MessageView } from '../../../protocol/index.ts';
import {
  isUnread,
  MESSAGE_OVERHEAD_BYTES,
  totalQuotaError,
  userQuotaError,
  type EphemeralLimits,
  type EphemeralLog,
} from './ephemeral-store.ts';
import type { NewMessage } from './message-log.ts';

/*
 * Layout under `<prefix>:eph:` (P):
 *   P<chat>:seq   the chat's one counter (INCR): the single ordering rule across processes
 *   P<chat>:log   sorted set, score = seq, member = the message as JSON
 *   P<chat>:ids   hash client id -> seq (idempotent retries)
 *   Pexpiry       sorted set, score = created-at ms, member = "<chat>|<seq>" (the TTL sweep)
 *   Pbytes, Puser:<identity>   bytes held, for the global and per-user caps
 * Every change runs as one Lua script, so seq, dedupe and the byte counts move together.
 * The keys are built inside the scripts, which is fine for one Redis (not for Redis Cluster).
 */
const FORGET = `
local function forget(P, chat, entry, overhead)
  local v = cjson.decode(entry)
  redis.call('HDEL', P .. chat .. ':ids', v.clientId)
  redis.call('ZREM', P .. 'expiry', chat .. '|' .. tostring(v.seq))
  local size = string.len(v.body) + overhead
  redis.call('DECRBY', P .. 'bytes', size)
  if type(v.authorId) == 'string' then
    local key = P .. 'user:' .. v.authorId
    if redis.call('DECRBY', key, size) <= 0 then redis.call('DEL', key) end
  end
end
`;

// ARGV: P, chat, clientId, authorId|'', view JSON (seq 0), createdAt ms, trusted, maxPerChat, maxUser, maxTotal, overhead
const APPEND = `${FORGET}
local P, chat, overhead = ARGV[1], ARGV[2], tonumber(ARGV[11])
local log = P .. chat .. ':log'
local prior = redis.call('HGET', P .. chat .. ':ids', ARGV[3])
if prior then
  local e = redis.call('ZRANGEBYSCORE', log, prior, prior)
  if e[1] then return {0, e[1]} end
end
local v = cjson.decode(ARGV[5])
local size = string.len(v.body) + overhead
if ARGV[7] ~= '1' then
  if ARGV[4] ~= '' and tonumber(redis.call('GET', P .. 'user:' .. ARGV[4]) or '0') + size > tonumber(ARGV[9]) then return {-1} end
  if tonumber(redis.call('GET', P .. 'bytes') or '0') + size > tonumber(ARGV[10]) then return {-2} end
end
local seq = redis.call('INCR', P .. chat .. ':seq')
v.seq = seq
local entry = cjson.encode(v)
redis.call('ZADD', log, seq, entry)
redis.call('HSET', P .. chat .. ':ids', ARGV[3], seq)
redis.call('ZADD', P .. 'expiry', ARGV[6], chat .. '|' .. seq)
redis.call('INCRBY', P .. 'bytes', size)
if ARGV[4] ~= '' then redis.call('INCRBY', P .. 'user:' .. ARGV[4], size) end
if redis.call('ZCARD', log) > tonumber(ARGV[8]) then
  local oldest = redis.call('ZRANGE', log, 0, 0)
  redis.call('ZREMRANGEBYRANK', log, 0, 0)
  forget(P, chat, oldest[1], overhead)
end
return {1, entry}
`;

// ARGV: P, chat, seq, overhead
const TOMBSTONE = `
local P, chat, seq, overhead = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4])
local log = P .. chat .. ':log'
local e = redis.call('ZRANGEBYSCORE', log, seq, seq)
if not e[1] then return 0 end
local v = cjson.decode(e[1])
if v.deleted then return 0 end
local freed = string.len(v.body)
v.body = ''
v.deleted = true
redis.call('ZREMRANGEBYSCORE', log, seq, seq)
redis.call('ZADD', log, seq, cjson.encode(v))
redis.call('DECRBY', P .. 'bytes', freed)
if type(v.authorId) == 'string' then redis.call('DECRBY', P .. 'user:' .. v.authorId, freed) end
return 1
`;

// ARGV: P, cutoff ms, limit, overhead
const SWEEP = `${FORGET}
local P, overhead = ARGV[1], tonumber(ARGV[4])
local due = redis.call('ZRANGEBYSCORE', P .. 'expiry', '-inf', ARGV[2], 'LIMIT', 0, ARGV[3])
for _, member in ipairs(due) do
  local bar = string.find(member, '|', 1, true)
  local chat, seq = string.sub(member, 1, bar - 1), string.sub(member, bar + 1)
  local log = P .. chat .. ':log'
  local e = redis.call('ZRANGEBYSCORE', log, seq, seq)
  redis.call('ZREMRANGEBYSCORE', log, seq, seq)
  if e[1] then forget(P, chat, e[1], overhead) else redis.call('ZREM', P .. 'expiry', member) end
end
return #due
`;

// ARGV: P, chat, overhead. The counter stays: the chat's end notice still takes the next seq.
const DROP = `${FORGET}
local P, chat, overhead = ARGV[1], ARGV[2], tonumber(ARGV[3])
local log = P .. chat .. ':log'
local all = redis.call('ZRANGE', log, 0, -1)
redis.call('DEL', log)
for _, entry in ipairs(all) do forget(P, chat, entry, overhead) end
redis.call('DEL', P .. chat .. ':ids')
return #all
`;

const scripts = {
  append: new LuaScript(APPEND),
  tombstone: new LuaScript(TOMBSTONE),
  sweep: new LuaScript(SWEEP),
  drop: new LuaScript(DROP),
};

/** Lone surrogates become U+FFFD, as PostgreSQL's UTF-8 encoding does for archived chats (Redis's JSON decoder refuses them). */
const wellFormed = (s: string) => s.replace(/\p{Cs}/gu, '\uFFFD');

function parse(entry: string): MessageView {
  const m = JSON.parse(entry) as MessageView;
  // The scripts' cjson writes an empty array back as {}: lists are made lists again here.
  return { ...m, mentions: Array.isArray(m.mentions) ? m.mentions : [], reactions: [] };
}

/**
 * Ephemeral messages shared by every process through Redis (with REDIS_URL): one atomic counter
 * per chat numbers them, so two processes never hand out the same seq, live order is seq order,
 * and a member re-joining anywhere sees the whole log. Nothing is written to PostgreSQL.
 */
export class RedisEphemeralStore implements EphemeralLog {
  private readonly p: string;
  private readonly sweeper: NodeJS.Timeout;

  constructor(
    private readonly redis: Redis,
    keyPrefix: string,
    private readonly limits: EphemeralLimits,
  ) {
    this.p = `${keyPrefix}:eph:`;
    this.sweeper = setInterval(() => void this.sweep().catch(() => {}), Math.min(limits.ttlMs, 60_000));
    this.sweeper.unref();
  }

  async append(m: NewMessage): Promise<{ view: MessageView; fresh: boolean }> {
    const draft: MessageView = {
      chatId: m.chatId,
      seq: 0,
      clientId: m.clientId,
      authorId: m.authorId,
      authorAddress: m.authorAddress === null ? null : wellFormed(m.authorAddress),
      kind: m.kind,
      body: wellFormed(m.body),
      targetSeq: m.targetSeq ?? null,
      createdAt: new Date().toISOString(),
      deleted: false,
      // Ephemeral chats refuse edits (ephemeral-message-log.ts).
      editedAt: null,
      reactions: [],
      mentions: m.mentions ?? [],
      mentionsMe: false,
    };
    const reply = await scripts.append.run(this.redis, [
      this.p,
      m.chatId,
      m.clientId,
      m.authorId ?? '',
      JSON.stringify(draft),
      Date.parse(draft.createdAt),
      m.trusted ? '1' : '0',
      this.limits.maxPerChat,
      this.limits.maxBytesPerUser,
      this.limits.maxBytesTotal,
      MESSAGE_OVERHEAD_BYTES,
    ]);
    const [verdict, entry] = Array.isArray(reply) ? reply : [];
    if (verdict === -1) throw userQuotaError(this.limits);
    if (verdict === -2) throw totalQuotaError();
    if (typeof entry !== 'string') throw new Error(`unexpected ephemeral append reply: ${JSON.stringify(reply)}`);
    const view = parse(entry);
    if (verdict === 0) {
      if (view.authorId !== m.authorId) throw new AppError('CONFLICT', 'That message id is already used in this chat');
      return { view, fresh: false };
    }
    return { view, fresh: true };
  }

  async lastSeq(chatId: string): Promise<number> {
    return Number((await this.redis.get(`${this.p}${chatId}:seq`)) ?? 0);
  }

  async get(chatId: string, seq: number): Promise<MessageView | undefined> {
    const [entry] = await this.redis.zrangebyscore(`${this.p}${chatId}:log`, seq, seq);
    return entry === undefined ? undefined : parse(entry);
  }

  async tombstone(chatId: string, seq: number): Promise<boolean> {
    return Number(await scripts.tombstone.run(this.redis, [this.p, chatId, seq, MESSAGE_OVERHEAD_BYTES])) === 1;
  }

  async page(
    chatId: string,
    opts: { before?: number; after?: number; limit: number },
  ): Promise<{ messages: MessageView[]; hasMore: boolean }> {
    const log = `${this.p}${chatId}:log`;
    const entries =
      opts.after !== undefined
        ? await this.redis.zrangebyscore(log, `(${opts.after}`, '+inf', 'LIMIT', 0, opts.limit + 1)
        : await this.redis.zrevrangebyscore(
            log,
            opts.before === undefined ? '+inf' : `(${opts.before}`,
            '-inf',
            'LIMIT',
            0,
            opts.limit + 1,
          );
    return { messages: entries.slice(0, opts.limit).map(parse), hasMore: entries.length > opts.limit };
  }

  async unreadFor(chatId: string, afterSeq: number, identityId: string): Promise<number> {
    const entries = await this.redis.zrangebyscore(`${this.p}${chatId}:log`, `(${afterSeq}`, '+inf');
    return entries.map(parse).filter((m) => isUnread(m, afterSeq, identityId)).length;
  }

  async lastSaid(chatId: string): Promise<MessageView | null> {
    const log = `${this.p}${chatId}:log`;
    for (let start = 0; start < this.limits.maxPerChat; start += 50) {
      const entries = await this.redis.zrevrange(log, start, start + 49);
      for (const e of entries) {
        const m = parse(e);
        if (isSaid(m.kind)) return m;
      }
      if (entries.length < 50) break;
    }
    return null;
  }

  async drop(chatId: string): Promise<void> {
    await scripts.drop.run(this.redis, [this.p, chatId, MESSAGE_OVERHEAD_BYTES]);
  }

  /** Forgets messages older than the TTL, in steps, on whichever process gets there first. */
  async sweep(): Promise<void> {
    const cutoff = Date.now() - this.limits.ttlMs;
    while (Number(await scripts.sweep.run(this.redis, [this.p, cutoff, 500, MESSAGE_OVERHEAD_BYTES])) === 500);
  }

  /** Bytes currently held (for tests and metrics). */
  async heldBytes(authorId?: string): Promise<number> {
    return Number((await this.redis.get(authorId === undefined ? `${this.p}bytes` : `${this.p}user:${authorId}`)) ?? 0);
  }

  close(): void {
    clearInterval(this.sweeper);
  }
}
