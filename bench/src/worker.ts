// In-process measurements, each in a fresh child (started with --expose-gc): scrape time and
// event-loop stalls, memory per series, HyperLogLog accuracy and size, Redis store throughput.
import { createRequire } from 'node:module';
import { HTTP_DURATION_BUCKETS, createMetrics } from '@ai-orchestrator/metrics';
import { render, renderStream } from '@ai-orchestrator/metrics/adapter';
import { createBusinessMetrics, memoryStore } from '@ai-orchestrator/business-metrics';
import { redisStore } from '@ai-orchestrator/business-metrics/redis';
import { requireBinary, startRedis } from '@ai-orchestrator/testkit';
import type * as PromClient from 'prom-client';
import type { Redis as RedisClient } from 'ioredis';
import type * as IoRedis from 'ioredis';
import { measureGenAi } from './genai.js';
import { measureTicks } from './ticks.js';
import { median } from './stats.js';
import { SCRAPE_WARM_UPS, SETTLE_MAX_MS } from './results.js';
import type {
  HllResult,
  MemoryResult,
  RedisResult,
  ScrapeResult,
  ScrapeRun,
  WorkerTask,
} from './results.js';

// The same prom-client instance our packages use (one registry class, one Histogram class).
const require = createRequire(import.meta.url);
const prom = require('prom-client') as typeof PromClient;

const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);
const METHODS = ['GET', 'POST', 'PUT', 'DELETE'];

function labelsOf(i: number): Record<string, string> {
  return {
    service: 'bench',
    http_request_method: METHODS[i % METHODS.length] as string,
    http_route: `/tenants/${i}/items/:id`,
    http_response_status_code: i % 10 === 0 ? '500' : '200',
  };
}

/** A registry with `series` label sets of the contract's request-duration histogram. */
function durationHistogram(series: number): {
  registry: PromClient.Registry;
  histogram: PromClient.Histogram;
} {
  const registry = new prom.Registry();
  const histogram = new prom.Histogram({
    name: 'http_server_request_duration_seconds',
    help: 'Duration of HTTP server requests.',
    labelNames: ['service', 'http_request_method', 'http_route', 'http_response_status_code'],
    buckets: [...HTTP_DURATION_BUCKETS],
    registers: [registry],
  });
  for (let i = 0; i < series; i++) histogram.observe(labelsOf(i), (i % 97) / 40);
  return { registry, histogram };
}

/** Runs `work` while a setImmediate chain notes the longest gap: the event-loop stall. */
async function timed(work: () => Promise<unknown>): Promise<ScrapeRun> {
  let last = performance.now();
  let longest = 0;
  let running = true;
  const tick = (): void => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
    if (running) setImmediate(tick);
  };
  setImmediate(tick);
  const cpu = process.cpuUsage();
  const started = performance.now();
  last = started;
  await work();
  const ms = performance.now() - started;
  const used = process.cpuUsage(cpu);
  longest = Math.max(longest, performance.now() - last);
  running = false;
  await new Promise((resolve) => setImmediate(resolve));
  return {
    ms,
    cpuMs: (used.user + used.system) / 1000,
    stallMs: longest,
    systemMs: used.system / 1000,
  };
}

// How often, how long at least and how long at most settle() watches the resident memory fall.
const SETTLE_POLL_MS = 20;
const SETTLE_MIN_MS = 100;
// A fall smaller than this between two looks is the memory at rest.
const SETTLE_BYTES = 1 << 20;

/**
 * A full collection, then time for what it leaves to background threads, as a server has between
 * scrapes: the sweeper, and the unmapping of freed pages. The unmapping took 60–160 ms after the
 * collection that follows prom-client's 143 MB body, and until it is done it holds the process's
 * memory map: an allocation of the next scrape that needs a page waited for it (up to 30 ms of
 * system time, and a stall, in a 50k scrape with 232 page faults, as in any other). So this waits
 * until the resident memory stops falling; returns how long it waited.
 */
async function settle(): Promise<number> {
  gc();
  const started = performance.now();
  let last = process.memoryUsage.rss();
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, SETTLE_POLL_MS));
    const rss = process.memoryUsage.rss();
    const waited = performance.now() - started;
    if (waited >= SETTLE_MAX_MS) return waited;
    if (waited >= SETTLE_MIN_MS && last - rss < SETTLE_BYTES) return waited;
    last = rss;
  }
}

