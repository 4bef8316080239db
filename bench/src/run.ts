// `pnpm bench`: every measurement of the issue, bounded in time, then the Markdown report on
// stdout and in bench/report.md. `--quick` is a 1-2 minute run; flags override single settings;
// `--throughput-only` with `--frameworks`/`--variants` measures a subset (e.g. the tracing setups).
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  ALL_VARIANTS,
  FRAMEWORKS,
  SETTLE_STEP_MS,
  VARIANTS,
  type Framework,
  type Variant,
} from './configs.js';
import { startChild } from './children.js';
import { planPlacement } from './placement.js';
import { buildReport, evaluateTargets, scrapeSection, type Target } from './report.js';
import { genaiSection, genaiTargets } from './report-genai.js';
import type {
  BenchResults,
  GenAiResult,
  TickResult,
  BenchSettings,
  HllResult,
  MemoryResult,
  RedisResult,
  ScrapeResult,
  WorkerTask,
} from './results.js';
import { measureThroughput, settle } from './throughput.js';

export const FULL: BenchSettings = {
  mode: 'full',
  rounds: 5,
  durationSeconds: 3,
  warmupSeconds: 1,
  connections: 16,
  scrapeSeries: [1_000, 10_000, 50_000],
  scrapeCounterSeries: [50_000],
  scrapeFamilies: [20_000],
  scrapeReps: 3,
  memorySeries: 10_000,
  hllUsers: 1_000_000,
  redisEvents: 200_000,
  genaiCalls: 1_000,
  tickChain: 500_000,
  tickReps: 5,
};

export const QUICK: BenchSettings = {
  ...FULL,
  mode: 'quick',
  rounds: 3,
  durationSeconds: 1,
  warmupSeconds: 0.5,
  scrapeReps: 1,
  hllUsers: 200_000,
  redisEvents: 50_000,
  genaiCalls: 300,
  tickChain: 200_000,
  tickReps: 3,
};

export interface RunOptions {
  readonly settings: BenchSettings;
  readonly frameworks?: readonly Framework[];
  readonly variants?: readonly Variant[];
  /** Pin the server and the load generator to different cores (default true). */
  readonly pin?: boolean;
  readonly log?: (line: string) => void;
}

export interface RunOutput {
  readonly results: BenchResults;
  readonly targets: readonly Target[];
  readonly markdown: string;
}

/**
 * The Node.js options of `--server-flags` (`--no-memory-reducer --max-semi-space-size=16`): each
 * word an option, so a setup cannot be given a script or an argument by mistake.
 */
export function serverFlags(raw: string): string[] {
  const flags = raw.split(/\s+/).filter((flag) => flag !== '');
  const wrong = flags.find((flag) => !/^--[a-z0-9][a-z0-9_-]*(=\S+)?$/i.test(flag));
  if (flags.length === 0 || wrong !== undefined) {
    throw new TypeError(
      `bench: --server-flags takes Node.js options such as "--no-memory-reducer", got ${JSON.stringify(wrong ?? raw)}`,
    );
  }
  return flags;
}

