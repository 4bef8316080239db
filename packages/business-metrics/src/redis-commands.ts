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

/** PFADD per day (in chunks), the subscription script per change, HINCRBY per satisfaction day. */
export function queueWrite(p: ChainableCommander, batch: StoreBatch, k: Layout): void {
  for (const [day, ids] of batch.users) {
    for (let i = 0; i < ids.length; i += k.chunkSize) {
      p.pfadd(users(k, day), ...ids.slice(i, i + k.chunkSize));
    }
    p.expire(users(k, day), k.ttl);
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
  }
  for (const [day, s] of batch.satisfaction) {
    p.hincrby(csat(k, day), 'responses', s.responses);
    p.hincrby(csat(k, day), 'satisfied', s.satisfied);
    p.expire(csat(k, day), k.ttl);
  }
}

/** PFCOUNT unions of the three windows, the MRR hash, and the satisfaction counts of the month. */
export function queueRead(p: ChainableCommander, query: StoreQuery, k: Layout): void {
  p.pfcount(...query.day.map((day) => users(k, day)));
  p.pfcount(...query.week.map((day) => users(k, day)));
  p.pfcount(...query.month.map((day) => users(k, day)));
  p.hgetall(`${k.prefix}mrr`);
  for (const day of query.month) p.hmget(csat(k, day), 'responses', 'satisfied');
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
