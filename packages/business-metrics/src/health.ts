// Store health, visible: failures counted by operation and reason, the time of the last good read,
// and one warning per kind of trouble (a dead store must not flood the service's logs).
import { METRICS, type AnyRegistry } from '@ai-orchestrator/metrics';
import { Warnings, ensureCounter, ensureGauge } from '@ai-orchestrator/metrics/adapter';
import type { Counter, Gauge } from 'prom-client';
import { firstFor } from './collect.js';
import { classify } from './reason.js';
import type { StoreDropReason, StoreFailureReason, StoreRejection } from './types.js';

const FAILURES: readonly StoreFailureReason[] = ['timeout', 'unreachable', 'auth', 'tls', 'error'];
const DROPS: readonly StoreDropReason[] = ['buffer_full', 'closed', 'rejected'];
const COUNTER = METRICS.businessStoreErrors.name;

/** Warnings of this package; each StoreHealth says each kind of trouble once. */
export function businessWarnings(): Warnings {
  return new Warnings('@ai-orchestrator/business-metrics', 'BusinessMetricsWarning');
}

export class StoreHealth {
  readonly #errors: Counter;
  readonly #lastSuccess: Gauge;
  readonly #service: string;
  readonly #maxBuffered: number;
  readonly #warnings = businessWarnings();

  constructor(registry: AnyRegistry, service: string, maxBuffered: number) {
    this.#errors = ensureCounter(registry, METRICS.businessStoreErrors);
    this.#lastSuccess = ensureGauge(registry, METRICS.businessKpiLastSuccess);
    this.#service = service;
    this.#maxBuffered = maxBuffered;
    // Series exist from the start, so rate() and staleness alerts see them before the first failure.
    for (const operation of ['write', 'read']) {
      for (const reason of FAILURES) this.#errors.inc({ service, operation, reason }, 0);
    }
    for (const reason of DROPS) this.#errors.inc({ service, operation: 'drop', reason }, 0);
    this.#errors.inc({ service, operation: 'read', reason: 'rejected' }, 0);
    // A second instance on the same registry must not reset the first one's timestamp.
    if (firstFor(this.#lastSuccess, service)) this.#lastSuccess.set({ service }, 0);
  }

  /** Counts a failed write or read by its real cause and warns once per operation and cause. */
  failed(operation: 'write' | 'read', error: Error): string {
    const reason = classify(error);
    this.#errors.inc({ service: this.#service, operation, reason });
    const text = `store ${operation} failed (${reason}): ${error.message}`;
    this.#warnings.once(`${operation}:${reason}`, () => {
      const next =
        operation === 'write'
          ? `events stay buffered, up to maxBufferedEvents (${this.#maxBuffered}), and are written ` +
            `when the store answers again; events past that bound are dropped, not retried, and ` +
            `counted in ${COUNTER}{operation="drop",reason="buffer_full"}`
          : `scrapes serve the last values and business_kpi_last_success_timestamp_seconds stops ` +
            `moving until a read succeeds`;
      return `${text}; ${next}`;
    });
    return text;
  }

  /** Counts events that will never reach the store. */
  dropped(events: number, reason: StoreDropReason): void {
    this.#errors.inc({ service: this.#service, operation: 'drop', reason }, events);
    this.#warnings.once(`drop:${reason}`, () =>
      reason === 'buffer_full'
        ? `the store buffer is full (maxBufferedEvents = ${this.#maxBuffered}): new events are ` +
          `dropped, not retried, and counted in ${COUNTER}{operation="drop",reason="buffer_full"}`
        : `events that were not written before close() (or were recorded after it) are lost and ` +
          `counted in ${COUNTER}{operation="drop",reason="closed"}`,
    );
  }

  /** Counts events a store refused for good (a key of the wrong type); warns once per key. */
  rejected(rejection: StoreRejection): void {
    const { key, error, events } = rejection;
    this.#errors.inc({ service: this.#service, operation: 'drop', reason: 'rejected' }, events);
    this.#warnings.once(
      `rejected:${key}`,
      () =>
        `the store refused a write to ${key}: ${error.message}; retrying cannot fix this, so its ` +
        `events are dropped and counted in ${COUNTER}{operation="drop",reason="rejected"} ` +
        `(the rest of the batch is written)`,
    );
  }

  /** Counts a read that left out a key the store refused (a key of the wrong type); warns once per key. */
  skipped(key: string, error: Error): void {
    this.#errors.inc({ service: this.#service, operation: 'read', reason: 'rejected' });
    this.#warnings.once(
      `skipped:${key}`,
      () =>
        `the store refused to read ${key}: ${error.message}; the KPIs are read from the other ` +
        `keys without it (each such read counts in ${COUNTER}{operation="read",reason="rejected"})`,
    );
  }

  /** Warns (once) that the store did not close cleanly; nothing is lost by it. */
  closeFailed(error: Error): void {
    this.#warnings.once('close', () => `store close failed (${classify(error)}): ${error.message}`);
  }

  /** Marks a successful read at `at` (the clock of the caller). */
  succeeded(at: Date): void {
    this.#lastSuccess.set({ service: this.#service }, at.getTime() / 1000);
  }
}
