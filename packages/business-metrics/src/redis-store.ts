// The shared store: PFADD into per-day HyperLogLog keys, PFCOUNT unions, MRR and CSAT in hashes.
// Every replica reads the same keys, so every replica reports the same numbers.
import { Redis } from 'ioredis';
import { parseRead, queueRead, queueWrite, type Layout } from './redis-commands.js';
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

  const layout: Layout = { prefix, chunkSize, ttl };

  return {
    shared: true,
    async write(batch: StoreBatch, call?: StoreCallOptions): Promise<void> {
      await connection.ready(call?.signal);
      const p = client.pipeline();
      queueWrite(p, batch, layout);
      await connection.exec(p, call?.signal);
    },
    async read(query: StoreQuery, call?: StoreCallOptions): Promise<StoreSnapshot> {
      await connection.ready(call?.signal);
      const p = client.pipeline();
      queueRead(p, query, layout);
      return parseRead(await connection.exec(p, call?.signal));
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
