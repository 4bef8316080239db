// Public types of the cluster primary.
import type { Aggregation } from '../contract.js';
import type { AnyRegistry, Exposition, MetricsFormat } from '../types.js';

export interface ClusterMetricsOptions {
  /**
   * The primary's own registry, merged as one more source (default: prom-client's global
   * `register`); `false` leaves the primary's own metrics out.
   */
  readonly registry?: AnyRegistry | false;
  /**
   * `service` label of the primary's own metrics (default: the service createMetrics used on
   * the primary's registry, else the workers' own, else `OTEL_SERVICE_NAME`, `SERVICE_NAME`, the
   * package name; until one is known they wait).
   */
  readonly serviceName?: string;
  /** How long a scrape waits for each worker's snapshot, in ms (default 2000). */
  readonly timeoutMs?: number;
  /**
   * Keep each worker's series apart with a `worker` label (`0`, `1`, … by slot, `primary`)
   * instead of combining them (default false).
   */
  readonly workerLabel?: boolean;
  /** A rule per metric name, over the contract's and the metric's own prom-client `aggregator`. */
  readonly aggregation?: Readonly<Record<string, Aggregation>>;
}

/** What createClusterMetrics returns: the merged metrics of every worker, served by the primary. */
export interface ClusterMetrics {
  /**
   * Serves the merged view wherever a registry is taken: `startMetricsServer({ registry })`,
   * `createMetricsHandler({ registry })`. It also holds the primary's cluster metrics.
   */
  readonly registry: AnyRegistry;
  /** Asks every worker for a snapshot and renders the merged metrics. */
  expose(format?: MetricsFormat): Promise<Exposition>;
  /** Workers whose metrics are merged now. */
  readonly workers: number;
  /**
   * Stops following workers: later scrapes serve the primary's own metrics and the last totals
   * of every worker (so no counter goes backwards).
   */
  close(): void;
}
