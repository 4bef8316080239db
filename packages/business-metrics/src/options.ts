// Options of createBusinessMetrics, checked and resolved once.
import type { AnyRegistry, Metrics } from '@ai-orchestrator/metrics';
import { businessWarnings } from './health.js';
import { PUBLIC_SALT, createHasher, randomSalt, type IdHasher } from './hash.js';
import { memoryStore } from './memory-store.js';
import type { BusinessMetricsOptions, BusinessStore } from './types.js';
import { MAX_TIMER_MS, invalid, optionalInteger, requireName, requireObject } from './validate.js';

const WHERE = 'createBusinessMetrics';

export interface ResolvedOptions {
  readonly service: string;
  readonly registry: AnyRegistry;
  readonly store: BusinessStore;
  readonly now: () => Date;
  readonly hash: IdHasher;
  readonly cacheTtlMs: number;
  readonly flushIntervalMs: number;
  readonly flushBatchSize: number;
  readonly maxBufferedEvents: number;
  readonly storeTimeoutMs: number;
  readonly maxPlans: number;
}

function checkStore(value: unknown): BusinessStore {
  const store = value as BusinessStore;
  if (
    typeof value !== 'object' ||
    value === null ||
    typeof store.write !== 'function' ||
    typeof store.read !== 'function' ||
    typeof store.close !== 'function'
  ) {
    throw invalid(
      WHERE,
      'store',
      value,
      'an object with write, read and close methods (memoryStore() or redisStore())',
    );
  }
  return store;
}

function chooseSalt(salt: unknown, store: BusinessStore): string {
  if (salt !== undefined) return requireName(WHERE, 'salt', salt);
  const fromEnv = process.env.BUSINESS_METRICS_SALT;
  if (fromEnv) return fromEnv;
  if (!store.shared) return randomSalt();
  // Replicas must hash alike to count a user once; a public salt still keeps raw ids out of the store.
  businessWarnings().emit(
    'no salt given for a shared store; set the salt option or BUSINESS_METRICS_SALT to a ' +
      'secret shared by the replicas',
  );
  return PUBLIC_SALT;
}

/** The user's clock, checked on every call: a bad Date would otherwise key a day as "Invalid". */
function checkedClock(now: unknown): () => Date {
  if (now === undefined) return () => new Date();
  if (typeof now !== 'function') throw invalid(WHERE, 'now', now, 'a function returning a Date');
  const clock = now as () => unknown;
  return () => {
    const date = clock();
    if (!(date instanceof Date) || Number.isNaN(date.getTime())) {
      throw invalid(WHERE, 'now()', date, 'a valid Date');
    }
    return date;
  };
}

export function resolveOptions(options: BusinessMetricsOptions): ResolvedOptions {
  const given = requireObject<BusinessMetricsOptions>(WHERE, 'options', options);
  const metrics = requireObject<Metrics>(WHERE, 'metrics', given.metrics);
  const service = requireName(WHERE, 'metrics.serviceName', metrics.serviceName);
  const store = checkStore(given.store ?? memoryStore());
  const integer = (field: keyof BusinessMetricsOptions, fallback: number, max?: number): number =>
    optionalInteger(WHERE, field, given[field], fallback, max);
  return {
    service,
    registry: metrics.registry,
    store,
    now: checkedClock(given.now),
    cacheTtlMs: integer('cacheTtlMs', 5000),
    // Node turns a timer delay past 2^31 - 1 ms into 1 ms: a bound, not a silent surprise.
    flushIntervalMs: integer('flushIntervalMs', 1000, MAX_TIMER_MS),
    flushBatchSize: integer('flushBatchSize', 1000),
    maxBufferedEvents: integer('maxBufferedEvents', 100_000),
    storeTimeoutMs: integer('storeTimeoutMs', 2000, MAX_TIMER_MS),
    maxPlans: integer('maxPlans', 20),
    hash: createHasher(chooseSalt(given.salt, store)),
  };
}
