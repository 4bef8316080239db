// The Markdown report of `pnpm bench:cluster`: medians per implementation and the same-run
// ratios (each rep's prom-client figure over ours of the same rep, median over reps).
import { median } from './stats.js';

export interface ClusterBenchSettings {
  readonly mode: 'full' | 'quick' | 'custom';
  readonly workers: number;
  /** Label sets of the request-duration histogram in each worker (the same routes in every one). */
  readonly series: number;
  readonly reps: number;
}

export interface ClusterRun {
  /** Wall time of one aggregated text scrape at the primary. */
  readonly ms: number;
  /** The primary's CPU time meanwhile. */
  readonly cpuMs: number;
  /** The primary's longest event-loop stall meanwhile. */
  readonly stallMs: number;
  /** The longest stall of any worker meanwhile. */
  readonly workerStallMs: number;
  /** The workers' CPU time meanwhile, summed. */
  readonly workerCpuMs: number;
  readonly bodyBytes: number;
  /** `_count` series in the merged body. */
  readonly series: number;
  /** The merged counts add up to every observation the workers made. */
  readonly countsRight: boolean;
  readonly error?: string;
}

export interface ClusterBenchResult {
  readonly settings: ClusterBenchSettings;
  readonly environment: {
    readonly date: string;
    readonly node: string;
    readonly cpus: string;
    readonly loadAverage: readonly number[];
    readonly seconds: number;
  };
  readonly ours: readonly ClusterRun[];
  readonly promClient: readonly ClusterRun[];
}

const fixed = (n: number, digits = 1): string => (Number.isFinite(n) ? n.toFixed(digits) : '—');

function row(name: string, runs: readonly ClusterRun[]): string {
  const ok = runs.filter((r) => r.error === undefined);
  const pick = (f: (r: ClusterRun) => number): string => fixed(median(ok.map(f)));
  const failed = runs.length - ok.length;
  const errors = failed === 0 ? '0' : `${failed} (${runs.find((r) => r.error)?.error ?? ''})`;
  return (
    `| ${name} | ${pick((r) => r.ms)} | ${pick((r) => r.cpuMs)} | ${pick((r) => r.stallMs)} | ` +
    `${pick((r) => r.workerStallMs)} | ${pick((r) => r.workerCpuMs)} | ` +
    `${pick((r) => r.bodyBytes / 1e6)} | ${pick((r) => r.series)} | ` +
    `${ok.every((r) => r.countsRight) ? 'yes' : 'no'} | ${errors} |`
  );
}

/** Median over reps of prom-client's figure over ours in the same rep. */
function ratio(result: ClusterBenchResult, f: (r: ClusterRun) => number): string {
  const ratios: number[] = [];
  result.ours.forEach((ours, i) => {
    const theirs = result.promClient[i];
    if (!theirs || ours.error || theirs.error || f(ours) <= 0) return;
    ratios.push(f(theirs) / f(ours));
  });
  return ratios.length === 0 ? '—' : `${fixed(median(ratios))}x`;
}

/**
 * The report of one run.
 *
 * @example
 * writeFileSync('cluster-report.md', buildClusterReport(await runClusterBench(CLUSTER_QUICK)));
 */
export function buildClusterReport(result: ClusterBenchResult): string {
  const { settings: s, environment: e } = result;
  const load = e.loadAverage.map((n) => n.toFixed(2)).join(' ');
  return [
    '# Cluster scrape benchmark',
    '',
    `${e.date} · Node ${e.node} · ${e.cpus} · load average at start ${load} · ${s.mode} run, ${fixed(e.seconds, 0)} s`,
    '',
    `## Aggregated scrape: ${s.workers} workers × ${s.series.toLocaleString('en-US')} histogram series`,
    '',
    `Every worker holds the same ${s.series.toLocaleString('en-US')} label sets of the contract's ` +
      '`http_server_request_duration_seconds` (14 buckets, an exemplar each), recorded through our ' +
      'HTTP recorder, and moves every series before each scrape. The primary (this process, which ' +
      'records nothing itself) serves one text exposition merged from all workers: ours ' +
      '(`createClusterMetrics().expose()`) and prom-client 15 `AggregatorRegistry#clusterMetrics()`, ' +
      `alternating which goes first, ${s.reps} reps each. Stalls are the largest event-loop delay ` +
      '(`monitorEventLoopDelay`, 1 ms resolution) during the scrape; figures are medians over reps. ' +
      'The machine is shared, so compare the ratios of the same run, not the absolute times.',
    '',
    '| implementation | scrape ms | primary CPU ms | primary longest stall ms | workers longest stall ms | workers CPU ms (sum) | body MB | merged series | counts right | failed |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---|---|',
    row('ours: createClusterMetrics', result.ours),
    row('prom-client AggregatorRegistry', result.promClient),
    '',
    'Same-run ratios, prom-client over ours (median over reps of the ratio within each rep):',
    '',
    '| scrape time | primary CPU | primary longest stall | workers longest stall | workers CPU |',
    '|---:|---:|---:|---:|---:|',
    `| ${ratio(result, (r) => r.ms)} | ${ratio(result, (r) => r.cpuMs)} | ${ratio(result, (r) => r.stallMs)} | ` +
      `${ratio(result, (r) => r.workerStallMs)} | ${ratio(result, (r) => r.workerCpuMs)} |`,
    '',
  ].join('\n');
}
