// The shared store: PFADD into per-day HyperLogLog keys, PFCOUNT unions, MRR and CSAT in hashes.
// Every replica reads the same keys, so every replica reports the same numbers.
import { Redis } from 'ioredis';
import { watchConnection } from './redis-connection.js';
import type { RedisStoreOptions } from './redis-types.js';
import type {
  BusinessStore,
  StoreBatch,
  StoreCallOptions,
  StoreQuery,
  StoreSnapshot,
} from './types.js';
import { invalid, optionalInteger } from './validate.js';

const DEFAULT_TTL = 35 * 86_400;

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

function checkClientOptions(options: RedisStoreOptions): void {
  const { url, client, redisOptions } = options;
  if (url !== undefined && (typeof url !== 'string' || url === '')) {
    throw invalid('redisStore', 'url', url, 'a non-empty string (redis://…, rediss://…)');
  }
  if (client !== undefined && typeof (client as { pipeline?: unknown })?.pipeline !== 'function') {
    throw invalid('redisStore', 'client', client, 'an ioredis client (with a pipeline method)');
  }
  if (redisOptions !== undefined && (typeof redisOptions !== 'object' || redisOptions === null)) {
    throw invalid('redisStore', 'redisOptions', redisOptions, 'an object of ioredis options');
  }
}

/**
 * A store in Redis, shared by every replica of a service (dashboards then use `max`).
 * Record calls never wait on it: events are buffered and written in pipelines.
 *
 * @example
 * import { redisStore } from '@ai-orchestrator/business-metrics/redis';
 * const business = createBusinessMetrics({ metrics, store: redisStore({ url: process.env.REDIS_URL }), salt });
 */
export function redisStore(options: RedisStoreOptions = {}): BusinessStore {
  const where = 'redisStore';
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw invalid(where, 'options', options, 'an object (not null, not an array)');
  }
  const prefix = options.keyPrefix ?? '{ai-orchestrator:business}:';
  if (typeof prefix !== 'string') throw invalid(where, 'keyPrefix', prefix, 'a string');
  const chunkSize = optionalInteger(where, 'chunkSize', options.chunkSize, 1000);
  const ttl = optionalInteger(where, 'dayTtlSeconds', options.dayTtlSeconds, DEFAULT_TTL);
  checkClientOptions(options);
  const owned = options.client === undefined;
  const client =
    options.client ??
    new Redis(options.url ?? 'redis://127.0.0.1:6379', {
      // Fail fast while disconnected: the caller buffers and retries, so nothing queues unbounded.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      autoResendUnfulfilledCommands: false,
      connectTimeout: 2000,
      retryStrategy: (times) => Math.min(times * 100, 1000),
      ...options.redisOptions,
    });
  const connection = watchConnection(client, owned);

  const users = (day: string): string => `${prefix}users:${day}`;
  const csat = (day: string): string => `${prefix}csat:${day}`;
  const subscriptions = `${prefix}subscriptions`;
  const mrr = `${prefix}mrr`;

  return {
    shared: true,
    async write(batch: StoreBatch, call?: StoreCallOptions): Promise<void> {
      await connection.ready(call?.signal);
      const p = client.pipeline();
      for (const [day, ids] of batch.users) {
        for (let i = 0; i < ids.length; i += chunkSize)
          p.pfadd(users(day), ...ids.slice(i, i + chunkSize));
        p.expire(users(day), ttl);
      }
      for (const change of batch.subscriptions) {
        const set = change.type === 'set';
        p.eval(
          SUBSCRIBE,
          2,
          subscriptions,
          mrr,
          change.customer,
          set ? change.currency : '',
          set ? String(change.amountUnits) : '0',
        );
      }
      for (const [day, s] of batch.satisfaction) {
        p.hincrby(csat(day), 'responses', s.responses);
        p.hincrby(csat(day), 'satisfied', s.satisfied);
        p.expire(csat(day), ttl);
      }
      await connection.exec(p, call?.signal);
    },
    async read(query: StoreQuery, call?: StoreCallOptions): Promise<StoreSnapshot> {
      await connection.ready(call?.signal);
      const p = client.pipeline();
      p.pfcount(...query.day.map(users));
      p.pfcount(...query.week.map(users));
      p.pfcount(...query.month.map(users));
      p.hgetall(mrr);
      for (const day of query.month) p.hmget(csat(day), 'responses', 'satisfied');
      const [dau, wau, mau, totals, ...days] = await connection.exec(p, call?.signal);
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
    },
    async close(call?: StoreCallOptions): Promise<void> {
      if (!owned) return;
      // quit needs a live connection that answers; disconnect does not.
      if (client.status !== 'ready') return client.disconnect();
      call?.signal?.addEventListener('abort', () => client.disconnect(), { once: true });
      try {
        await client.quit();
      } catch {
        client.disconnect();
      }
    },
  };
}
