// The store writer: buffers events, writes them in batches, keeps at most one write in flight,
// and tracks whether the store is healthy enough for early (batch-size) writes.
import { EventBuffer, batchEvents, batchId } from './buffer.js';
import { Waiters, callStore } from './call.js';
import type { StoreHealth } from './health.js';
import { toError } from './reason.js';
import type {
  BusinessStore,
  DayKey,
  StoreBatch,
  StoreWriteResult,
  SubscriptionChange,
} from './types.js';

const NONE: StoreBatch['satisfaction'] = new Map();
const NO_USERS: StoreBatch['users'] = new Map();

export interface WriterOptions {
  readonly store: BusinessStore;
  readonly health: StoreHealth;
  readonly timeoutMs: number;
  readonly flushIntervalMs: number;
  readonly flushBatchSize: number;
  readonly maxBufferedEvents: number;
}

export class StoreWriter {
  readonly #store: BusinessStore;
  readonly #health: StoreHealth;
  readonly #timeoutMs: number;
  readonly #buffer: EventBuffer;
  // Write before the buffer is full, or a small maxBufferedEvents would drop before any write.
  readonly #threshold: number;
  readonly #timer: NodeJS.Timeout;
  #inflight: Waiters | undefined;
  // The counts of a failed batch, written again as they were (same id, before newer events): the
  // store may hold them already (the reply was lost), and merged into newer counts they would
  // count twice.
  #pending: StoreBatch | undefined;
  #healthy = true;
  #closed = false;
  #closing: Promise<void> | undefined;

  constructor(options: WriterOptions) {
    this.#store = options.store;
    this.#health = options.health;
    this.#timeoutMs = options.timeoutMs;
    this.#buffer = new EventBuffer(options.maxBufferedEvents, (events) =>
      options.health.dropped(events, 'buffer_full'),
    );
    this.#threshold = Math.min(options.flushBatchSize, options.maxBufferedEvents);
    this.#timer = setInterval(() => {
      this.flush().catch((error: unknown) => options.health.failed('write', toError(error)));
    }, options.flushIntervalMs);
    this.#timer.unref();
  }

  addUser(day: DayKey, user: string): void {
    if (this.#refuse()) return;
    this.#buffer.addUser(day, user);
    this.#maybeStart();
  }

  addSubscription(change: SubscriptionChange): void {
    if (this.#refuse()) return;
    this.#buffer.addSubscription(change);
    this.#maybeStart();
  }

  addSatisfaction(day: DayKey, satisfied: boolean): void {
    if (this.#refuse()) return;
    this.#buffer.addSatisfaction(day, 1, satisfied ? 1 : 0);
    this.#maybeStart();
  }

  /**
   * Writes what is buffered: waits for a write in flight, then writes what came in meanwhile.
   * Resolves within the store timeout and never rejects.
   */
  flush(): Promise<void> {
    const deadline = performance.now() + this.#timeoutMs;
    this.#start();
    return this.#drain(deadline);
  }

  /** Stops the timer, writes what is buffered, counts what could not be written as dropped. */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    clearInterval(this.#timer);
    await this.flush();
    this.#closed = true; // from here on a failed write is lost, not retried
    const left = [this.#takePending(), this.#buffer.take()];
    for (const batch of left) if (batch) this.#health.dropped(batchEvents(batch), 'closed');
  }

  async #drain(deadline: number): Promise<void> {
    for (let round = 0; round < 2 && this.#inflight; round++) {
      const left = deadline - performance.now();
      if (left <= 0 || !(await this.#inflight.wait(left))) return;
      // The events buffered while that write ran; after a failure the next timer tick retries.
      if (round === 0 && this.#healthy) this.#start();
    }
  }

  #refuse(): boolean {
    if (!this.#closed) return false;
    this.#health.dropped(1, 'closed');
    return true;
  }

  #maybeStart(): void {
    if (this.#healthy && !this.#inflight && this.#buffer.size >= this.#threshold) this.#start();
  }

  #start(): void {
    if (this.#inflight) return;
    const retry = this.#pending !== undefined;
    const batch = this.#takePending() ?? this.#buffer.take();
    if (!batch) return;
    const writeSync = this.#store.writeSync?.bind(this.#store);
    if (writeSync) {
      try {
        writeSync(batch);
        this.#healthy = true;
      } catch (error) {
        return this.#failed(batch, toError(error));
      }
      if (retry) this.#start(); // then what came in meanwhile
      return;
    }
    this.#writeAsync(batch);
  }

  #writeAsync(batch: StoreBatch): void {
    const inflight = new Waiters();
    this.#inflight = inflight;
    const call = callStore('store write', this.#timeoutMs, (signal) =>
      this.#store.write(batch, { signal }),
    );
    // Counted when the caller stops waiting (failure or timeout), retried once the store answers.
    void call.result.then((outcome) => {
      if (outcome.ok) return;
      this.#healthy = false;
      this.#health.failed('write', outcome.error);
    });
    void call.settled.then((outcome) => {
      this.#inflight = undefined;
      if (outcome.ok) {
        this.#healthy = true;
        this.#rejected(outcome.value);
      } else this.#keep(batch);
      inflight.release();
    });
  }

  #failed(batch: StoreBatch, error: Error): void {
    this.#healthy = false;
    this.#health.failed('write', error);
    this.#keep(batch);
  }

  #keep(batch: StoreBatch): void {
    if (this.#closed) return this.#health.dropped(batchEvents(batch), 'closed');
    // Users and subscription changes are idempotent: merged back, newer events win, the bound holds.
    this.#buffer.restore({
      users: batch.users,
      subscriptions: batch.subscriptions,
      satisfaction: NONE,
    });
    if (batch.satisfaction.size === 0) return;
    this.#pending = {
      id: batch.id ?? batchId(),
      users: NO_USERS,
      subscriptions: [],
      satisfaction: batch.satisfaction,
    };
    this.#buffer.hold(batch.satisfaction.size);
  }

  #takePending(): StoreBatch | undefined {
    const batch = this.#pending;
    this.#pending = undefined;
    this.#buffer.hold(0);
    return batch;
  }

  /** Parts the store refused for good: retrying cannot fix them, so they are dropped and counted. */
  #rejected(result: void | StoreWriteResult): void {
    for (const rejection of result?.rejected ?? []) this.#health.rejected(rejection);
  }
}
