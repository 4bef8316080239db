// The shapes of every measurement, as the runner collects them and the report reads them.
import type { ThroughputResult } from './throughput.js';

export type WorkerTask =
  | {
      readonly name: 'scrape';
      readonly series: readonly number[];
      readonly counterSeries: readonly number[];
      /** Registries of this many one-series counters, each its own family. */
      readonly families: readonly number[];
      readonly reps: number;
    }
  | { readonly name: 'memory'; readonly series: number }
  | { readonly name: 'hll'; readonly users: number }
  | { readonly name: 'redis'; readonly events: number }
  | { readonly name: 'genai'; readonly url: string; readonly calls: number }
  | {
      readonly name: 'ticks';
      readonly keep: boolean;
      readonly ticks: number;
      readonly reps: number;
    };

/** Nanoseconds per process.nextTick before and after full collections with no tick queued. */
export interface TickResult {
  /** Whether the process kept a tick alive (`keepTickShape`). */
  readonly keep: boolean;
  /** Ticks per timed chain, and chains per figure (the median is given). */
  readonly ticks: number;
  readonly reps: number;
  /** Full collections run in a row, from a timer, between the two figures. */
  readonly collections: number;
  readonly beforeNs: number;
  readonly afterNs: number;
}

export type GenAiKind = 'plain' | 'streamed';

/** µs of client CPU per call: medians of per-call CPU and of the paired differences to bare. */
export interface GenAiRow {
  readonly kind: GenAiKind;
  readonly bare: number;
  readonly ours: number;
  readonly delta: number;
  /** Instrumented with an OpenTelemetry SDK recording the spans. */
  readonly oursSdk: number;
  readonly sdkDelta: number;
}

export interface GenAiResult {
  /** Pairs of calls (bare, instrumented) per kind and per tracing setup. */
  readonly calls: number;
  /** Pairs run first and not counted. */
  readonly warmup: number;
  readonly rows: readonly GenAiRow[];
}

export interface ScrapeRun {
  /** Wall time of one exposition. */
  readonly ms: number;
  readonly cpuMs: number;
  /** Longest time the event loop could not run anything else meanwhile. */
  readonly stallMs: number;
  /** The longest stall of each timed scrape, in order (stallMs is the largest). */
  readonly stallsMs?: readonly number[];
  /** The kernel's part of cpuMs (system time): one scrape's, or each timed scrape's in order. */
  readonly systemMs?: number;
  readonly systemsMs?: readonly number[];
}

export interface ScrapeResult {
  /**
   * Label sets of one histogram with the contract's 14 buckets (17 lines each), or of one counter;
   * for `families`, counters of one series each.
   */
  readonly series: number;
  /**
   * A counter (one line a series) instead of the histogram, or as many counters of one series
   * (`families`, from 1 Dec); absent in reports before 1 Dec.
   */
  readonly kind?: 'histogram' | 'counter' | 'families';
  readonly bodyBytes: number;
  readonly reps: number;
  readonly ours: ScrapeRun;
  readonly promClient: ScrapeRun;
  /** How long each wait for the memory to settle before a timed scrape took (ours and prom-client's). */
  readonly settlesMs?: readonly number[];
}

export interface MemoryResult {
  readonly series: number;
  readonly promClientBytesPerSeries: number;
  readonly scrapeRetainedBytesPerSeries: number;
  readonly adapterBytesPerRoute: number;
}

export interface HllResult {
  readonly users: number;
  readonly events: number;
  readonly mau: number;
  readonly errorPercent: number;
  readonly sketchBytesPerDay: number;
  readonly eventsPerSecond: number;
}

export type RedisResult =
  | { readonly skipped: string }
  | {
      readonly events: number;
      readonly seconds: number;
      readonly eventsPerSecond: number;
      readonly dau: number;
      readonly redisBytesPerDaySketch: number;
    };

/** Scrapes of each exposition, not timed, before the timed ones (same for prom-client). */
export const SCRAPE_WARM_UPS = 3;

/** The longest the worker waits, before a timed scrape, for the resident memory to stop falling. */
export const SETTLE_MAX_MS = 3_000;

export interface BenchSettings {
  readonly mode: 'full' | 'quick' | 'custom';
  /** Throughput rounds only (e.g. `--throughput-only --variants bare,ours-trace-100,otel`). */
  readonly throughputOnly?: boolean;
  readonly rounds: number;
  readonly durationSeconds: number;
  readonly warmupSeconds: number;
  readonly connections: number;
  readonly scrapeSeries: readonly number[];
  /** Series of the counter scraped after the histograms (one line each). */
  readonly scrapeCounterSeries?: readonly number[];
  /** Counters of one series each, in one registry, scraped last. */
  readonly scrapeFamilies?: readonly number[];
  readonly scrapeReps: number;
  readonly memorySeries: number;
  readonly hllUsers: number;
  readonly redisEvents: number;
  /** Pairs of openai SDK calls (bare, instrumented) per kind and tracing setup, GenAI scenario. */
  readonly genaiCalls: number;
  /** Ticks per timed chain in the nextTick measurement (see ticks.ts), and chains per figure. */
  readonly tickChain: number;
  readonly tickReps: number;
  /** The Node.js binary the bench servers run on, when not the one running the bench. */
  readonly serverNode?: string;
  /** Node.js options the bench servers start with (`--no-memory-reducer`), none by default. */
  readonly serverFlags?: readonly string[];
}

export interface Environment {
  readonly date: string;
  readonly node: string;
  /** The servers' Node.js version, when they run on another binary than the bench. */
  readonly serverNode?: string;
  /** The Node.js options the servers started with, when any were given. */
  readonly serverFlags?: readonly string[];
  readonly cpus: string;
  readonly loadAverage: readonly number[];
  /** Where the server and the load generator ran (pinned cores, priority), or why not pinned. */
  readonly placement: string;
  readonly seconds: number;
}

export interface BenchResults {
  readonly settings: BenchSettings;
  readonly environment: Environment;
  readonly throughput: ThroughputResult;
  /** Bytes the OTLP sink received, by `framework/variant`. */
  readonly exported: Readonly<Record<string, { requests: number; bytes: number }>>;
  /** The in-process measurements; absent from a `--throughput-only` run. */
  readonly scrape?: readonly ScrapeResult[];
  /** Whether the machine was idle when the in-process measurements began (see quietMachine). */
  readonly quiet?: { readonly settled: boolean };
  readonly memory?: MemoryResult;
  readonly hll?: HllResult;
  readonly redis?: RedisResult;
  readonly genai?: GenAiResult;
  /** The nextTick measurement: a process keeping no tick, then one keeping one. */
  readonly ticks?: readonly TickResult[];
}
