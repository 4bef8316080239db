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
  readonly #given: string | undefined;
  readonly #env: string | undefined;
  #service: string | undefined;
  readonly #stale: Counter;
  readonly #workers: Gauge;
  readonly #folded: Gauge;

  /** `service` when the caller names it; otherwise the workers' own, else the environment's. */
  constructor(
    registry: Parameters<typeof ensureCounter>[0],
    service: string | undefined,
    env: string | undefined,
  ) {
    this.#given = service;
    this.#env = env;
    this.#stale = ensureCounter(registry, METRICS.clusterStaleSnapshots);
    this.#workers = ensureGauge(registry, METRICS.clusterWorkers);
    this.#folded = ensureGauge(registry, METRICS.clusterSeriesFolded);
  }

  /**
   * The `service` label, fixed once known: given, seen on a worker's metrics, or named by the
   * environment. Undefined until then, so no series starts under a made-up name.
   */
  service(seen: readonly FamilySnapshot[] | undefined): string | undefined {
    if (this.#service !== undefined) return this.#service;
    const service = this.#given ?? (seen && serviceIn(seen)) ?? this.#env;
    if (service === undefined) return undefined;
    this.#service = service;
    // Both reasons show from the first scrape, so rate() has a start.
    for (const reason of STALE_SNAPSHOT_REASONS) this.#stale.inc({ service, reason }, 0);
    return service;
  }

  record(stale: RoundResult, workers: number, folded: ReadonlyMap<string, number>): void {
    const service = this.#service;
    if (service === undefined) return;
    for (const reason of STALE_SNAPSHOT_REASONS) {
      if (stale[reason] > 0) this.#stale.inc({ service, reason }, stale[reason]);
    }
    this.#workers.set({ service }, workers);
    this.#folded.reset();
    for (const [metric, count] of folded) this.#folded.set({ service, metric }, count);
  }
}
