// The Redis commands of the store: key layout, the pipelines of a write and a read, and the
// parsing of a read's replies.
import type { ChainableCommander } from 'ioredis';
import type { StoreBatch, StoreQuery, StoreSnapshot } from './types.js';

// Atomic so concurrent replicas never double-count: undo the customer's old amount, apply the new one.
// Amounts travel as decimal strings (Lua numbers would print large values in exponent form).
const SUBSCRIBE = `
local old = redis.call('HGET', KEYS[1], ARGV[1])
if old then
  local sep = string.find(old, ':', 1, true)
  local amount = string.sub(old, sep + 1)
  if amount ~= '0' then redis.call('HINCRBY', KEYS[2], string.sub(old, 1, sep - 1), '-' .. amount) end
end
if ARGV[2] == '' then
  redis.call('HDEL', KEYS[1], ARGV[1])
else
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[2] .. ':' .. ARGV[3])
  redis.call('HINCRBY', KEYS[2], ARGV[2], ARGV[3])
end
return 1`;

// Counts a batch's satisfaction once however often it is sent: a marker per batch and day, set
// with the counts in one atomic step, makes a retry (after a lost reply or a timeout) a no-op.
const SATISFACTION = `
if redis.call('EXISTS', KEYS[2]) == 1 then return 0 end
redis.call('HINCRBY', KEYS[1], 'responses', ARGV[1])
redis.call('HINCRBY', KEYS[1], 'satisfied', ARGV[2])
redis.call('EXPIRE', KEYS[1], ARGV[3])
redis.call('SET', KEYS[2], '1', 'EX', ARGV[4])
return 1`;

// How long a batch's marker lives: a retry later than this (an outage longer than an hour right
// after a write whose reply was lost) would count again; one key per batch is kept that long.
export const MARKER_TTL_SECONDS = 3600;

export interface Layout {
  readonly prefix: string;
  readonly chunkSize: number;
  readonly ttl: number;
}

/**
 * The hash tag of keys starting with `prefix` (Redis hashes only the part between the first `{`
 * and the next `}` when it is not empty), or undefined when the prefix holds no complete tag.
 */
export function hashTag(prefix: string): string | undefined {
  const open = prefix.indexOf('{');
  const close = open < 0 ? -1 : prefix.indexOf('}', open + 1);
  return close > open + 1 ? prefix.slice(open + 1, close) : undefined;
}

const users = (k: Layout, day: string): string => `${k.prefix}users:${day}`;
const csat = (k: Layout, day: string): string => `${k.prefix}csat:${day}`;

/** One queued command of a write: the key it writes and the events lost if it is refused. */
export interface WritePart {
  readonly key: string;
  readonly events: number;
}

/**
 * PFADD per day (in chunks), the subscription script per change, the satisfaction script per day
 * (counted once per batch id); returns what each queued command writes, in order.
 */
export function queueWrite(
  p: ChainableCommander,
  batch: StoreBatch,
  k: Layout,
  id: string,
): WritePart[] {
  const parts: WritePart[] = [];
  for (const [day, ids] of batch.users) {
    for (let i = 0; i < ids.length; i += k.chunkSize) {
      const chunk = ids.slice(i, i + k.chunkSize);
      p.pfadd(users(k, day), ...chunk);
      parts.push({ key: users(k, day), events: chunk.length });
    }
    p.expire(users(k, day), k.ttl);
    parts.push({ key: users(k, day), events: 0 });
  }
  for (const change of batch.subscriptions) {
    const set = change.type === 'set';
    const [currency, amount] = set ? [change.currency, String(change.amountUnits)] : ['', '0'];
    p.eval(
      SUBSCRIBE,
      2,
      `${k.prefix}subscriptions`,
      `${k.prefix}mrr`,
      change.customer,
      currency,
      amount,
    );
    parts.push({ key: `${k.prefix}subscriptions`, events: 1 });
  }
  for (const [day, s] of batch.satisfaction) {
    // Under the prefix, so in a Cluster the marker hashes to the slot of the counts.
    const marker = `${k.prefix}csat-batch:${id}:${day}`;
    p.eval(
      SATISFACTION,
      2,
      csat(k, day),
      marker,
      s.responses,
      s.satisfied,
      k.ttl,
      MARKER_TTL_SECONDS,
    );
    parts.push({ key: csat(k, day), events: s.responses });
  }
  return parts;
}

/**
 * PFCOUNT unions of the three windows, the MRR hash, and the satisfaction counts of the month,
 * leaving out the keys in `skip` (keys Redis refuses to read, e.g. of the wrong type).
 */
export function queueRead(
  p: ChainableCommander,
  query: StoreQuery,
  k: Layout,
  skip: ReadonlySet<string> = new Set(),
): void {
  for (const window of [query.day, query.week, query.month]) {
    const keys = window.map((day) => users(k, day)).filter((key) => !skip.has(key));
    // A key never written counts 0 and keeps every reply in its place.
    p.pfcount(...(keys.length > 0 ? keys : [users(k, 'none')]));
  }
  p.hgetall(`${k.prefix}mrr`);
  for (const day of query.month) {
    if (!skip.has(csat(k, day))) p.hmget(csat(k, day), 'responses', 'satisfied');
  }
}

/** One command per key of a read, to find which keys Redis refuses; returns the keys in order. */
export function queueKeyCheck(p: ChainableCommander, query: StoreQuery, k: Layout): string[] {
  const keys: string[] = [];
  for (const day of query.month) {
    p.pfcount(users(k, day));
    p.hmget(csat(k, day), 'responses');
    keys.push(users(k, day), csat(k, day));
  }
  return keys;
}

export function parseRead(replies: readonly unknown[]): StoreSnapshot {
  const [dau, wau, mau, totals, ...days] = replies;
  let csatResponses = 0;
  let csatSatisfied = 0;
  for (const [responses, satisfied] of days as [string | null, string | null][]) {
    csatResponses += Number(responses ?? 0);
    csatSatisfied += Number(satisfied ?? 0);
  }
  const mrrUnits: Record<string, number> = {};
  for (const [currency, units] of Object.entries(totals as Record<string, string>)) {
    mrrUnits[currency] = Number(units);
  }
  return {
    dau: Number(dau),
    wau: Number(wau),
    mau: Number(mau),
    mrrUnits,
    csatResponses,
    csatSatisfied,
  };
}
