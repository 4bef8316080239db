// The KPI reader: reads a snapshot from the store at most once per cacheTtlMs, publishes it to the
// gauges, and keeps serving the last one (marked stale) while the store does not answer.
import { ACTIVE_USER_WINDOWS } from '@ai-orchestrator/metrics';
import type { Gauge } from 'prom-client';
import { callStore, type Outcome } from './call.js';
import { isCurrency } from './currency.js';
import { windows } from './days.js';
import type { StoreHealth } from './health.js';
import { StoreTimeoutError, toError } from './reason.js';
import type { BusinessKpis, BusinessStore, StoreSnapshot } from './types.js';
import type { StoreWriter } from './writer.js';

export const UNITS = 10_000;

export interface ReaderOptions {
  readonly store: BusinessStore;
  readonly writer: StoreWriter;
  readonly health: StoreHealth;
  readonly service: string;
  readonly now: () => Date;
  readonly cacheTtlMs: number;
  readonly timeoutMs: number;
  readonly activeUsers: Gauge;
  readonly mrr: Gauge;
}

/** The store-backed part of the KPIs. */
export type StoreKpis = Omit<BusinessKpis, 'workflowSuccessRate' | 'averageResponseTimeSeconds'>;

const COUNTS = ['dau', 'wau', 'mau', 'csatResponses', 'csatSatisfied'] as const;

/** A store answer we can publish: finite counts and amounts, or a TypeError saying what is wrong. */
function checkSnapshot(value: unknown): StoreSnapshot {
  const snapshot = value as StoreSnapshot;
  const fine =
    typeof value === 'object' &&
    value !== null &&
    COUNTS.every(
      (count) => typeof snapshot[count] === 'number' && Number.isFinite(snapshot[count]),
    ) &&
    typeof snapshot.mrrUnits === 'object' &&
    snapshot.mrrUnits !== null &&
    Object.values(snapshot.mrrUnits).every(
      (units) => typeof units === 'number' && Number.isFinite(units),
    );
  if (!fine) throw new TypeError('store read returned something that is not a StoreSnapshot');
  return withCurrencies(snapshot);
}

/**
 * The snapshot with only ISO 4217 currencies in its MRR: amounts are recorded under checked codes
 * only, so anything else in a shared store (another writer, a hand edit) is left out rather than
 * becoming a `currency` label value of its own.
 */
function withCurrencies(snapshot: StoreSnapshot): StoreSnapshot {
  const codes = Object.keys(snapshot.mrrUnits);
  if (codes.every(isCurrency)) return snapshot;
  const mrrUnits: Record<string, number> = {};
  for (const code of codes.filter(isCurrency)) mrrUnits[code] = snapshot.mrrUnits[code] as number;
  return { ...snapshot, mrrUnits };
}

export class KpiReader {
  readonly #options: ReaderOptions;
  readonly #currencies = new Set<string>();
  #snapshot: StoreSnapshot | undefined;
  #asOf: Date | null = null;
  #error: string | null = null;
  #attemptedAt = -Infinity;
  #refreshing: Promise<void> | undefined;
  #reading = false;

  constructor(options: ReaderOptions) {
    this.#options = options;
  }

  /** Refreshes when the cache is older than cacheTtlMs (or always when forced); never rejects. */
  refresh(force: boolean): Promise<void> {
    if (this.#refreshing) return this.#refreshing;
    if (!force && performance.now() - this.#attemptedAt < this.#options.cacheTtlMs) {
      return Promise.resolve();
    }
    this.#refreshing = this.#refresh().finally(() => {
      this.#refreshing = undefined;
      this.#attemptedAt = performance.now();
    });
    return this.#refreshing;
  }

  /** The last snapshot as KPIs, with its age and whether the last read failed. */
  kpis(): StoreKpis {
    const snapshot = this.#snapshot;
    const mrr: Record<string, number> = {};
    for (const [currency, units] of Object.entries(snapshot?.mrrUnits ?? {})) {
      if (units !== 0) mrr[currency] = units / UNITS;
    }
    const responses = snapshot?.csatResponses ?? 0;
    return {
      dau: snapshot?.dau ?? 0,
      wau: snapshot?.wau ?? 0,
      mau: snapshot?.mau ?? 0,
      mrr,
      csat: snapshot && responses > 0 ? snapshot.csatSatisfied / responses : null,
      csatResponses: responses,
      asOf: this.#asOf,
      stale: this.#error !== null,
      storeError: this.#error,
    };
  }

  async #refresh(): Promise<void> {
    try {
      // The write goes first: on one connection the read then sees this process's latest events.
      const [, outcome] = await Promise.all([this.#options.writer.flush(), this.#read()]);
      if (outcome.ok) this.#publish(outcome.value);
      else this.#error = this.#options.health.failed('read', outcome.error);
    } catch (error) {
      this.#error = this.#options.health.failed('read', toError(error));
    }
  }

  #read(): Promise<Outcome<StoreSnapshot>> {
    const { store, now, timeoutMs } = this.#options;
    // One read in flight at most: a store that never answers must not collect one per scrape.
    if (this.#reading) {
      const error = new StoreTimeoutError(
        'store read',
        timeoutMs,
        'the previous read is still open',
      );
      return Promise.resolve({ ok: false, error });
    }
    this.#reading = true;
    const call = callStore('store read', timeoutMs, async (signal) =>
      checkSnapshot(await store.read(windows(now()), { signal })),
    );
    void call.settled.then(() => (this.#reading = false));
    return call.result;
  }

  #publish(snapshot: StoreSnapshot): void {
    const { service, activeUsers, mrr, now, health } = this.#options;
    const at = now();
    this.#snapshot = snapshot;
    this.#asOf = at;
    this.#error = null;
    const [day, week, month] = ACTIVE_USER_WINDOWS;
    activeUsers.set({ service, window: day }, snapshot.dau);
    activeUsers.set({ service, window: week }, snapshot.wau);
    activeUsers.set({ service, window: month }, snapshot.mau);
    for (const currency of Object.keys(snapshot.mrrUnits)) this.#currencies.add(currency);
    // A currency whose last subscription ended reads 0 rather than its last amount.
    for (const currency of this.#currencies) {
      mrr.set({ service, currency }, (snapshot.mrrUnits[currency] ?? 0) / UNITS);
    }
    for (const { key, error } of snapshot.skipped ?? []) health.skipped(key, error);
    health.succeeded(at);
  }
}
