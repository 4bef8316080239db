// Public types of @ai-orchestrator/business-metrics.
import type { Metrics } from '@ai-orchestrator/metrics';

/** A UTC calendar day, `YYYY-MM-DD`: the unit of the active-user sketches. */
export type DayKey = string;

/** One subscription change, in the order it was recorded. */
export type SubscriptionChange =
  | {
      readonly type: 'set';
      /** Salted hash of the customer id, never the raw id. */
      readonly customer: string;
      readonly currency: string;
      /** Monthly amount in ten-thousandths of the currency unit (an exact integer). */
      readonly amountUnits: number;
    }
  | { readonly type: 'cancel'; readonly customer: string };

/** Events a process recorded since its last successful write, ready for a store. */
export interface StoreBatch {
  /**
   * Unique per batch and kept when the batch is written again after a failed or timed-out write,
   * so a store can apply its counts once (a write may have reached the store with its reply lost).
   */
  readonly id?: string;
  /** Salted user hashes seen active, per UTC day. */
  readonly users: ReadonlyMap<DayKey, readonly string[]>;
  readonly subscriptions: readonly SubscriptionChange[];
  /** Satisfaction responses per UTC day: how many, and how many scored 4 or 5. */
  readonly satisfaction: ReadonlyMap<
    DayKey,
    { readonly responses: number; readonly satisfied: number }
  >;
}

/** The windows a read asks about; each list is newest day first. */
export interface StoreQuery {
  readonly day: readonly DayKey[];
  readonly week: readonly DayKey[];
  readonly month: readonly DayKey[];
}

/** What a store holds, as one read returns it. */
export interface StoreSnapshot {
  readonly dau: number;
  readonly wau: number;
  readonly mau: number;
  /** Monthly recurring revenue per ISO 4217 currency, in ten-thousandths of the unit. */
  readonly mrrUnits: Readonly<Record<string, number>>;
  /** Satisfaction responses over the month window, and those scored 4 or 5. */
  readonly csatResponses: number;
  readonly csatSatisfied: number;
  /** Keys the read left out because the store refused them for good (a key of the wrong type). */
  readonly skipped?: readonly { readonly key: string; readonly error: Error }[];
}

/** A part of a batch the store refused in a way no retry can fix. */
export interface StoreRejection {
  /** The key (or whatever the store names its records by) that refused the write. */
  readonly key: string;
  readonly error: Error;
  /** Events lost with it. */
  readonly events: number;
}

/** What a write applied only in part: the rest of its batch is written. */
export interface StoreWriteResult {
  readonly rejected: readonly StoreRejection[];
}

/** What `createBusinessMetrics` passes to every store call. */
export interface StoreCallOptions {
  /**
   * Aborted when the call has taken `storeTimeoutMs`: the caller has stopped waiting and treats
   * the call as failed. A store should then drop what it holds for the call (a stuck connection).
   */
  readonly signal?: AbortSignal;
}

/**
 * Where the KPI state lives. `memoryStore()` keeps it in this process; `redisStore()` (from
 * `@ai-orchestrator/business-metrics/redis`) shares it between replicas.
 *
 * A call may reject, throw, hang or answer late: `createBusinessMetrics` bounds each one by
 * `storeTimeoutMs`, keeps at most one write and one read in flight, and counts every failure.
 */
export interface BusinessStore {
  /** True when several processes see the same state (decides the default salt). */
  readonly shared: boolean;
  /**
   * Applies a batch; rejects when the store is unreachable (the batch is then kept and retried).
   * Parts the store refuses for good (a key of the wrong type) are resolved as `rejected`: they
   * are counted as dropped, not retried.
   */
  write(batch: StoreBatch, options?: StoreCallOptions): Promise<void | StoreWriteResult>;
  /**
   * Applies a batch at once, in this process, for a store that needs no I/O (`memoryStore()`):
   * events then never wait in the bounded buffer, so none is dropped.
   */
  writeSync?(batch: StoreBatch): void;
  read(query: StoreQuery, options?: StoreCallOptions): Promise<StoreSnapshot>;
  /** Releases connections the store opened itself. */
  close(options?: StoreCallOptions): Promise<void>;
}

/**
 * Why a store call failed: the `reason` label of `business_store_errors_total` for
 * `operation="write"` and `"read"`.
 */
export type StoreFailureReason = 'timeout' | 'unreachable' | 'auth' | 'tls' | 'error';

/** Why events were dropped: the `reason` label for `operation="drop"`. */
export type StoreDropReason = 'buffer_full' | 'closed' | 'rejected';

