// Turns the measurements into the Markdown report: tables, one met / not met line per target,
// and a closing note on what would close each missed one.
import {
  FRAMEWORK_LABEL,
  PEER_LIBRARY,
  SETTLE_BUSY_MS,
  SETTLE_LIMIT_MS,
  SETTLE_STEP_MS,
  VARIANT_LABEL,
} from './configs.js';
import {
  SCRAPE_WARM_UPS,
  SETTLE_MAX_MS,
  type BenchResults,
  type HllResult,
  type MemoryResult,
  type RedisResult,
  type ScrapeResult,
  type ScrapeRun,
} from './results.js';
import {
  f0,
  f1,
  f2,
  kib,
  signed,
  spreadText,
  summarize,
  type Summary,
  type Target,
} from './report-summary.js';
import { evaluateTargets } from './report-targets.js';
import { samplingLines } from './report-tracing.js';
import { genaiSection } from './report-genai.js';
import { ticksSection } from './report-ticks.js';

export { evaluateTargets } from './report-targets.js';
export { summarize, type Summary, type Target } from './report-summary.js';

/**
 * How the windows began. Samples of reports written before the runner settled have no `settled`,
 * and say nothing.
 */
function settleText(samples: BenchResults['throughput']['samples']): string {
  const known = samples.filter((x) => x.settled !== undefined);
  if (known.length === 0) return '';
  const settled = known.filter((x) => x.settled).length;
  return (
    `Each window began once every server of its framework was idle (none used over ` +
    `${SETTLE_BUSY_MS} ms of CPU in ${SETTLE_STEP_MS} ms, waited for at most ${SETTLE_LIMIT_MS / 1000} s): ` +
    `a traced setup goes on exporting its window's spans after its load ends, on the core the next ` +
    `setup is measured on. ${settled} of ${known.length} windows began settled.`
  );
}

