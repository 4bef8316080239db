// The primary's own metrics: stale snapshots, workers merged, label sets folded at the merge.
import type { Counter, Gauge } from 'prom-client';
import { METRICS, STALE_SNAPSHOT_REASONS } from '../contract.js';
import { ensureCounter, ensureGauge } from '../registry.js';
import type { RoundResult } from './gather.js';
import type { FamilySnapshot } from './protocol.js';

/** The `service` label the workers' metrics carry, if any. */
function serviceIn(families: readonly FamilySnapshot[]): string | undefined {
  for (const family of families) {
    if (family.kind === 'values') {
      const service = family.samples[0]?.[1].service;
      if (service !== undefined) return String(service);
      continue;
    }
    const at = family.labelNames.indexOf('service');
    const service = at === -1 ? undefined : family.labels[at];
    if (typeof service === 'string') return service;
  }
  return undefined;
}

export class ClusterCounters {
  readonly #service: string | undefined;
  #started: string | undefined;
  readonly #fallback: string;
  readonly #stale: Counter;
  readonly #workers: Gauge;
  readonly #folded: Gauge;

  /** `service` when known now; otherwise the workers' own, else `fallback`. */
  constructor(
    registry: Parameters<typeof ensureCounter>[0],
    service: string | undefined,
    fallback: string,
  ) {
    this.#service = service;
    this.#fallback = fallback;
    this.#stale = ensureCounter(registry, METRICS.clusterStaleSnapshots);
    this.#workers = ensureGauge(registry, METRICS.clusterWorkers);
    this.#folded = ensureGauge(registry, METRICS.clusterSeriesFolded);
  }

  /** The `service` label, fixed at the first call. */
  service(seen: readonly FamilySnapshot[] | undefined): string {
    if (this.#started !== undefined) return this.#started;
    const service = this.#service ?? (seen && serviceIn(seen)) ?? this.#fallback;
    this.#started = service;
    // Both reasons show from the first scrape, so rate() has a start.
    for (const reason of STALE_SNAPSHOT_REASONS) this.#stale.inc({ service, reason }, 0);
    return service;
  }

  record(stale: RoundResult, workers: number, folded: ReadonlyMap<string, number>): void {
    const service = this.service(undefined);
    for (const reason of STALE_SNAPSHOT_REASONS) {
      if (stale[reason] > 0) this.#stale.inc({ service, reason }, stale[reason]);
    }
    this.#workers.set({ service }, workers);
    this.#folded.reset();
    for (const [metric, count] of folded) this.#folded.set({ service, metric }, count);
  }
}