export interface BusinessMetricsOptions {
  /** The core metrics of the service (`createMetrics`): gives the registry and the `service` label. */
  readonly metrics: Metrics;
  /** Default `memoryStore()`. */
  readonly store?: BusinessStore;
  /**
   * Secret mixed into every user and customer id before it is hashed. Replicas sharing a store
   * must share the salt. Default: `BUSINESS_METRICS_SALT` from the environment, else a random
   * per-process salt for an unshared store and a fixed public one (with a warning) for a shared one.
   */
  readonly salt?: string;
  /** The clock (default `() => new Date()`); days are UTC. */
  readonly now?: () => Date;
  /** How long a store read serves scrapes before the next one asks again (default 5000 ms). */
  readonly cacheTtlMs?: number;
  /** How often buffered events are written (default 1000 ms). */
  readonly flushIntervalMs?: number;
  /** Buffered events that start a write at once (default 1000). */
  readonly flushBatchSize?: number;
  /**
   * Events kept for an asynchronous store (Redis) while it is slow or unreachable (default 100000).
   * Past it new events are dropped, not retried, and counted as `operation="drop"`,
   * `reason="buffer_full"`. A synchronous store (`memoryStore()`) never drops.
   */
  readonly maxBufferedEvents?: number;
  /**
   * Longest a store call, a scrape's refresh or `getKpis()` waits on the store (default 2000 ms);
   * then the last values are served, marked stale.
   */
  readonly storeTimeoutMs?: number;
  /** Distinct `plan` label values before `__overflow__` (default 20). */
  readonly maxPlans?: number;
}

export interface Subscription {
  readonly customerId: string;
  readonly plan: string;
  /** Amount charged per month, >= 0, in the currency's unit (49.99, not 4999). */
  readonly monthlyAmount: number;
  /** ISO 4217 code, upper case (`USD`, `EUR`, `JPY`). */
  readonly currency: string;
}

export interface ApiRequest {
  /** Subscription plan of the caller; becomes the `plan` label (bounded). */
  readonly plan: string;
}

/** The answer to "how are we doing". */
export interface BusinessKpis {
  /** Distinct users active today (UTC). */
  readonly dau: number;
  /** Distinct users over the last 7 UTC days, today included. */
  readonly wau: number;
  /** Distinct users over the last 30 UTC days, today included. */
  readonly mau: number;
  /** Monthly recurring revenue of active subscriptions, per ISO 4217 currency. */
  readonly mrr: Readonly<Record<string, number>>;
  /** Share of satisfaction scores >= 4 over the last 30 days (0..1); null without responses. */
  readonly csat: number | null;
  readonly csatResponses: number;
  /** Successful share of finished workflow executions of this process (0..1); null before any. */
  readonly workflowSuccessRate: number | null;
  /** Mean HTTP server request duration of this process in seconds; null before any request. */
  readonly averageResponseTimeSeconds: number | null;
  /** When the store last answered; null if it never did. */
  readonly asOf: Date | null;
  /** True when the store could not be read just now and the numbers are the last known ones. */
  readonly stale: boolean;
  /**
   * Why the last read failed, with its reason (`store read failed (auth): WRONGPASS …`); null when
   * `stale` is false.
   */
  readonly storeError: string | null;
}

/** What `createBusinessMetrics` returns. Record calls never throw on store trouble, only on bad input. */
export interface BusinessMetrics {
  /** Counts a login and marks the user active. */
  recordLogin(userId: string): void;
  /** Marks the user active today (DAU / WAU / MAU). */
  recordUserActivity(userId: string): void;
  recordWorkflowCreated(): void;
  /** Starts or replaces the customer's subscription (plan change, re-subscription). */
  recordSubscription(subscription: Subscription): void;
  cancelSubscription(customerId: string): void;
  /** A satisfaction score, an integer 1..5. */
  recordSatisfaction(score: number): void;
  recordApiRequest(request: ApiRequest): void;
  /** Writes buffered events now; resolves within `storeTimeoutMs`, never rejects (failures are counted). */
  flush(): Promise<void>;
  /**
   * Writes buffered events and reads fresh numbers. Resolves within `storeTimeoutMs` and never
   * rejects on store trouble: the last values come back with `stale: true` and `storeError`.
   */
  getKpis(): Promise<BusinessKpis>;
  /**
   * Stops the flush timer, writes what is buffered (within `storeTimeoutMs`) and closes the store.
   * Events that could not be written, or recorded after close, are counted as dropped (`closed`).
   */
  close(): Promise<void>;
}
