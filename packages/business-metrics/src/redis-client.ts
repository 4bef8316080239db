// The ioredis client of the store: a standalone node (url), a Cluster, a Sentinel-managed master,
// or the caller's own client; the ones the store creates fail fast instead of queueing.
import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';
import type { RedisStoreOptions } from './redis-types.js';
import { invalid } from './validate.js';

export type RedisClient = Redis | Cluster;

const WHERE = 'redisStore';
const SOURCES = ['url', 'cluster', 'sentinel', 'client'] as const;

// Fail fast while disconnected: the caller buffers and retries, so nothing queues unbounded.
const FAIL_FAST = {
  maxRetriesPerRequest: 0,
  autoResendUnfulfilledCommands: false,
  connectTimeout: 2000,
} as const;
const retry = (times: number): number => Math.min(times * 100, 1000);
// A demoted master answers READONLY; reconnecting asks the sentinels (or DNS) for the new one.
const reconnectOnError = (error: Error): boolean => /^READONLY\b/.test(error.message);

/** True for an ioredis Cluster, of any installed ioredis version. */
export function isCluster(client: RedisClient): client is Cluster {
  return (client as { isCluster?: unknown }).isCluster === true;
}

/** A non-empty array, or a TypeError that says which field is empty or not an array. */
function requireList(field: string, value: unknown, what: string): readonly unknown[] {
  if (!Array.isArray(value)) throw invalid(WHERE, field, value, `an array of ${what}`);
  if (value.length === 0) {
    throw new TypeError(`${WHERE}: ${field} must list at least one of ${what}, got an empty array`);
  }
  return value;
}

function checkSentinel(sentinel: RedisStoreOptions['sentinel']): void {
  if (typeof sentinel !== 'object' || sentinel === null) {
    throw invalid(WHERE, 'sentinel', sentinel, 'an object { sentinels, name }');
  }
  const sentinels = requireList(
    'sentinel.sentinels',
    sentinel.sentinels,
    'the sentinels { host, port }',
  );
  sentinels.forEach((s, i) => {
    const { host, port } = (s ?? {}) as { host?: unknown; port?: unknown };
    if (typeof host !== 'string' || host === '') {
      throw invalid(WHERE, `sentinel.sentinels[${i}].host`, host, 'a non-empty host name or IP');
    }
    if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) {
      throw invalid(WHERE, `sentinel.sentinels[${i}].port`, port, 'a port from 1 to 65535');
    }
  });
  const { name } = sentinel;
  if (typeof name !== 'string' || name.trim() === '') {
    throw invalid(WHERE, 'sentinel.name', name, 'the non-empty master name the sentinels monitor');
  }
}

function checkCluster(cluster: RedisStoreOptions['cluster']): void {
  if (typeof cluster !== 'object' || cluster === null) {
    throw invalid(WHERE, 'cluster', cluster, 'an object { nodes, options? }');
  }
  requireList('cluster.nodes', cluster.nodes, 'the startup nodes');
  const { options } = cluster;
  if (options !== undefined && (typeof options !== 'object' || options === null)) {
    throw invalid(WHERE, 'cluster.options', options, 'an object of ioredis Cluster options');
  }
}

/** Checks where the store connects: exactly one of url, cluster, sentinel and client. */
export function checkClientOptions(options: RedisStoreOptions): void {
  const given = SOURCES.filter((key) => options[key] !== undefined);
  if (given.length > 1) {
    const got = given.join(' and ');
    throw new TypeError(`${WHERE}: give one of url, cluster, sentinel or client, got ${got}`);
  }
  const { url, client, redisOptions } = options;
  if (url !== undefined && (typeof url !== 'string' || url === '')) {
    throw invalid(WHERE, 'url', url, 'a non-empty string (redis://…, rediss://…)');
  }
  if (client !== undefined && typeof (client as { pipeline?: unknown })?.pipeline !== 'function') {
    throw invalid(WHERE, 'client', client, 'an ioredis Redis or Cluster (with a pipeline method)');
  }
  if (options.cluster !== undefined) checkCluster(options.cluster);
  if (options.sentinel !== undefined) checkSentinel(options.sentinel);
  if (redisOptions !== undefined && (typeof redisOptions !== 'object' || redisOptions === null)) {
    throw invalid(WHERE, 'redisOptions', redisOptions, 'an object of ioredis options');
  }
}

function createCluster(options: RedisStoreOptions): Cluster {
  const { nodes, options: clusterOptions = {} } = options.cluster!;
  // The Cluster manages these per node itself and refuses them in redisOptions.
  const {
    host,
    port,
    path,
    sentinels,
    retryStrategy,
    enableOfflineQueue,
    readOnly,
    ...nodeOptions
  } = options.redisOptions ?? {};
  const settings: ClusterOptions = {
    enableOfflineQueue: false,
    clusterRetryStrategy: retry,
    slotsRefreshTimeout: 2000,
    ...clusterOptions,
    redisOptions: { ...FAIL_FAST, ...nodeOptions, ...clusterOptions.redisOptions },
  };
  return new Cluster([...nodes], settings);
}

/** The client the store uses, and whether the store created it (and so may close and reopen it). */
export function createClient(options: RedisStoreOptions): { client: RedisClient; owned: boolean } {
  if (options.client) return { client: options.client, owned: false };
  if (options.cluster) return { client: createCluster(options), owned: true };
  const settings: RedisOptions = {
    ...FAIL_FAST,
    enableOfflineQueue: false,
    retryStrategy: retry,
    reconnectOnError,
  };
  if (options.sentinel) {
    const { sentinels, name } = options.sentinel;
    // failoverDetector: the +switch-master event moves the client to the new master at once.
    const sentinel = { sentinels: sentinels.map((s) => ({ ...s })), name, failoverDetector: true };
    return {
      client: new Redis({ ...settings, ...sentinel, ...options.redisOptions }),
      owned: true,
    };
  }
  const url = options.url ?? 'redis://127.0.0.1:6379';
  return { client: new Redis(url, { ...settings, ...options.redisOptions }), owned: true };
}
