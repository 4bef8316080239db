// The tracing rows of the report: targets against bare and plain OpenTelemetry with their
// same-round spread, and the rate each tracing setup actually sampled.
import { FRAMEWORK_LABEL, type Framework, type Variant } from './configs.js';
import type { Target } from './report-summary.js';
import { median, pairedValues } from './stats.js';
import type { Sample } from './throughput.js';

const f1 = (n: number): string => (Number.isFinite(n) ? n.toFixed(1) : 'n/a');
const f2 = (n: number): string => (Number.isFinite(n) ? n.toFixed(2) : 'n/a');

/** `median (min–max)` of same-round values, so a reader sees the noise. */
function withSpread(values: readonly number[], unit = ''): string {
  if (values.length === 0) return 'n/a';
  return `${f2(median(values))}${unit} (${f2(Math.min(...values))}–${f2(Math.max(...values))})`;
}

const rpsRatio = (x: Sample, y: Sample): number => x.rps / y.rps;
// how much cheaper per request x is than y: y's CPU over x's
const cpuRatio = (x: Sample, y: Sample): number => y.cpuMicrosPerRequest / x.cpuMicrosPerRequest;

/** Tracing targets of one framework: default sampling against bare, 100% against plain OTel. */
export function tracingTargets(samples: readonly Sample[], fw: Framework): Target[] {
  const name = FRAMEWORK_LABEL[fw];
  const has = (v: Variant): boolean => samples.some((s) => s.framework === fw && s.variant === v);
  const targets: Target[] = [];
  if (has('ours-trace-default') && has('bare')) {
    const ratios = pairedValues(samples, fw, 'ours-trace-default', 'bare', rpsRatio);
    const cpu = pairedValues(samples, fw, 'ours-trace-default', 'bare', cpuRatio);
    // the tracing's own share: the same setup over our adapter alone
    const own = has('ours')
      ? pairedValues(samples, fw, 'ours-trace-default', 'ours', rpsRatio)
      : [];
    const m = median(ratios);
    targets.push({
      name: `${name}: tracing at default sampling >= 0.75 of bare`,
      met: m >= 0.75,
      detail:
        `${withSpread(ratios)}${m >= 0.75 ? '' : ` (short by ${f2(0.75 - m)})`}; ` +
        `bare's CPU per request over ours ${withSpread(cpu)}; ` +
        `${own.length > 0 ? `over our adapter alone ${withSpread(own)}; ` : ''}` +
        sampledText(samples, fw, 'ours-trace-default'),
      fix: "what the setup carries before any tracing work: the metrics adapter, and on Node 20 AsyncLocalStorage, whose async hooks run for every promise and resource once any context was entered. Measured in one run on 2 Dec, on a machine about four times faster than before (`run.js --throughput-only --variants bare,ours,floor-als,floor-http-default,ours-trace-default`, 5 rounds): the context alone 0.82 of bare on Fastify, 0.86 on Koa and 0.90 on Express, the metrics adapter alone 0.91, 0.94 and 0.91, their product 0.75, 0.81 and 0.82; our tracing with its HTTP server layer and no adapter (`floor-http-default`) 0.75, 0.73 and 0.90; the whole setup 0.60, 0.60 and 0.80. So on Fastify the context and the adapter alone use up the target; on Koa the HTTP server layer for an unsampled request (0.86 to 0.73) and the Koa instrumentation with the adapter (0.73 to 0.60, against 0.94 for the adapter alone) are what is left to cut. A profile of the Fastify setup (`profile --variant ours-trace-default`, 8 s, 2 Dec) gives @fastify/otel's own `onRequest` hook 1.1% of busy CPU (its ignore function 0.62, its debug message 0.16) and all our tracing package's frames 2.8%: the rest of the cost is Node's async hooks and the kernel's send. The same run on 29 Nov, on the slower machine: the context alone (`floor-als`) 0.82 of bare on Fastify and 0.69 on Koa, the metrics adapter alone 0.87 and 0.86; their product, 0.71 and 0.59, is below 0.75 before a sampling decision is taken, so on Node 20 this target is out of reach on Fastify and Koa for any tracing that propagates context through AsyncLocalStorage. Our HTTP server span on top (`floor-http-default`, no adapter) measured 0.72 and 0.65. What is ours beyond that floor was cut: an unsampled request skips the Express instrumentation's per-layer route bookkeeping, the Koa instrumentation's async wrapper per middleware and @fastify/otel's wrapper of each Fastify hook and handler (which read `request.routeOptions`, a new object each read, up to four times and built a debug message); @fastify/otel's own `onRequest` hook still runs for every request (one `routeOptions` and its ignore check). On Node 24 (`--server-node`, AsyncContextFrame) the same setup measured 0.51 (Express), 0.64 (Fastify) and 0.61 (Koa): see \"Node 20 against Node 24\"",
    });
  }
  // Both sides carry our metrics adapter, so the ratio is the tracing wrapper's alone; the plain
  // SDK without it (`otel`) stays in the tables as the setup the OpenTelemetry docs show.
  const baseline: Variant = has('otel-ours') ? 'otel-ours' : 'otel';
  const versusOtel = (variant: Variant, goal: number, label: string, fix: string): void => {
    if (!has(variant) || !has(baseline)) return;
    const ratios = pairedValues(samples, fw, variant, baseline, rpsRatio);
    const m = median(ratios);
    const against =
      baseline === 'otel-ours' ? 'plain OpenTelemetry + our adapter' : 'plain OpenTelemetry';
    targets.push({
      name: `${name}: ${label} >= ${goal.toFixed(1)}x ${against}`,
      met: m >= goal,
      detail:
        `${withSpread(ratios, 'x')}${m >= goal ? '' : ` (short by ${f2(goal - m)}x)`}; ` +
        `OpenTelemetry's CPU per request over ours ${withSpread(pairedValues(samples, fw, variant, baseline, cpuRatio), 'x')}`,
      fix,
    });
  };
  versusOtel(
    'ours-trace-100',
    1.0,
    'tracing at 100%',
    'the same spans as the plain SDK; what is left is the per-span work of the SDK pipeline (span objects, redaction, encoding)',
  );
  versusOtel(
    'ours-trace-lean',
    1.5,
    "tracing at 100%, profile 'lean'",
    "one span per request is left: the SDK span pipeline per request (span object, attributes, redaction, encoding) and, on Express, the server span's share of a costlier bare framework",
  );
  return targets;
}

