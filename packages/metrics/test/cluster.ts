// Helpers of the cluster unit tests: snapshots as the primary receives them, and merges of them
// rendered as the primary renders them, without processes or IPC.
import { Registry } from 'prom-client';
import { joinChunks, renderFamilies } from '../src/exposition.js';
import { createMetrics } from '../src/metrics.js';
import { seriesBudgets } from '../src/state.js';
import type { MetricsFormat } from '../src/types.js';
import type { Origin } from '../src/cluster/accumulators.js';
import { Budgets } from '../src/cluster/budget.js';
import type { Carry } from '../src/cluster/carry.js';
import { Merger, type MergeOptions } from '../src/cluster/merge.js';
import type { HighWater } from '../src/cluster/monotonic.js';
import type { Snapshot } from '../src/cluster/protocol.js';
import { snapshotParts } from '../src/cluster/snapshot.js';

export const TRACE = { trace_id: '4bf92f3577b34da6a3ce929d0e0e4736', span_id: '00f067aa0ba902b7' };

/** A registry's snapshot as the primary receives it: in small parts, through JSON (cluster IPC). */
export async function snapshotOf(
  registry: Registry,
  pid = 4242,
  takenAt = Date.now(),
): Promise<Snapshot> {
  const families = [];
  for await (const part of snapshotParts([registry], 7)) families.push(...part);
  const snapshot: Snapshot = { pid, takenAt, families, budgets: seriesBudgets(registry) };
  return JSON.parse(JSON.stringify(snapshot)) as Snapshot;
}

export interface Source {
  readonly snapshot: Snapshot;
  readonly worker: string;
}

export function options(perWorker = false, overrides = {}): MergeOptions {
  return { budgets: new Budgets(), overrides, perWorker };
}

export async function merge(
  sources: readonly Source[],
  format: MetricsFormat = 'text',
  o: MergeOptions = options(),
  carry?: Carry,
  highWater?: HighWater,
) {
  for (const { snapshot } of sources) o.budgets.report(snapshot.budgets);
  const merger = new Merger(o);
  for (const { snapshot, worker } of sources) {
    const local = worker === 'primary';
    const origin: Origin = { worker, pid: snapshot.pid, takenAt: snapshot.takenAt, local };
    for (const family of snapshot.families) merger.add(family, origin);
  }
  carry?.addTo(merger);
  return {
    body: (await joinChunks(renderFamilies(merger.families(highWater), format))).body,
    folded: merger.folded(),
  };
}

export function worker(serviceName = 'api') {
  const registry = new Registry();
  const metrics = createMetrics({ serviceName, registry, collectDefaultMetrics: false });
  return { registry, metrics };
}

/** `name{labels} value` lines of the text format, as a map. */
export function samples(body: string): Map<string, number> {
  const found = new Map<string, number>();
  for (const line of body.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    found.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return found;
}
