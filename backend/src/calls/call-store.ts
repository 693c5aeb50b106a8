import type { Redis } from 'ioredis';
import { LuaScript } from '../ops/lua-script.ts';
import type { CallRecord } from './call.ts';

/** The outcome of a change: the call as it is now, and whether this change was the one applied. */
export interface Changed {
  call: CallRecord;
  changed: boolean;
}

/**
 * Where calls live. One process keeps them in memory (MemoryCallStore); several share them
 * through Redis (RedisCallStore), since a chat's members may be connected to different nodes.
 * Every change is a compare-and-set on the whole call, so two nodes changing one call at the
 * same moment (two joins when one place is left, two members ending it) cannot both win.
 */
export interface CallStore {
  /** Stores a new call, unless the chat already has one going on: then that one is returned. */
  create(call: CallRecord): Promise<CallRecord>;
  get(callId: string): Promise<CallRecord | undefined>;
  inChat(chatId: string): Promise<CallRecord | undefined>;
  /**
   * Applies `change` to the latest state of a call (it may throw to refuse; it returns false
   * to leave the call as it is). A call that `change` ends is removed. Undefined when there
   * is no such call.
   */
  update(callId: string, change: (call: CallRecord) => boolean): Promise<Changed | undefined>;
}

export class MemoryCallStore implements CallStore {
  private readonly calls = new Map<string, CallRecord>();
  private readonly byChat = new Map<string, string>();

  async create(call: CallRecord): Promise<CallRecord> {
    const running = this.byChat.get(call.chat.id);
    if (running) return structuredClone(this.calls.get(running)!);
    this.calls.set(call.id, structuredClone(call));
    this.byChat.set(call.chat.id, call.id);
    return call;
  }

  async get(callId: string): Promise<CallRecord | undefined> {
    const call = this.calls.get(callId);
    return call && structuredClone(call);
  }

  async inChat(chatId: string): Promise<CallRecord | undefined> {
    const id = this.byChat.get(chatId);
    return id === undefined ? undefined : this.get(id);
  }

  async update(callId: string, change: (call: CallRecord) => boolean): Promise<Changed | undefined> {
    const stored = this.calls.get(callId);
    if (!stored) return undefined;
    const call = structuredClone(stored);
    if (!change(call)) return { call, changed: false };
    if (call.ended) {
      this.calls.delete(callId);
      if (this.byChat.get(call.chat.id) === callId) this.byChat.delete(call.chat.id);
    } else this.calls.set(callId, structuredClone(call));
    return { call, changed: true };
  }
}

/*
 * Layout under `<prefix>:call:` (P):
 *   P<call id>          the call as JSON
 *   Pchat:<chat id>     the id of the call going on in the chat (one per chat)
 * Both expire after `ttlMs` without a change: a call whose nodes all went away does not stay
 * joinable for ever. The keys are built inside the scripts (fine for one Redis, not Redis Cluster).
 */
// ARGV: P, chat id, call id, call JSON, ttl ms. Returns the running call's id, or false once stored.
const CREATE = `
local P, chat, id, json, ttl = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local running = redis.call('GET', P .. 'chat:' .. chat)
if running and redis.call('EXISTS', P .. running) == 1 then return running end
redis.call('SET', P .. 'chat:' .. chat, id, 'PX', ttl)
redis.call('SET', P .. id, json, 'PX', ttl)
return false
`;
// ARGV: P, chat id, call id, the JSON read, the new JSON ('' when the call ended), ttl ms. 1 when applied.
const SWAP = `
local P, chat, id, old, new, ttl = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6]
if redis.call('GET', P .. id) ~= old then return 0 end
if new == '' then
  redis.call('DEL', P .. id)
  if redis.call('GET', P .. 'chat:' .. chat) == id then redis.call('DEL', P .. 'chat:' .. chat) end
else
  redis.call('SET', P .. id, new, 'PX', ttl)
  redis.call('PEXPIRE', P .. 'chat:' .. chat, ttl)
end
return 1
`;

const create = new LuaScript(CREATE);
const swap = new LuaScript(SWAP);

/** Compare-and-set attempts before giving up on a call that keeps changing under us. */
const MAX_ATTEMPTS = 20;

export class RedisCallStore implements CallStore {
  private readonly prefix: string;

  constructor(
    private readonly redis: Redis,
    keyPrefix: string,
    private readonly ttlMs = 24 * 3_600_000,
  ) {
    this.prefix = `${keyPrefix}:call:`;
  }

  async create(call: CallRecord): Promise<CallRecord> {
    const running = await create.run(this.redis, [this.prefix, call.chat.id, call.id, JSON.stringify(call), this.ttlMs]);
    if (typeof running !== 'string') return call;
    // Ended between the two reads: start ours after all.
    return (await this.get(running)) ?? this.create(call);
  }

  async get(callId: string): Promise<CallRecord | undefined> {
    const json = await this.redis.get(this.prefix + callId);
    return json === null ? undefined : (JSON.parse(json) as CallRecord);
  }

  async inChat(chatId: string): Promise<CallRecord | undefined> {
    const id = await this.redis.get(`${this.prefix}chat:${chatId}`);
    return id === null ? undefined : this.get(id);
  }

  async update(callId: string, change: (call: CallRecord) => boolean): Promise<Changed | undefined> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const old = await this.redis.get(this.prefix + callId);
      if (old === null) return undefined;
      const call = JSON.parse(old) as CallRecord;
      if (!change(call)) return { call, changed: false };
      const next = call.ended ? '' : JSON.stringify(call);
      if ((await swap.run(this.redis, [this.prefix, call.chat.id, callId, old, next, this.ttlMs])) === 1) return { call, changed: true };
    }
    throw new Error(`call ${callId} kept changing: gave up after ${MAX_ATTEMPTS} attempts`);
  }
}
