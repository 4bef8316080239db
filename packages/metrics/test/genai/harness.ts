// What every SDK test needs: the fake provider, the OpenTelemetry SDK, a fresh registry with a
// price catalog per test, the instrumented client, and a workflow span to run calls under.
import { context, trace } from '@opentelemetry/api';
import { startFakeLlm, type FakeLlm } from '@ai-orchestrator/testkit/fake-llm';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import {
  createMetrics,
  instrumentAnthropic,
  instrumentOpenAI,
  type InstrumentOptions,
  type Metrics,
  type PriceCatalog,
} from '../../src/index.js';
import { RESPONSE_MODEL, type ClientSettings, type Driver } from './drivers.js';
import { installTracing, type TestTracing } from './otel.js';
import { scrape } from './scrape.js';

/** Per million tokens: 1M uncached input $2.50, cache reads $1.25, writes $3.125, output $10. */
export const CATALOG: PriceCatalog = {
  currency: 'USD',
  version: '2026-11-01',
  models: ['openai', 'anthropic'].map((provider) => ({
    provider,
    model: RESPONSE_MODEL,
    input: 2.5,
    output: 10,
    cacheRead: 1.25,
    cacheWrite: 3.125,
  })),
};

export const WORKFLOW = 'summarize';

export interface Harness {
  readonly fake: FakeLlm;
  readonly tracing: TestTracing;
  readonly metrics: Metrics;
  /** An instrumented client of the driver's SDK. */
  client(settings?: ClientSettings, options?: Omit<InstrumentOptions, 'metrics'>): object;
  /** Runs `fn` in the `summarize` workflow, under a span; returns the span's id with the result. */
  inWorkflow<T>(fn: () => Promise<T>): Promise<{ value: T; spanId: string }>;
  scrape(): ReturnType<typeof scrape>;
  /** Labels of the fake's server on every gen_ai series. */
  readonly server: { server_address: string; server_port: string };
}

/** Sets up a fresh harness per test of the calling describe(). */
export function useHarness(driver: Driver): Harness {
  let fake: FakeLlm;
  let tracing: TestTracing;
  let metrics: Metrics;
  beforeAll(async () => {
    tracing = installTracing();
    fake = await startFakeLlm();
  });
  afterAll(async () => {
    await fake?.close();
    await tracing?.uninstall();
  });
  beforeEach(() => {
    metrics = createMetrics({
      serviceName: 'engine',
      registry: new Registry(),
      collectDefaultMetrics: false,
    });
    metrics.genai.setPrices(CATALOG);
    tracing.exporter.reset();
  });
  const instrument = driver.provider === 'openai' ? instrumentOpenAI : instrumentAnthropic;
  return {
    get fake() {
      return fake;
    },
    get tracing() {
      return tracing;
    },
    get metrics() {
      return metrics;
    },
    get server() {
      return { server_address: '127.0.0.1', server_port: new URL(fake.url).port };
    },
    client: (settings, options = {}) =>
      instrument(driver.client(fake, settings), { metrics, ...options }),
    async inWorkflow(fn) {
      const span = trace.getTracer('test').startSpan(`workflow ${WORKFLOW}`);
      try {
        const value = await context.with(trace.setSpan(context.active(), span), () =>
          metrics.genai.withWorkflow(WORKFLOW, fn),
        );
        return { value, spanId: span.spanContext().spanId };
      } finally {
        span.end();
      }
    },
    scrape: () => scrape(metrics),
  };
}