/** `n% of requests sampled (k traces/s)` over the rounds of one tracing setup. */
function sampledText(samples: readonly Sample[], fw: Framework, variant: Variant): string {
  const mine = samples.filter(
    (s) => s.framework === fw && s.variant === variant && s.sampledShare !== undefined,
  );
  if (mine.length === 0) return 'sampled share not reported';
  const share = median(mine.map((s) => s.sampledShare as number));
  const perSecond = median(mine.map((s) => (s.sampledShare as number) * s.rps));
  return `${(share * 100).toFixed(2)}% of requests sampled (${f1(perSecond)} traces/s)`;
}

/** The rate each tracing setup actually sampled: requests answered inside a sampled trace. */
export function samplingLines(samples: readonly Sample[]): string[] {
  const keys = [
    ...new Set(
      samples.filter((s) => s.sampledShare !== undefined).map((s) => `${s.framework}/${s.variant}`),
    ),
  ];
  if (keys.length === 0) return [];
  const lines = [
    'Rate actually sampled by each tracing setup: the share of requests whose handler ran inside a sampled trace (median over rounds, min–max), and sampled traces per second.',
    '',
    '| setup | sampled share | traces/s |',
    '|---|---:|---:|',
  ];
  for (const key of keys) {
    const mine = samples.filter((s) => `${s.framework}/${s.variant}` === key);
    const shares = mine.map((s) => (s.sampledShare as number) * 100);
    const perSecond = mine.map((s) => (s.sampledShare as number) * s.rps);
    lines.push(`| ${key} | ${withSpread(shares, '%')} | ${withSpread(perSecond)} |`);
  }
  lines.push('');
  return lines;
}