/** `node --version` of the servers' binary, without the `v`; throws naming a binary that does not run. */
function nodeVersion(binary: string): string {
  try {
    return execFileSync(binary, ['--version'], { encoding: 'utf8' }).trim().replace(/^v/, '');
  } catch (error) {
    throw new TypeError(
      `bench: --server-node ${JSON.stringify(binary)} does not run: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

async function inWorker<T>(task: WorkerTask): Promise<T> {
  // A fresh process per task: one measurement's heap never weighs on the next.
  const { child } = await startChild('worker', { execArgv: ['--expose-gc'] });
  try {
    const reply = await child.ask<{ result: T }>(task, 'done', 300_000);
    return reply.result;
  } finally {
    await child.stop();
  }
}

/** Hand-written sections kept beside the report (the tracing profile), when present. */
function notes(): string[] {
  const file = fileURLToPath(new URL('../tracing-profile.md', import.meta.url));
  return existsSync(file) ? [readFileSync(file, 'utf8')] : [];
}

// How long the in-process measurements wait for an idle machine at most.
const QUIET_LIMIT_MS = 15_000;

/**
 * Waits until the machine's CPUs are idle, as a throughput window waits for its servers (settle):
 * the in-process measurements run right after the throughput rounds, whose servers and exporters
 * may still be winding down. False when QUIET_LIMIT_MS passed first.
 */
function quietMachine(): Promise<boolean> {
  // each CPU's busy time (µs), from os.cpus()
  const busy = async () =>
    cpus().map(({ times }) => (times.user + times.nice + times.sys + times.irq) * 1000);
  return settle(busy, SETTLE_STEP_MS, QUIET_LIMIT_MS);
}

async function inProcessMeasurements(
  settings: BenchSettings,
  log: (line: string) => void,
): Promise<
  Pick<BenchResults, 'scrape' | 'quiet' | 'memory' | 'hll' | 'redis' | 'genai' | 'ticks'>
> {
  log('waiting for an idle machine…');
  const quiet = { settled: await quietMachine() };
  log('scrape…');
  const scrape = await inWorker<ScrapeResult[]>({
    name: 'scrape',
    series: settings.scrapeSeries,
    counterSeries: settings.scrapeCounterSeries ?? [],
    families: settings.scrapeFamilies ?? [],
    reps: settings.scrapeReps,
  });
  log('memory…');
  const memory = await inWorker<MemoryResult>({ name: 'memory', series: settings.memorySeries });
  log('HyperLogLog…');
  const hll = await inWorker<HllResult>({ name: 'hll', users: settings.hllUsers });
  log('Redis…');
  const redis = await inWorker<RedisResult>({ name: 'redis', events: settings.redisEvents });
  log('GenAI SDK calls…');
  const genai = await runGenAi(settings.genaiCalls);
  log('nextTick after idle collections…');
  const ticks: TickResult[] = [];
  for (const keep of [false, true]) {
    const { tickChain, tickReps } = settings;
    ticks.push(
      await inWorker<TickResult>({ name: 'ticks', keep, ticks: tickChain, reps: tickReps }),
    );
  }
  return { scrape, quiet, memory, hll, redis, genai, ticks };
}

/** The GenAI scenario: the fake provider in one child, the openai clients in a fresh worker. */
export async function runGenAi(calls: number): Promise<GenAiResult> {
  const { child: provider, ready } = await startChild<{ url: string }>('provider');
  try {
    return await inWorker<GenAiResult>({ name: 'genai', url: ready.url, calls });
  } finally {
    await provider.stop();
  }
}

/** Runs every measurement with `settings` and builds the report. */
export async function runBench(options: RunOptions): Promise<RunOutput> {
  const { settings } = options;
  const log = options.log ?? (() => undefined);
  const started = performance.now();
  const environment = {
    date: new Date().toISOString(),
    node: process.versions.node,
    ...(settings.serverNode === undefined ? {} : { serverNode: nodeVersion(settings.serverNode) }),
    ...(settings.serverFlags === undefined ? {} : { serverFlags: settings.serverFlags }),
    cpus: `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'unknown CPU'}`,
    loadAverage: loadavg(),
  };
  const placement = planPlacement(options.pin ?? true);
  const { child: sink, ready } = await startChild<{ port: number }>('sink');
  let throughput;
  let exported: BenchResults['exported'];
  try {
    throughput = await measureThroughput({
      frameworks: options.frameworks ?? FRAMEWORKS,
      variants: options.variants ?? VARIANTS,
      rounds: settings.rounds,
      durationSeconds: settings.durationSeconds,
      warmupSeconds: settings.warmupSeconds,
      connections: settings.connections,
      sinkUrl: `http://127.0.0.1:${ready.port}/v1/traces`,
      placement,
      ...(settings.serverNode === undefined ? {} : { serverNode: settings.serverNode }),
      ...(settings.serverFlags === undefined ? {} : { serverFlags: settings.serverFlags }),
      log,
    });
    exported = (await sink.ask<{ received: BenchResults['exported'] }>({ type: 'stats' }, 'stats'))
      .received;
  } finally {
    await sink.stop();
  }
  const inProcess =
    settings.throughputOnly === true ? {} : await inProcessMeasurements(settings, log);
  const results: BenchResults = {
    settings,
    environment: {
      ...environment,
      placement: placement.detail,
      seconds: (performance.now() - started) / 1000,
    },
    throughput,
    exported,
    ...inProcess,
  };
  const targets = evaluateTargets(results);
  return { results, targets, markdown: buildReport(results, targets, notes()) };
}