function throughputSection(results: BenchResults, summaries: readonly Summary[]): string[] {
  const lines = ['## Throughput', ''];
  const s = results.settings;
  lines.push(
    `Trivial JSON route \`GET /users/:id\`; ${s.rounds} interleaved rounds of ${s.durationSeconds} s ` +
      `(after a ${s.warmupSeconds} s warm-up) per setup, each round in an order moved by one place (the ` +
      `setup measured right after another can be measurably slower: no setup keeps one place), ` +
      `${s.connections} keep-alive connections from a ` +
      `separate autocannon process. Each figure is a median over rounds; ratios and CPU deltas are taken ` +
      `against the bare framework *in the same round*, with the lowest and highest round in brackets. CPU is the server process's own user+system time ` +
      `(\`process.cpuUsage()\`) per request; the kernel's part of it (system time) is mostly the loopback ` +
      `socket's sends, and grows per request when a setup serves fewer requests a second (the same ` +
      `response's send took 6.8 µs a request on bare Fastify and 10.4 µs under default tracing, in ` +
      `\`profile --variant ours-trace-default --against bare\`), so part of every CPU ratio moves ` +
      `with throughput rather than with the setup's own code. ${settleText(results.throughput.samples)}`,
    '',
  );
  const frameworks = [...new Set(summaries.map((x) => x.framework))];
  for (const fw of frameworks) {
    lines.push(`### ${FRAMEWORK_LABEL[fw]}`, '');
    lines.push(
      '| setup | req/s | ratio to bare (min–max) | server CPU µs/req | of which kernel | CPU ratio to bare (min–max) | Δ CPU vs bare | p99 ms | errors |',
    );
    lines.push('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
    for (const x of summaries.filter((y) => y.framework === fw)) {
      const label = x.variant === 'peer' ? `peer: ${PEER_LIBRARY[fw]}` : VARIANT_LABEL[x.variant];
      const detail = results.throughput.details[`${fw}/${x.variant}`];
      lines.push(
        `| ${label}${detail ? ` (${detail})` : ''} | ${f0(x.rps)} | ${spreadText(x.ratio)} | ${f1(x.cpuMicros)} | ${f1(x.systemMicros)} | ` +
          `${x.variant === 'bare' ? '—' : spreadText(x.cpuRatio)} | ` +
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

/** The longest stall, then each timed scrape's in brackets. */
function stalls(run: ScrapeRun): string {
  const each = run.stallsMs;
  return each === undefined || each.length < 2
    ? f1(run.stallMs)
    : `${f1(run.stallMs)} (${each.map(f1).join(', ')})`;
}

/** What a scrape row's first cell says after its count. */
const SCRAPE_KINDS: Record<NonNullable<ScrapeResult['kind']>, string> = {
  histogram: '',
  counter: ' (counter)',
  families: ' (families)',
};

/** The scrape table (also printed alone by `--scrape-only`). */
export function scrapeSection(
  results: Pick<BenchResults, 'scrape' | 'settings' | 'quiet'>,
): string[] {
  if (results.scrape === undefined) return [];
  const lines = ['## Scrape', ''];
  const { quiet } = results;
  const began =
    quiet === undefined
      ? ''
      : quiet.settled
        ? ` The scrapes began once the machine was idle (no CPU busy over ${SETTLE_BUSY_MS} ms in ${SETTLE_STEP_MS} ms).`
        : ' The machine did not become idle before the scrapes began: read the figures as taken beside other work.';
  const waits = results.scrape.flatMap((s) => s.settlesMs ?? []);
  const capped = waits.filter((ms) => ms >= SETTLE_MAX_MS).length;
  const settling =
    waits.length === 0
      ? ''
      : ` Each wait for the memory took ${Math.round(Math.min(...waits))}–${Math.round(Math.max(...waits))} ms` +
        (capped > 0
          ? `; ${capped} of ${waits.length} stopped at the ${SETTLE_MAX_MS / 1000} s cap with the memory still falling.`
          : '.');
  lines.push(
    'One histogram with the contract labels and 14 buckets (17 lines per series); rows marked ' +
      '"counter" are one counter with the same labels instead (one line per series), the same scrape ' +
      'of a family prom-client renders from its get(); the row marked "families" is a registry of that ' +
      'many counters of one series each (a registry of many small families, whose collections ' +
      'start in slices of their own). Every series changes between scrapes. Time is the wall time of one text exposition, rendered in the ' +
      'chunks the /metrics handler writes one by one, each handed back as the socket takes it (here at ' +
      'once, as on a socket that keeps up: a later chunk is written into its memory) (median of ' +
      `${results.settings.scrapeReps}, after ${SCRAPE_WARM_UPS} scrapes not timed, each after a full collection ` +
      `and once the resident memory stopped falling: the freed pages unmapped, at most ${SETTLE_MAX_MS / 1000} s), the stall is the longest the event loop waited during it. ` +
      "Our body is bytes (UTF-8) ready for the socket; prom-client's is a string still to be encoded. " +
      'The longest stall is the largest of the timed scrapes; each one is in brackets. The kernel ' +
      "column is each timed scrape's system CPU time, in order: the process's threads together (page " +
      'faults, and pages of an earlier body still being unmapped, which the settling above waits for).' +
      settling +
      began,
    '',
  );
  lines.push(
    '| series | body MB | ours ms | ours CPU ms | of which kernel, each scrape | ours longest stall ms | prom-client ms | prom-client longest stall ms | speed-up |',
  );
  lines.push('|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const s of results.scrape) {
    lines.push(
      `| ${s.series.toLocaleString('en-US')}${SCRAPE_KINDS[s.kind ?? 'histogram']} | ` +
        `${(s.bodyBytes / 1e6).toFixed(1)} | ${f1(s.ours.ms)} | ` +
        `${f1(s.ours.cpuMs)} | ${(s.ours.systemsMs ?? []).map(f1).join(', ') || '—'} | ` +
        `${stalls(s.ours)} | ${f1(s.promClient.ms)} | ${stalls(s.promClient)} | ` +
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
    `| kept by our exposition after a scrape (the label text of each series, reused by the next scrape) | ${f0(m.scrapeRetainedBytesPerSeries)} |`,
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
    `${e.date} · Node ${e.node}${e.serverNode === undefined ? '' : ` (bench servers on Node ${e.serverNode})`}${e.serverFlags === undefined ? '' : ` · servers started with \`${e.serverFlags.join(' ')}\``} · ${e.cpus} · load average at start ${e.loadAverage.map((l) => l.toFixed(2)).join(' ')} · ` +
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
    ...(results.ticks ? ticksSection(results.ticks) : []),
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
      ...closingLines(missed),
    );
  }
  lines.push(
    '',
    'Throughput figures move with whatever else the machine runs (see Placement and the load average): ' +
      'ratios taken in the same round and CPU per request are the figures to read, and the min–max ' +
      'spread says how far one round can be off.',
    '',
  );
  return lines.join('\n');
}

/** One line per cause: the targets a fix text applies to, then the text once. */
function closingLines(missed: readonly Target[]): string[] {
  const byFix = new Map<string, string[]>();
  for (const target of missed) {
    const fix = target.fix ?? 'see the figures above';
    byFix.set(fix, [...(byFix.get(fix) ?? []), target.name]);
  }
  return [...byFix].map(([fix, names]) => `- ${names.join('; ')}: ${fix}.`);
}
