// Turns the measurements into the Markdown report: tables, one met / not met line per target,
// and a closing note on what would close each missed one.
import {
  FRAMEWORK_LABEL,
  PEER_LIBRARY,
  VARIANT_LABEL,
  type Framework,
  type Variant,
} from './configs.js';
import type {
  BenchResults,
  HllResult,
  MemoryResult,
  RedisResult,
  ScrapeResult,
} from './results.js';
import { median, pairedValues } from './stats.js';
import { samplingLines, tracingTargets } from './report-tracing.js';
import { genaiSection, genaiTargets } from './report-genai.js';
import type { Sample } from './throughput.js';

export interface Target {
  readonly name: string;
  readonly met: boolean;
  /** The measured value against the target, and by how much a miss misses. */
  readonly detail: string;
  /** What would close it, for a miss. */
  readonly fix?: string;
}

export interface Summary {
  readonly framework: Framework;
  readonly variant: Variant;
  readonly rounds: number;
  readonly rps: number;
  /** Median over rounds of rps / bare rps of the same round. */
  readonly ratioToBare: number;
  readonly cpuMicros: number;
  /** Median over rounds of the CPU per request minus bare's in the same round. */
  readonly cpuDeltaMicros: number;
  readonly p99Ms: number;
  readonly errors: number;
}

/** The same-round ratio of two setups, median over the rounds both ran. */
function pairedMedian(
  samples: readonly Sample[],
  framework: Framework,
  a: Variant,
  b: Variant,
  value: (x: Sample, y: Sample) => number,
): number {
  return median(pairedValues(samples, framework, a, b, value));
}

