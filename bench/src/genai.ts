// CPU per openai SDK call (6.x) against the loopback fake provider, bare client vs the same client
// instrumented: metrics, spend and spans through @opentelemetry/api, first with no OpenTelemetry
// SDK (spans are no-ops), then with an SDK recording every span. Calls alternate bare and
// instrumented one by one, each timed with process.cpuUsage(); medians of per-call CPU and of
// the paired differences keep GC pauses and a shared machine's noise out of the figures.
import { context, trace } from '@opentelemetry/api';
import { createMetrics, instrumentOpenAI } from '@ai-orchestrator/metrics';
import { AlwaysOnSampler, TracerProvider } from '@opentelemetry/sdk-trace';
import OpenAI from 'openai';
import * as prom from 'prom-client';
import type { GenAiKind, GenAiResult, GenAiRow } from './results.js';
import { median } from './stats.js';

const messages = [
  { role: 'user' as const, content: 'Summarize the quarterly report in one line.' },
];
const WARMUP = 200;

function instrumented(url: string, service: string): OpenAI {
  const metrics = createMetrics({
    serviceName: service,
    registry: new prom.Registry(),
    collectDefaultMetrics: false,
  });
  metrics.genai.setPrices({
    currency: 'USD',
    version: 'bench',
    models: [{ provider: 'openai', model: 'bench-model', input: 2.5, output: 10, cacheRead: 1.25 }],
  });
  return instrumentOpenAI(new OpenAI({ apiKey: 'bench', baseURL: url, maxRetries: 0 }), {
    metrics,
  });
}

const CALLS: { readonly [K in GenAiKind]: (c: OpenAI) => Promise<void> } = {
  plain: async (c) => {
    await c.chat.completions.create({ model: 'bench-model', messages });
  },
  streamed: async (c) => {
    const stream = await c.chat.completions.create({
      model: 'bench-model',
      messages,
      stream: true,
      stream_options: { include_usage: true },
    });
    for await (const _chunk of stream) void _chunk;
  },
};

/** µs of this process's CPU for one call. */
async function cpu(call: () => Promise<void>): Promise<number> {
  const before = process.cpuUsage();
  await call();
  const used = process.cpuUsage(before);
  return used.user + used.system;
}

/** `calls` pairs of calls, bare then instrumented: the medians and the median difference. */
async function pairs(bare: OpenAI, ours: OpenAI, kind: GenAiKind, calls: number) {
  const call = CALLS[kind];
  for (let i = 0; i < Math.min(WARMUP, calls); i++) {
    await call(bare);
    await call(ours);
  }
  const a: number[] = [];
  const b: number[] = [];
  const d: number[] = [];
  for (let i = 0; i < calls; i++) {
    const x = await cpu(() => call(bare));
    const y = await cpu(() => call(ours));
    a.push(x);
    b.push(y);
    d.push(y - x);
  }
  return { bare: median(a), ours: median(b), delta: median(d) };
}

export async function measureGenAi(url: string, calls: number): Promise<GenAiResult> {
  const bare = new OpenAI({ apiKey: 'bench', baseURL: url, maxRetries: 0 });
  const ours = instrumented(url, 'bench-ours');
  const rows: GenAiRow[] = [];
  for (const kind of ['plain', 'streamed'] as const) {
    const off = await pairs(bare, ours, kind, calls);
    // Now with an SDK: every span of the instrumented client is recorded (and dropped).
    trace.setGlobalTracerProvider(new TracerProvider({ sampler: new AlwaysOnSampler() }));
    const on = await pairs(bare, ours, kind, calls);
    trace.disable();
    context.disable();
    rows.push({
      kind,
      bare: off.bare,
      ours: off.ours,
      delta: off.delta,
      oursSdk: on.ours,
      sdkDelta: on.delta,
    });
  }
  return { calls, warmup: Math.min(WARMUP, calls), rows };
}