function settingsFromArgs(argv: readonly string[]): {
  settings: BenchSettings;
  frameworks: Framework[];
  variants: Variant[];
  pin: boolean;
  out: string;
  genaiOnly: boolean;
  scrapeOnly: boolean;
} {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      quick: { type: 'boolean' },
      'throughput-only': { type: 'boolean' },
      'no-pin': { type: 'boolean' },
      rounds: { type: 'string' },
      duration: { type: 'string' },
      warmup: { type: 'string' },
      connections: { type: 'string' },
      frameworks: { type: 'string' },
      variants: { type: 'string' },
      out: { type: 'string' },
      'genai-only': { type: 'boolean' },
      'scrape-only': { type: 'boolean' },
      'server-node': { type: 'string' },
      'server-flags': { type: 'string' },
    },
  });
  const base = values.quick === true ? QUICK : FULL;
  const num = (name: string, raw: string | undefined, fallback: number): number => {
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isFinite(n) || n <= 0) {
      throw new TypeError(`bench: --${name} must be a positive number, got ${JSON.stringify(raw)}`);
    }
    return n;
  };
  const list = <T extends string>(
    name: string,
    raw: string | undefined,
    allowed: readonly T[],
    fallback: readonly T[] = allowed,
  ): T[] => {
    if (raw === undefined) return [...fallback];
    const items = raw.split(',').map((s) => s.trim());
    for (const item of items) {
      if (!allowed.includes(item as T)) {
        throw new TypeError(
          `bench: --${name} has ${JSON.stringify(item)}; allowed: ${allowed.join(', ')}`,
        );
      }
    }
    return items as T[];
  };
  const custom = ['rounds', 'duration', 'warmup', 'connections'].some(
    (k) => values[k as keyof typeof values] !== undefined,
  );
  return {
    settings: {
      ...base,
      mode: custom ? 'custom' : base.mode,
      rounds: Math.round(num('rounds', values.rounds, base.rounds)),
      durationSeconds: num('duration', values.duration, base.durationSeconds),
      warmupSeconds: values.warmup === '0' ? 0 : num('warmup', values.warmup, base.warmupSeconds),
      connections: Math.round(num('connections', values.connections, base.connections)),
      ...(values['throughput-only'] === true ? { throughputOnly: true } : {}),
      ...(values['server-node'] === undefined ? {} : { serverNode: values['server-node'] }),
      ...(values['server-flags'] === undefined
        ? {}
        : { serverFlags: serverFlags(values['server-flags']) }),
    },
    frameworks: list('frameworks', values.frameworks, FRAMEWORKS),
    variants: list('variants', values.variants, ALL_VARIANTS, VARIANTS),
    pin: values['no-pin'] !== true,
    out: values.out ?? fileURLToPath(new URL('../report.md', import.meta.url)),
    genaiOnly: values['genai-only'] === true,
    scrapeOnly: values['scrape-only'] === true,
  };
}

async function main(): Promise<void> {
  const { settings, frameworks, variants, pin, out, genaiOnly, scrapeOnly } = settingsFromArgs(
    process.argv.slice(2),
  );
  if (scrapeOnly) {
    // Only the scrape table, printed and not written over the full report.
    const quiet = { settled: await quietMachine() };
    const scrape = await inWorker<ScrapeResult[]>({
      name: 'scrape',
      series: settings.scrapeSeries,
      counterSeries: settings.scrapeCounterSeries ?? [],
      families: settings.scrapeFamilies ?? [],
      reps: settings.scrapeReps,
    });
    process.stdout.write(`${scrapeSection({ settings, scrape, quiet }).join('\n')}\n`);
    return;
  }
  if (genaiOnly) {
    // Only the GenAI scenario, printed and not written over the full report.
    const genai = await runGenAi(settings.genaiCalls);
    const lines = [
      ...genaiSection(genai),
      ...genaiTargets(genai).map((t) => `- ${t.met ? 'met' : 'not met'}: ${t.name}: ${t.detail}`),
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
    return;
  }
  const { markdown } = await runBench({
    settings,
    frameworks,
    variants,
    pin,
    log: (line) => process.stderr.write(`${line}\n`),
  });
  writeFileSync(out, markdown);
  process.stdout.write(`${markdown}\nReport written to ${out}\n`);
}

// Only when started as `node dist/run.js`, not when a test imports the module.
if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((error: unknown) => {
    process.stderr.write(`${String(error instanceof Error ? error.stack : error)}\n`);
    process.exit(1);
  });
}
