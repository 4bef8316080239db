// The shared store: PFADD into per-day HyperLogLog keys, PFCOUNT unions, MRR and CSAT in hashes.
// Every replica reads the same keys, so every replica reports the same numbers.
import { createClient, type RedisClient } from './redis-client.js';
import { batchId } from './buffer.js';
import { isRefused } from './reason.js';
import { parseRead, queueKeyCheck, queueRead, queueWrite, type Layout } from './redis-commands.js';
import { watchConnection, type Connection } from './redis-connection.js';
import { resolveStoreOptions } from './redis-options.js';
import { PROBE, ReplayLog, parsePosition, type Position } from './redis-replay.js';
import type { RedisStoreOptions } from './redis-types.js';
import type {
  BusinessStore,
  StoreBatch,
  StoreCallOptions,
  StoreQuery,
  StoreRejection,
  StoreSnapshot,
  StoreWriteResult,
} from './types.js';

type IdentifiedBatch = StoreBatch & { readonly id: string };

interface Written {
  /** The master's position after the write, if it tells. */
  readonly position: Position | undefined;
  readonly rejected: readonly StoreRejection[];
}

/**
 * A store in Redis, shared by every replica of a service (dashboards then use `max`): one node
 * (`url`), a Redis Cluster (`cluster`), a Sentinel-managed master (`sentinel`) or your own ioredis
 * client. Record calls never wait on it: events are buffered and written in pipelines.
 *
 * @example
 * import { redisStore } from '@ai-orchestrator/business-metrics/redis';
 * const store = redisStore({ cluster: { nodes: ['10.0.0.1:6379', '10.0.0.2:6379'] } });
 * const business = createBusinessMetrics({ metrics, store, salt });
 */
export function redisStore(options: RedisStoreOptions = {}): BusinessStore {
  const resolved = resolveStoreOptions(options);
  const { client, owned } = createClient(options);
  const replay =
    resolved.replayWindowMs > 0
      ? new ReplayLog(resolved.replayWindowMs, resolved.maxReplayEvents)
      : undefined;
  return new RedisStore(client, owned, resolved.layout, replay);
}

class RedisStore implements BusinessStore {
  readonly shared = true;
  readonly #client: RedisClient;
  readonly #owned: boolean;
  readonly #connection: Connection;
  readonly #layout: Layout;
  readonly #replay: ReplayLog | undefined;

  constructor(client: RedisClient, owned: boolean, layout: Layout, replay?: ReplayLog) {
    this.#client = client;
    this.#owned = owned;
    this.#connection = watchConnection(client, owned);
    this.#layout = layout;
    this.#replay = replay;
  }

  async write(batch: StoreBatch, call?: StoreCallOptions): Promise<StoreWriteResult> {
    await this.#connection.ready(call?.signal);
    // Each attempt of a batch carries its id; a batch without one is counted once per attempt.
    const sent = { ...batch, id: batch.id ?? batchId() };
    const written = await this.#write(sent, call?.signal);
    if (written.position) this.#replay?.add(sent, written.position);
    const repaired = await this.#repair(written.position, call?.signal);
    return { rejected: [...written.rejected, ...repaired] };
  }

  async read(query: StoreQuery, call?: StoreCallOptions): Promise<StoreSnapshot> {
    await this.#connection.ready(call?.signal);
    const p = this.#client.pipeline();
    if (this.#replay) p.eval(PROBE, 1, `${this.#layout.prefix}mrr`);
    queueRead(p, query, this.#layout);
    const replies = await this.#connection.execEach(p, call?.signal);
    if (this.#replay) {
      const [error, probe] = replies.shift()!;
      if (error) throw error;
      // A failover with no writes since: what the new master lacks is written now, counted next read.
      await this.#repair(parsePosition(probe), call?.signal);
    }
    const failed = replies.find(([error]) => error)?.[0];
    if (!failed) return parseRead(replies.map(([, value]) => value));
    if (!isRefused(failed) || replies.some(([error]) => error && !isRefused(error))) throw failed;
    return this.#readAround(query, call?.signal);
  }

  /**
   * A key Redis refuses to read (wrong type) fails every union it is in: finds such keys and reads
   * the KPIs from the others, naming what it left out. The MRR hash is one key: no way around it.
   */
  async #readAround(query: StoreQuery, signal?: AbortSignal): Promise<StoreSnapshot> {
    const check = this.#client.pipeline();
    const keys = queueKeyCheck(check, query, this.#layout);
    const skipped: { key: string; error: Error }[] = [];
    for (const [i, [error]] of (await this.#connection.execEach(check, signal)).entries()) {
      if (!error) continue;
      if (!isRefused(error)) throw error;
      skipped.push({ key: keys[i]!, error });
    }
    const p = this.#client.pipeline();
    queueRead(p, query, this.#layout, new Set(skipped.map((s) => s.key)));
    return { ...parseRead(await this.#connection.exec(p, signal)), skipped };
  }

  async close(call?: StoreCallOptions): Promise<void> {
    const client = this.#client;
    if (!this.#owned) return;
    // quit needs a live connection that answers; disconnect does not.
    if (client.status !== 'ready') return client.disconnect();
    call?.signal?.addEventListener('abort', () => client.disconnect(), { once: true });
    try {
      await client.quit();
    } catch {
      // closed below either way
    }
    // quit() leaves the Sentinel failover detector's subscriptions open (ioredis#1362): they
    // would keep the process alive. disconnect() closes them and is a no-op otherwise.
    client.disconnect();
  }

  /**
   * One pipeline: the batch, then the probe. A command refused for good (WRONGTYPE, …) is returned
   * as rejected; any other failed command fails the write, and the batch is sent again whole
   * (safe: its counts are applied once per batch id, the rest is idempotent).
   */
  async #write(batch: IdentifiedBatch, signal?: AbortSignal): Promise<Written> {
    const p = this.#client.pipeline();
    const parts = queueWrite(p, batch, this.#layout, batch.id);
    if (this.#replay) p.eval(PROBE, 1, `${this.#layout.prefix}mrr`);
    const replies = await this.#connection.execEach(p, signal);
    const rejected: StoreRejection[] = [];
    for (const [i, [error]] of replies.entries()) {
      if (!error) continue;
      const part = parts[i];
      if (!part || !isRefused(error)) throw error;
      rejected.push({ key: part.key, error, events: part.events });
    }
    const position = this.#replay ? parsePosition(replies.at(-1)?.[1]) : undefined;
    return { position, rejected };
  }

  /** Writes again what the master at `position` does not hold (a failover lost it). */
  async #repair(
    position: Position | undefined,
    signal?: AbortSignal,
  ): Promise<readonly StoreRejection[]> {
    const lost = position && this.#replay?.takeLost(position);
    if (!lost) return [];
    try {
      const again = await this.#write(lost, signal);
      this.#replay!.add(lost, again.position ?? position);
      return again.rejected;
    } catch (error) {
      this.#replay!.addLost(lost); // tried again on the next call
      throw error;
    }
  }
}
