// Public types of the `@ai-orchestrator/business-metrics/redis` entry (kept apart so the main entry
// never references ioredis types).
import type { Redis, RedisOptions } from 'ioredis';

export interface RedisStoreOptions {
  /** Where Redis is (default `redis://127.0.0.1:6379`); ignored when `client` is given. */
  readonly url?: string;
  /** Extra ioredis options for the client the store creates (the fail-fast defaults stay unless overridden). */
  readonly redisOptions?: RedisOptions;
  /** An ioredis client you own: the store uses it and never closes it. */
  readonly client?: Redis;
  /**
   * Prefix of every key (default `{ai-orchestrator:business}:`, a hash tag, so the multi-key
   * `PFCOUNT` stays on one Cluster slot). Services sharing a prefix share their counts.
   */
  readonly keyPrefix?: string;
  /** User hashes per `PFADD` command (default 1000). */
  readonly chunkSize?: number;
  /** Seconds a day's keys live after their last write (default 35 days, past the 30-day window). */
  readonly dayTtlSeconds?: number;
}