async function ourScrape(registry: PromClient.Registry): Promise<number> {
  // What the /metrics handler does: each chunk is written as soon as it is rendered, and handed
  // back once the socket took it (here at once, as a socket that keeps up does, and as a HEAD).
  const { chunks, release } = await renderStream(registry, 'text');
  let bytes = 0;
  for await (const chunk of chunks) {
    bytes += chunk.length;
    release?.(chunk);
  }
  return bytes;
}

/** A registry with `series` label sets of one counter (one line each), the contract's HTTP labels. */
function requestCounter(series: number): { registry: PromClient.Registry; touch: () => void } {
  const registry = new prom.Registry();
  const counter = new prom.Counter({
    name: 'http_server_requests_total',
    help: 'HTTP server requests.',
    labelNames: ['service', 'http_request_method', 'http_route', 'http_response_status_code'],
    registers: [registry],
  });
  const touch = (): void => {
    for (let i = 0; i < series; i++) counter.inc(labelsOf(i));
  };
  return { registry, touch };
}

/** A registry of `count` counters of one series each: as many families, one line each. */
function manyCounters(count: number): { registry: PromClient.Registry; touch: () => void } {
  const registry = new prom.Registry();
  const counters = Array.from(
    { length: count },
    (_, i) =>
      new prom.Counter({
        name: `bench_family_${i}_total`,
        help: 'One of many families.',
        registers: [registry],
      }),
  );
  const touch = (): void => {
    for (const counter of counters) counter.inc();
  };
  return { registry, touch };
}

async function scrape(
  seriesList: readonly number[],
  counterList: readonly number[],
  familyList: readonly number[],
  reps: number,
): Promise<ScrapeResult[]> {
  const results: ScrapeResult[] = [];
  const setups = [
    ...seriesList.map((series) => ({ series, kind: 'histogram' as const })),
    ...counterList.map((series) => ({ series, kind: 'counter' as const })),
    ...familyList.map((series) => ({ series, kind: 'families' as const })),
  ];
  for (const { series, kind } of setups) {
    let registry: PromClient.Registry;
    let touch: () => void;
    if (kind === 'counter') ({ registry, touch } = requestCounter(series));
    else if (kind === 'families') ({ registry, touch } = manyCounters(series));
    else {
      const made = durationHistogram(series);
      registry = made.registry;
      touch = () => {
        for (let i = 0; i < series; i++) made.histogram.observe(labelsOf(i), 0.02);
      };
    }
    const ours: ScrapeRun[] = [];
    const plain: ScrapeRun[] = [];
    const settles: number[] = [];
    // Scrapes of each, not timed: a server's scrapes after its first few run compiled code (V8
    // compiles the render loop again as it learns the shapes of the first scrapes).
    let bytes = 0;
    for (let warm = 0; warm < SCRAPE_WARM_UPS; warm++) {
      touch();
      bytes = await ourScrape(registry);
      await registry.metrics();
    }
    for (let rep = 0; rep < reps; rep++) {
      // Every series moves between scrapes: nothing but the label sets can be reused.
      touch();
      settles.push(await settle());
      ours.push(await timed(async () => (bytes = await ourScrape(registry))));
      settles.push(await settle());
      plain.push(await timed(() => registry.metrics()));
    }
    const pick = (runs: ScrapeRun[]): ScrapeRun => ({
      ms: median(runs.map((r) => r.ms)),
      cpuMs: median(runs.map((r) => r.cpuMs)),
      stallMs: Math.max(...runs.map((r) => r.stallMs)),
      stallsMs: runs.map((r) => r.stallMs),
      systemsMs: runs.map((r) => r.systemMs ?? 0),
    });
    results.push({
      series,
      kind,
      bodyBytes: bytes,
      reps,
      ours: pick(ours),
      promClient: pick(plain),
      settlesMs: settles,
    });
  }
  return results;
}

/** JS heap plus ArrayBuffers (sketch registers live there) once garbage is gone. */
async function heap(): Promise<number> {
  for (let i = 0; i < 4; i++) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  const { heapUsed, arrayBuffers } = process.memoryUsage();
  return heapUsed + arrayBuffers;
}

// Whatever a memory measurement created stays reachable until the task ends.
const keep: unknown[] = [];

