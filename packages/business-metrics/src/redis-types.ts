// Public types of the `@ai-orchestrator/business-metrics/redis` entry (kept apart so the main entry
// never references ioredis types).
import type { Cluster, ClusterNode, ClusterOptions, Redis, RedisOptions } from 'ioredis';

/** A Redis Cluster the store connects to (one of `url`, `cluster`, `sentinel` or `client`). */
export interface RedisClusterConfig {
  /** Startup nodes: `'127.0.0.1:7000'`, `'redis://host:7000'` or `{ host, port }`; one reachable node is enough. */
  readonly nodes: readonly ClusterNode[];
  /**
   * Extra ioredis Cluster options (e.g. `natMap`, `scaleReads`); the fail-fast defaults stay unless
   * overridden. Per-node connection options (password, TLS) go in the store's `redisOptions`.
   */
  readonly options?: ClusterOptions;
}

/** A master found through Redis Sentinel (one of `url`, `cluster`, `sentinel` or `client`). */
export interface RedisSentinelConfig {
  /** Sentinel addresses; the store asks them for the master and follows failovers. */
  readonly sentinels: readonly { readonly host: string; readonly port: number }[];
  /** The master name the sentinels monitor (`sentinel monitor <name> …`). */
  readonly name: string;
}

export interface RedisStoreOptions {
  /** Where Redis is (default `redis://127.0.0.1:6379`); for one node, possibly with replicas you fail over yourself. */
  readonly url?: string;
  /** A Redis Cluster: the store creates an ioredis `Cluster` and closes it on `close()`. */
  readonly cluster?: RedisClusterConfig;
  /** A Sentinel-managed master: the store creates an ioredis client in Sentinel mode. */
  readonly sentinel?: RedisSentinelConfig;
  /**
   * Extra ioredis options for the connections the store creates (the fail-fast defaults stay unless
   * overridden): the client of `url` or `sentinel` (e.g. `password`, `sentinelPassword`, `tls`),
   * or each node connection of `cluster`.
   */
  readonly redisOptions?: RedisOptions;
  /**
   * An ioredis client you own (a `Redis`, a `Redis` in Sentinel mode, or a `Cluster`): the store
   * uses it and never closes it.
   */
  readonly client?: Redis | Cluster;
  /**
   * Prefix of every key (default `{ai-orchestrator:business}:`). Its `{…}` hash tag puts every key
   * on one Cluster slot, so each read and write is one single-slot pipeline; with a Cluster the
   * prefix must hold a non-empty hash tag. Services sharing a prefix share their counts.
   */
  readonly keyPrefix?: string;
  /** User hashes per `PFADD` command (default 1000). */
  readonly chunkSize?: number;
  /** Seconds a day's keys live after their last write (default 35 days, past the 30-day window). */
  readonly dayTtlSeconds?: number;
  /**
   * How long written batches are kept to be written again if a failover loses them (default
   * 30000 ms; 0 turns it off). Redis replicates asynchronously: a promoted replica may lack the
   * last writes the old master acknowledged.
   */
  readonly replayWindowMs?: number;
  /** Most events kept for replay (default 100000); past it the oldest batches are let go. */
  readonly maxReplayEvents?: number;
}
