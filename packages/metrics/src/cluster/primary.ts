// createClusterMetrics: the primary's one /metrics for all its workers. Each scrape asks every
// worker for a snapshot (each with its own deadline), merges them with the primary's own
// registry and the carried totals of exited workers, and renders through the core's exposition,
// yielding to the event loop as it goes.
import { Registry, register as globalRegistry } from 'prom-client';
import { joinChunks, renderAs, renderFamilies } from '../exposition.js';
import { collectRuntimeMetrics } from '../runtime.js';
import { serviceOf, seriesBudgets } from '../state.js';
import type { AnyRegistry, ExpositionStream, MetricsFormat } from '../types.js';
import { Budgets } from './budget.js';
import { Carry } from './carry.js';
import { ClusterCounters } from './counters.js';
import { Gatherer } from './gather.js';
import { clusterTransport, threadTransport } from './links.js';
import { Merger, type MergeOptions } from './merge.js';
import { HighWater } from './monotonic.js';
import { checkOptions, type CheckedOptions } from './options.js';
import type { FamilySnapshot } from './protocol.js';
import { snapshotParts } from './snapshot.js';
import type { Origin } from './accumulators.js';
import type { ClusterMetrics, ClusterMetricsOptions } from './types.js';
import { metricsWarnings } from '../warnings.js';

// The metric collectRuntimeMetrics looks for, to tell a registry already collects them.
const RUNTIME_PROBE = 'process_cpu_user_seconds_total';
// A long merge yields to the event loop after this long, as the exposition does.
const SLICE_MS = 8;
const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function warnOnce(code: string, message: string): void {
  metricsWarnings.once(code, message, code);
}

/** Local registries read as one snapshot (the primary's own, and its cluster metrics). */
async function readLocal(
  registries: readonly AnyRegistry[],
): Promise<{ families: FamilySnapshot[]; budgets: Record<string, number> }> {
  const families: FamilySnapshot[] = [];
  for await (const part of snapshotParts(registries)) {
    families.push(...part);
    await yieldToEventLoop();
  }
  return { families, budgets: Object.assign({}, ...registries.map(seriesBudgets)) };
}

async function mergeAll(
  merger: Merger,
  families: readonly FamilySnapshot[],
  origin: Origin,
): Promise<void> {
  let sliceStart = performance.now();
  for (const family of families) {
    merger.add(family, origin);
    if (performance.now() - sliceStart < SLICE_MS) continue;
    await yieldToEventLoop();
    sliceStart = performance.now();
  }
}

interface Parts {
  readonly gatherer: Gatherer;
  readonly carry: Carry;
  readonly budgets: Budgets;
  readonly counters: ClusterCounters;
  readonly view: AnyRegistry;
  /** The primary's process and Node.js metrics, when its own registry does not collect them. */
  readonly runtime: AnyRegistry;
}

/** The primary's own registries: the given one, and its runtime metrics unless that has them. */
function localRegistries(
  o: CheckedOptions,
  parts: Parts,
  service: string | undefined,
): AnyRegistry[] {
  if (!o.registry) return [];
  // Until the service is known its runtime metrics wait, rather than start under a wrong name.
  if (o.registry.getSingleMetric(RUNTIME_PROBE) || service === undefined) return [o.registry];
  collectRuntimeMetrics(parts.runtime, service);
  return [o.registry, parts.runtime];
}

async function mergeView(
  o: CheckedOptions,
  parts: Parts,
  mergeOptions: MergeOptions,
): Promise<Merger> {
  const { gatherer, carry, budgets, counters } = parts;
  const stale = await gatherer.gather(o.timeoutMs);
  const workers = gatherer.workers;
  const service = counters.service(workers.find((state) => state.last)?.last?.families);
  const local = await readLocal(localRegistries(o, parts, service));
  budgets.report(local.budgets);
  for (const state of workers) if (state.last) budgets.report(state.last.budgets);
  const merger = new Merger(mergeOptions);
  const primary: Origin = { worker: 'primary', pid: process.pid, takenAt: Date.now(), local: true };
  await mergeAll(merger, local.families, primary);
  for (const { last, worker } of workers) {
    if (last)
      await mergeAll(merger, last.families, { worker, pid: last.pid, takenAt: last.takenAt });
  }
  carry.addTo(merger);
  counters.record(stale, workers.length, merger.folded());
  await mergeAll(merger, (await readLocal([parts.view])).families, primary);
  return merger;
}

/**
 * One `/metrics` for every worker of a Node.js `cluster` (PM2's cluster mode too) or every
 * worker thread: call it in the primary (the main thread) before starting workers, and serve its
 * `registry`. Workers need nothing more: createMetrics (and so every adapter) answers the
 * primary by itself.
 *
 * @example
 * const clusterMetrics = createClusterMetrics();
 * await startMetricsServer({ registry: clusterMetrics.registry, port: 9464 });
 * for (let i = 0; i < 4; i++) cluster.fork();
 */
export function createClusterMetrics(options: ClusterMetricsOptions = {}): ClusterMetrics {
  const o = checkOptions(options, globalRegistry as AnyRegistry);
  const view: AnyRegistry = new Registry();
  const service = o.serviceName ?? (o.registry ? serviceOf(o.registry) : undefined);
  const budgets = new Budgets();
  const mergeOptions: MergeOptions = {
    budgets,
    overrides: o.aggregation,
    perWorker: o.workerLabel,
  };
  const carry = new Carry(mergeOptions);
  const gatherer = new Gatherer(
    (state) => {
      if (state.last) carry.keep(state.last, state.worker);
    },
    (threadId) =>
      warnOnce(
        'AIO_METRICS_CLUSTER_THREAD',
        `worker thread ${threadId} was not started from this thread after createClusterMetrics(): ` +
          'its metrics are left out, since its exit cannot be followed. Call createClusterMetrics() ' +
          'before starting workers.',
      ),
  );
  const transports = [clusterTransport(gatherer), threadTransport(gatherer)];
  const highWater = new HighWater();
  const counters = new ClusterCounters(view, service, o.envService);
  const parts: Parts = { gatherer, carry, budgets, counters, view, runtime: new Registry() };
  const exposeStream = async (format: MetricsFormat): Promise<ExpositionStream> =>
    renderFamilies((await mergeView(o, parts, mergeOptions)).families(highWater), format);
  renderAs(view, exposeStream);
  return {
    registry: view,
    expose: async (format = 'text') => joinChunks(await exposeStream(format)),
    get workers() {
      return gatherer.workers.length;
    },
    close() {
      for (const transport of transports) transport.close();
      gatherer.clear();
    },
  };
}