async function memory(series: number): Promise<MemoryResult> {
  const base = await heap();
  const { registry } = durationHistogram(series);
  keep.push(registry);
  const afterSeries = await heap();
  await render(registry, 'text');
  const afterScrape = await heap();

  const own = new prom.Registry();
  const metrics = createMetrics({
    serviceName: 'bench',
    registry: own,
    collectDefaultMetrics: false,
    limits: { maxLabelValues: series + 10 },
  });
  keep.push(own, metrics);
  metrics.http.start('GET').end({ route: '/warm-up', statusCode: 200 });
  const beforeRoutes = await heap();
  for (let i = 0; i < series; i++) {
    metrics.http.start('GET').end({ route: `/tenants/${i}/items/:id`, statusCode: 200 });
  }
  const afterRoutes = await heap();
  return {
    series,
    promClientBytesPerSeries: (afterSeries - base) / series,
    scrapeRetainedBytesPerSeries: (afterScrape - afterSeries) / series,
    adapterBytesPerRoute: (afterRoutes - beforeRoutes) / series,
  };
}

async function hll(users: number): Promise<HllResult> {
  const days = 30;
  const start = Date.UTC(2026, 0, 1);
  let day = 0;
  const base = await heap();
  const metrics = createMetrics({
    serviceName: 'bench',
    registry: new prom.Registry(),
    collectDefaultMetrics: false,
  });
  const business = createBusinessMetrics({
    metrics,
    store: memoryStore(),
    salt: 'bench-salt',
    now: () => new Date(start + day * 86_400_000 + 3_600_000),
    flushIntervalMs: 60_000,
    flushBatchSize: 10_000,
  });
  const started = performance.now();
  // Each user is active on two days of the month: MAU counts them once.
  for (day = 0; day < days; day++) {
    for (let i = day; i < users; i += days) business.recordUserActivity(`user-${i}`);
    for (let i = (day * 11) % days; i < users; i += days) business.recordUserActivity(`user-${i}`);
    await business.flush();
  }
  day = days - 1;
  const kpis = await business.getKpis();
  const seconds = (performance.now() - started) / 1000;
  const bytesPerDay = ((await heap()) - base) / days;
  await business.close();
  return {
    users,
    events: users * 2,
    mau: kpis.mau,
    errorPercent: (Math.abs(kpis.mau - users) / users) * 100,
    sketchBytesPerDay: bytesPerDay,
    eventsPerSecond: (users * 2) / seconds,
  };
}

async function redis(events: number): Promise<RedisResult> {
  const binary = requireBinary('redis-server');
  if (binary === undefined) return { skipped: 'redis-server is not installed' };
  const server = await startRedis(binary);
  const { Redis } = require('ioredis') as typeof IoRedis;
  const client: RedisClient = new Redis(server.url, { lazyConnect: true });
  try {
    await client.connect();
    const metrics = createMetrics({
      serviceName: 'bench',
      registry: new prom.Registry(),
      collectDefaultMetrics: false,
    });
    const business = createBusinessMetrics({
      metrics,
      store: redisStore({ url: server.url }),
      salt: 'bench-salt',
    });
    await business.flush();
    const started = performance.now();
    for (let i = 0; i < events; i++) business.recordUserActivity(`user-${i}`);
    await business.flush();
    const seconds = (performance.now() - started) / 1000;
    const kpis = await business.getKpis();
    await business.close();
    const keys = await client.keys('*users:*');
    const sizes = await Promise.all(
      keys.map(async (key) => Number(await client.call('MEMORY', 'USAGE', key))),
    );
    return {
      events,
      seconds,
      eventsPerSecond: events / seconds,
      dau: kpis.dau,
      redisBytesPerDaySketch: sizes.length > 0 ? Math.max(...sizes) : 0,
    };
  } finally {
    client.disconnect();
    await server.stop();
  }
}

async function runTask(task: WorkerTask): Promise<unknown> {
  switch (task.name) {
    case 'scrape':
      return scrape(task.series, task.counterSeries, task.families, task.reps);
    case 'memory':
      return memory(task.series);
    case 'hll':
      return hll(task.users);
    case 'redis':
      return redis(task.events);
    case 'genai':
      return measureGenAi(task.url, task.calls);
    case 'ticks':
      return measureTicks(task.keep, task.ticks, task.reps);
  }
}

process.on('message', (task: WorkerTask) => {
  runTask(task).then(
    (result) => process.send?.({ type: 'done', result }),
    (error: unknown) =>
      process.send?.({
        type: 'error',
        message: String(error instanceof Error ? error.stack : error),
      }),
  );
});
process.on('disconnect', () => process.exit(0));
process.send?.({ type: 'ready' });
