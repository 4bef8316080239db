// Options of redisStore, checked and resolved once (before any connection is opened).
import { checkClientOptions, isCluster } from './redis-client.js';
import { hashTag, type Layout } from './redis-commands.js';
import type { RedisStoreOptions } from './redis-types.js';
import { invalid, optionalInteger } from './validate.js';

const WHERE = 'redisStore';
const DEFAULT_TTL = 35 * 86_400;
export const DEFAULT_PREFIX = '{ai-orchestrator:business}:';

export interface ResolvedStoreOptions {
  readonly layout: Layout;
  readonly replayWindowMs: number;
  readonly maxReplayEvents: number;
}

function replayWindow(value: unknown): number {
  if (value === undefined) return 30_000;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw invalid(WHERE, 'replayWindowMs', value, 'an integer >= 0 (0 turns replay off)');
  }
  return value;
}

export function resolveStoreOptions(options: RedisStoreOptions): ResolvedStoreOptions {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw invalid(WHERE, 'options', options, 'an object (not null, not an array)');
  }
  const prefix = options.keyPrefix ?? DEFAULT_PREFIX;
  if (typeof prefix !== 'string') throw invalid(WHERE, 'keyPrefix', prefix, 'a string');
  const chunkSize = optionalInteger(WHERE, 'chunkSize', options.chunkSize, 1000);
  const ttl = optionalInteger(WHERE, 'dayTtlSeconds', options.dayTtlSeconds, DEFAULT_TTL);
  checkClientOptions(options);
  const clustered =
    options.cluster !== undefined || (options.client !== undefined && isCluster(options.client));
  // Multi-key PFCOUNT, the subscription script and each pipeline need all their keys on one slot.
  if (clustered && hashTag(prefix) === undefined) {
    throw invalid(
      WHERE,
      'keyPrefix',
      prefix,
      'a prefix holding a non-empty {hash tag} (e.g. "{kpi:api}:") with a Redis Cluster',
    );
  }
  return {
    layout: { prefix, chunkSize, ttl },
    replayWindowMs: replayWindow(options.replayWindowMs),
    maxReplayEvents: optionalInteger(WHERE, 'maxReplayEvents', options.maxReplayEvents, 100_000),
  };
}
