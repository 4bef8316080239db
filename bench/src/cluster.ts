// `pnpm bench:cluster`: one aggregated scrape of a cluster of workers that each hold `series`
// label sets of the contract's request-duration histogram: ours (createClusterMetrics) against
// prom-client's AggregatorRegistry, interleaved in the same run, with the wall and CPU time of the
// primary and the longest event-loop stall of the primary and of the workers during the scrape.
// This process is the cluster primary; `--quick` is a short run, flags override single settings.
import cluster, { type Worker } from 'node:cluster';
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createClusterMetrics } from '@ai-orchestrator/metrics';
import type * as PromClient from 'prom-client';
import { entry } from './children.js';
import {
  buildClusterReport,
  type ClusterBenchResult,
  type ClusterBenchSettings,
  type ClusterRun,
} from './cluster-report.js';

const prom = createRequire(import.meta.url)('prom-client') as typeof PromClient;
const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);

export const CLUSTER_FULL: ClusterBenchSettings = {
  mode: 'full',
  workers: 4,
  series: 10_000,
  reps: 5,
};
export const CLUSTER_QUICK: ClusterBenchSettings = { ...CLUSTER_FULL, mode: 'quick', reps: 2 };

type Reply = { readonly bench?: string } & Record<string, unknown>;

/** Sends `command` to every worker and waits for each one's `reply`. */
function everyWorker(workers: readonly Worker[], command: string, reply: string): Promise<Reply[]> {
  return Promise.all(
    workers.map(
      (worker) =>
        new Promise<Reply>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`no '${reply}' from a worker`)), 120_000);
          const onMessage = (message: Reply): void => {
            if (message.bench !== reply) return;
            clearTimeout(timer);
            worker.off('message', onMessage);
            resolve(message);
          };
          worker.on('message', onMessage);
          if (command) worker.send({ bench: command });
        }),
    ),
  );
}

/** Sum of every `_count` sample and the number of series, to check both merges agree. */
function counted(body: string): { total: number; series: number } {
  let total = 0;
  let series = 0;
  for (const line of body.split('\n')) {
    if (!line.startsWith('http_server_request_duration_seconds_count{')) continue;
    total += Number(line.slice(line.lastIndexOf(' ') + 1));
    series += 1;
  }
  return { total, series };
}

async function measure(
  workers: readonly Worker[],
  scrape: () => Promise<string>,
  expectedTotal: number,
): Promise<ClusterRun> {
  await everyWorker(workers, 'watch', 'watching');
  gc();
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  const cpu = process.cpuUsage();
  const started = performance.now();
  let body = '';
  let error: string | undefined;
  try {
    body = await scrape();
  } catch (caught) {
    error = caught instanceof Error ? caught.message : String(caught);
  }
  const ms = performance.now() - started;
  const used = process.cpuUsage(cpu);
  delay.disable();
  const reports = await everyWorker(workers, 'report', 'report');
  const { total, series } = counted(body);
  return {
    ms,
    cpuMs: (used.user + used.system) / 1000,
    stallMs: delay.max / 1e6,
    workerStallMs: Math.max(...reports.map((r) => Number(r.stallMs))),
    workerCpuMs: reports.reduce((sum, r) => sum + Number(r.cpuMs), 0),
    bodyBytes: Buffer.byteLength(body),
    series,
    countsRight: error === undefined && total === expectedTotal,
    ...(error === undefined ? {} : { error }),
  };
}

/** Forks the workers, measures `reps` interleaved scrapes of each kind, stops the workers. */
export async function runClusterBench(settings: ClusterBenchSettings): Promise<ClusterBenchResult> {
  const started = performance.now();
  const environment = {
    date: new Date().toISOString(),
    node: process.versions.node,
    cpus: `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'unknown CPU'}`,
    loadAverage: loadavg(),
  };
  // prom-client's aggregator gives up after 5 s; ours waits as long, so both finish or fail alike.
  const ours = createClusterMetrics({ registry: false, timeoutMs: 5_000 });
  const theirs = new prom.AggregatorRegistry();
  cluster.setupPrimary({ exec: entry('cluster-worker'), silent: false });
  const env = { BENCH_SERIES: String(settings.series) };
  const workers = Array.from({ length: settings.workers }, () => cluster.fork(env));
  const runs: { ours: ClusterRun[]; promClient: ClusterRun[] } = { ours: [], promClient: [] };
  try {
    await everyWorker(workers, '', 'ready');
    while (ours.workers < workers.length) await new Promise((resolve) => setTimeout(resolve, 20));
    let touches = 1;
    for (let rep = 0; rep < settings.reps; rep++) {
      // Alternate who goes first, so neither always meets a warmer machine.
      const order =
        rep % 2 === 0 ? (['ours', 'promClient'] as const) : (['promClient', 'ours'] as const);
      for (const kind of order) {
        await everyWorker(workers, 'touch', 'touched');
        touches += 1;
        const expected = touches * settings.series * settings.workers;
        const scrape =
          kind === 'ours'
            ? async () => (await ours.expose('text')).body
            : () => theirs.clusterMetrics();
        runs[kind].push(await measure(workers, scrape, expected));
      }
    }
  } finally {
    for (const worker of workers) worker.kill();
    ours.close();
  }
  return {
    settings,
    environment: { ...environment, seconds: (performance.now() - started) / 1000 },
    ...runs,
  };
}

function settingsFromArgs(argv: readonly string[]): {
  settings: ClusterBenchSettings;
  out: string;
} {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      quick: { type: 'boolean' },
      workers: { type: 'string' },
      series: { type: 'string' },
      reps: { type: 'string' },
      out: { type: 'string' },
    },
  });
  const base = values.quick === true ? CLUSTER_QUICK : CLUSTER_FULL;
  const num = (name: 'workers' | 'series' | 'reps'): number => {
    const raw = values[name];
    if (raw === undefined) return base[name];
    const n = Number(raw);
    if (!Number.isInteger(n) || n <= 0) {
      throw new TypeError(
        `bench:cluster: --${name} must be a positive integer, got ${JSON.stringify(raw)}`,
      );
    }
    return n;
  };
  const custom =
    values.workers !== undefined || values.series !== undefined || values.reps !== undefined;
  return {
    settings: {
      mode: custom ? 'custom' : base.mode,
      workers: num('workers'),
      series: num('series'),
      reps: num('reps'),
    },
    out: values.out ?? fileURLToPath(new URL('../cluster-report.md', import.meta.url)),
  };
}

async function main(): Promise<void> {
  const { settings, out } = settingsFromArgs(process.argv.slice(2));
  const markdown = buildClusterReport(await runClusterBench(settings));
  writeFileSync(out, markdown);
  process.stdout.write(`${markdown}\nReport written to ${out}\n`);
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((error: unknown) => {
    process.stderr.write(`${String(error instanceof Error ? error.stack : error)}\n`);
    process.exit(1);
  });
}
