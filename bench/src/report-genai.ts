// The GenAI section of the report: client CPU per openai SDK call, bare vs instrumented, plain
// and streamed, and its target.
import type { GenAiResult, GenAiRow } from './results.js';
import type { Target } from './report-summary.js';

const f1 = (n: number) => n.toFixed(1);
const signed = (n: number) => `${n >= 0 ? '+' : ''}${f1(n)}`;
const LABEL = { plain: 'plain (JSON)', streamed: 'streamed (20 chunks + usage)' } as const;

/** Extra client CPU an instrumented call may cost, as a share of the bare call's. */
export const GENAI_OVERHEAD_TARGET = 0.15;

export function genaiSection(r: GenAiResult): string[] {
  const row = (x: GenAiRow) =>
    `| ${LABEL[x.kind]} | ${f1(x.bare)} | ${f1(x.ours)} | ${signed(x.delta)} | ${f1((100 * x.delta) / x.bare)}% | ${f1(x.oursSdk)} | ${signed(x.sdkDelta)} |`;
  return [
    '## GenAI SDK calls',
    '',
    `The openai SDK (6.x) against the loopback fake provider (another process). ${r.calls} pairs of calls per row and tracing setup, a bare call then the same call on an instrumented client, each timed with \`process.cpuUsage()\` in the client process; figures are medians of per-call CPU and of the paired differences (Δ), after ${r.warmup} warm-up pairs. Instrumented is \`instrumentOpenAI\` with a price catalog: gen_ai_* and engine_* metrics, spend, and one span per call through \`@opentelemetry/api\`, which without an SDK is a no-op; the last columns register an OpenTelemetry SDK that records every span (not exported).`,
    '',
    '| call | bare client µs CPU | instrumented µs | Δ µs | Δ / bare | with a recording SDK µs | Δ µs |',
    '|---|---:|---:|---:|---:|---:|---:|',
    ...r.rows.map(row),
    '',
  ];
}

export function genaiTargets(r: GenAiResult): Target[] {
  const share = (x: GenAiRow) => x.delta / x.bare;
  const worst = Math.max(...r.rows.map(share));
  return [
    {
      name: `instrumented openai call costs <= ${GENAI_OVERHEAD_TARGET * 100}% more client CPU than the bare call (plain and streamed)`,
      met: worst <= GENAI_OVERHEAD_TARGET,
      detail: r.rows
        .map((x) => `${x.kind} ${signed(x.delta)} µs (${f1(100 * share(x))}%)`)
        .join(', '),
      fix: 'fewer allocations per call: reuse the label arrays of a call, cache its series keys per label set as the HTTP recorder does, and skip the chunk timings of streams nobody reads them from',
    },
  ];
}