export function summarize(samples: readonly Sample[]): Summary[] {
  const out: Summary[] = [];
  const seen = new Set<string>();
  for (const s of samples) {
    const key = `${s.framework}/${s.variant}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const mine = samples.filter((o) => o.framework === s.framework && o.variant === s.variant);
    out.push({
      framework: s.framework,
      variant: s.variant,
      rounds: mine.length,
      rps: median(mine.map((o) => o.rps)),
      ratioToBare: pairedMedian(samples, s.framework, s.variant, 'bare', (x, y) => x.rps / y.rps),
      cpuMicros: median(mine.map((o) => o.cpuMicrosPerRequest)),
      cpuDeltaMicros: pairedMedian(
        samples,
        s.framework,
        s.variant,
        'bare',
        (x, y) => x.cpuMicrosPerRequest - y.cpuMicrosPerRequest,
      ),
      p99Ms: median(mine.map((o) => o.p99Ms)),
      errors: mine.reduce((sum, o) => sum + o.errors, 0),
    });
  }
  return out;
}

const f1 = (n: number): string => (Number.isFinite(n) ? n.toFixed(1) : 'n/a');
const f2 = (n: number): string => (Number.isFinite(n) ? n.toFixed(2) : 'n/a');
const f0 = (n: number): string => (Number.isFinite(n) ? n.toFixed(0) : 'n/a');
const signed = (n: number): string => (n >= 0 ? `+${f1(n)}` : f1(n));
const kib = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KiB`;

function find(
  summaries: readonly Summary[],
  framework: Framework,
  variant: Variant,
): Summary | undefined {
  return summaries.find((s) => s.framework === framework && s.variant === variant);
}

function throughputTargets(results: BenchResults, summaries: readonly Summary[]): Target[] {
  const targets: Target[] = [];
  const samples = results.throughput.samples;
  const frameworks = [...new Set(samples.map((s) => s.framework))];
  for (const fw of frameworks) {
    const name = FRAMEWORK_LABEL[fw];
    const ours = find(summaries, fw, 'ours');
    const peer = find(summaries, fw, 'peer');
    if (ours) {
      targets.push({
        name: `${name}: our adapter >= 0.95 of bare throughput`,
        met: ours.ratioToBare >= 0.95,
        detail: `${f2(ours.ratioToBare)}${ours.ratioToBare >= 0.95 ? '' : ` (short by ${f2(0.95 - ours.ratioToBare)})`}`,
        fix: 'fewer allocations per request in the core recorder (one label object, cached label arrays, no closure per request)',
      });
      targets.push({
        name: `${name}: our adapter <= +5 µs server CPU per request`,
        met: ours.cpuDeltaMicros <= 5,
        detail: `${signed(ours.cpuDeltaMicros)} µs${ours.cpuDeltaMicros <= 5 ? '' : ` (over by ${f1(ours.cpuDeltaMicros - 5)} µs)`}`,
        fix: 'cache the prom-client child per (method, route, status) so an observation skips label hashing and validation',
      });
    }
    if (ours && peer) {
      targets.push({
        name: `${name}: our adapter ahead of ${PEER_LIBRARY[fw]}`,
        met: ours.ratioToBare > peer.ratioToBare,
        detail: `ours ${f2(ours.ratioToBare)} vs peer ${f2(peer.ratioToBare)} of bare`,
        fix: 'the same per-request savings as above',
      });
    }
    targets.push(...tracingTargets(samples, fw));
  }
  return targets;
}

function scrapeTargets(scrape: readonly ScrapeResult[]): Target[] {
  const tenK = scrape.find((s) => s.series === 10_000);
  if (!tenK) return [];
  return [
    {
      name: '10k-series scrape within 40 ms',
      met: tenK.ours.ms <= 40,
      detail: `${f1(tenK.ours.ms)} ms (prom-client ${f1(tenK.promClient.ms)} ms)${tenK.ours.ms <= 40 ? '' : `, over by ${f1(tenK.ours.ms - 40)} ms`}`,
      fix: `the body is ${(tenK.bodyBytes / 1e6).toFixed(1)} MB of text: render only the series that changed since the last scrape (a per-series block cache keyed on the count, ~2.7 KB per series) or stream the body to the socket instead of building one string`,
    },
    {
      name: '10k-series scrape: no event-loop stall over 20 ms',
      met: tenK.ours.stallMs <= 20,
      detail: `longest stall ${f1(tenK.ours.stallMs)} ms (prom-client ${f1(tenK.promClient.stallMs)} ms)`,
      fix: 'smaller render slices (SLICE_MS in exposition.ts) and yielding inside non-histogram families too',
    },
  ];
}

function businessTargets(hll: HllResult, redis: RedisResult): Target[] {
  const sketch = 'skipped' in redis ? hll.sketchBytesPerDay : redis.redisBytesPerDaySketch;
  const where =
    'skipped' in redis ? 'in-memory store, heap per day' : 'Redis MEMORY USAGE per day key';
  const targets: Target[] = [
    {
      name: `MAU of ${hll.users.toLocaleString('en-US')} users within 2%`,
      met: hll.errorPercent <= 2,
      detail: `error ${f2(hll.errorPercent)}% (MAU ${hll.mau.toLocaleString('en-US')})`,
      fix: 'more HyperLogLog registers (2^16 gives 0.41% standard error at 64 KiB a day)',
    },
    {
      name: 'day sketches of at most 16 KiB',
      met: sketch <= 16 * 1024,
      detail: `${kib(sketch)} (${where})`,
      fix: 'sparse encoding for small days and 6-bit registers (Redis packs 2^14 registers in 12 KiB)',
    },
  ];
  if ('skipped' in redis) {
    targets.push({
      name: 'at least 50k events/s into Redis',
      met: false,
      detail: `not measured: ${redis.skipped}`,
      fix: 'install redis-server (Debian package) and run again',
    });
  } else {
    targets.push({
      name: 'at least 50k events/s into Redis',
      met: redis.eventsPerSecond >= 50_000,
      detail: `${f0(redis.eventsPerSecond)} events/s${redis.eventsPerSecond >= 50_000 ? '' : ` (short by ${f0(50_000 - redis.eventsPerSecond)})`}`,
      fix: 'larger PFADD batches (flushBatchSize) and pipelining several days in one round trip',
    });
  }
  return targets;
}

export function evaluateTargets(results: BenchResults): Target[] {
  const summaries = summarize(results.throughput.samples);
  return [
    ...throughputTargets(results, summaries),
    ...scrapeTargets(results.scrape ?? []),
    ...(results.hll && results.redis ? businessTargets(results.hll, results.redis) : []),
    ...(results.genai ? genaiTargets(results.genai) : []),
  ];
}

function throughputSection(results: BenchResults, summaries: readonly Summary[]): string[] {
  const lines = ['## Throughput', ''];
  const s = results.settings;
  lines.push(
    `Trivial JSON route \`GET /users/:id\`; ${s.rounds} interleaved rounds of ${s.durationSeconds} s ` +
      `(after a ${s.warmupSeconds} s warm-up) per setup, ${s.connections} keep-alive connections from a ` +
      `separate autocannon process. Each figure is a median over rounds; ratios and CPU deltas are taken ` +
      `against the bare framework *in the same round*. CPU is the server process's own user+system time ` +
      `(\`process.cpuUsage()\`) per request.`,
    '',
  );
  const frameworks = [...new Set(summaries.map((x) => x.framework))];
  for (const fw of frameworks) {
    lines.push(`### ${FRAMEWORK_LABEL[fw]}`, '');
    lines.push(
      '| setup | req/s | ratio to bare | server CPU µs/req | Δ CPU vs bare | p99 ms | errors |',
    );
    lines.push('|---|---:|---:|---:|---:|---:|---:|');
    for (const x of summaries.filter((y) => y.framework === fw)) {
      const label = x.variant === 'peer' ? `peer: ${PEER_LIBRARY[fw]}` : VARIANT_LABEL[x.variant];
      const detail = results.throughput.details[`${fw}/${x.variant}`];
      lines.push(
        `| ${label}${detail ? ` (${detail})` : ''} | ${f0(x.rps)} | ${f2(x.ratioToBare)} | ${f1(x.cpuMicros)} | ` +
          `${x.variant === 'bare' ? '—' : signed(x.cpuDeltaMicros)} | ${f1(x.p99Ms)} | ${x.errors} |`,
      );
    }
    lines.push('');
  }
  lines.push(...samplingLines(results.throughput.samples));
  const exported = Object.entries(results.exported);
  if (exported.length > 0) {
    lines.push('Spans exported to the loopback OTLP sink (whole run, warm-ups included):', '');
    lines.push('| setup | export requests | MB |', '|---|---:|---:|');
    for (const [key, v] of exported.sort()) {
      lines.push(`| ${key} | ${v.requests} | ${(v.bytes / 1e6).toFixed(1)} |`);
    }
    lines.push('');
  }
  return lines;
}

function scrapeSection(results: BenchResults): string[] {
  if (results.scrape === undefined) return [];
  const lines = ['## Scrape', ''];
  lines.push(
    'One histogram with the contract labels and 14 buckets (17 lines per series); every series ' +
      'changes between scrapes. Time is the wall time of one text exposition (median of ' +
      `${results.settings.scrapeReps} or fewer), the stall is the longest the event loop waited during it.`,
    '',
  );
  lines.push(
    '| series | body MB | ours ms | ours CPU ms | ours longest stall ms | prom-client ms | prom-client longest stall ms | speed-up |',
  );
  lines.push('|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const s of results.scrape) {
    lines.push(
      `| ${s.series.toLocaleString('en-US')} | ${(s.bodyBytes / 1e6).toFixed(1)} | ${f1(s.ours.ms)} | ` +
        `${f1(s.ours.cpuMs)} | ${f1(s.ours.stallMs)} | ${f1(s.promClient.ms)} | ${f1(s.promClient.stallMs)} | ` +
        `${f1(s.promClient.ms / s.ours.ms)}x |`,
    );
  }
  lines.push('');
  return lines;
}

function memorySection(m: MemoryResult | undefined): string[] {
  if (m === undefined) return [];
  return [
    '## Memory per series',
    '',
    `Heap growth after a full GC, ${m.series.toLocaleString('en-US')} series.`,
    '',
    '| what | bytes per series |',
    '|---|---:|',
    `| prom-client histogram series (14 buckets) | ${f0(m.promClientBytesPerSeries)} |`,
    `| kept by our exposition after a scrape (nothing is cached per series) | ${f0(m.scrapeRetainedBytesPerSeries)} |`,
    `| one new route through our recorder (\`metrics.http\`, all its series and limiter state) | ${f0(m.adapterBytesPerRoute)} |`,
    '',
  ];
}

function businessSection(hll: HllResult | undefined, redis: RedisResult | undefined): string[] {
  if (hll === undefined || redis === undefined) return [];
  const lines = ['## Business metrics', ''];
  lines.push(
    `HyperLogLog (in-memory store): ${hll.users.toLocaleString('en-US')} distinct users, each active on ` +
      `two days of a 30-day month (${hll.events.toLocaleString('en-US')} events at ${f0(hll.eventsPerSecond)} events/s).`,
    '',
    '| MAU | true | error | heap per day sketch |',
    '|---:|---:|---:|---:|',
    `| ${hll.mau.toLocaleString('en-US')} | ${hll.users.toLocaleString('en-US')} | ${f2(hll.errorPercent)}% | ${kib(hll.sketchBytesPerDay)} |`,
    '',
  );
  if ('skipped' in redis) {
    lines.push(`Redis store: not measured (${redis.skipped}).`, '');
  } else {
    lines.push(
      `Redis store: ${redis.events.toLocaleString('en-US')} user-activity events recorded and flushed in ` +
        `${f2(redis.seconds)} s: **${f0(redis.eventsPerSecond)} events/s**; DAU read back ` +
        `${redis.dau.toLocaleString('en-US')}; one day key takes ${kib(redis.redisBytesPerDaySketch)} in Redis.`,
      '',
    );
  }
  return lines;
}

/** The whole report as Markdown; `notes` (hand-written sections) follow the throughput tables. */
export function buildReport(
  results: BenchResults,
  targets = evaluateTargets(results),
  notes: readonly string[] = [],
): string {
  const e = results.environment;
  const summaries = summarize(results.throughput.samples);
  const missed = targets.filter((t) => !t.met);
  const lines = [
    '# Benchmark report',
    '',
    `${e.date} · Node ${e.node} · ${e.cpus} · load average at start ${e.loadAverage.map((l) => l.toFixed(2)).join(' ')} · ` +
      `${results.settings.mode} run, ${f0(e.seconds)} s`,
    '',
    `Placement: ${e.placement}.`,
    '',
    ...throughputSection(results, summaries),
    ...notes.flatMap((note) => [note.trim(), '']),
    ...scrapeSection(results),
    ...memorySection(results.memory),
    ...businessSection(results.hll, results.redis),
    ...(results.genai ? genaiSection(results.genai) : []),
    '## Targets',
    '',
    ...targets.map((t) => `- ${t.met ? 'met' : 'not met'}: ${t.name}: ${t.detail}`),
    '',
    '## Closing note',
    '',
  ];
  if (missed.length === 0) {
    lines.push('Every target is met.');
  } else {
    lines.push(
      `${missed.length} of ${targets.length} targets missed. What would close them:`,
      '',
      ...missed.map((t) => `- ${t.name}: ${t.fix ?? 'see the figures above'}.`),
    );
  }
  lines.push(
    '',
    'Throughput figures come from a shared 2-core machine: load generator and server compete for the ' +
      'same cores, so ratios taken in the same round and CPU per request are the figures to read.',
    '',
  );
  return lines.join('\n');
}
