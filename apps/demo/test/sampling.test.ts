// Jaeger remote sampling end to end: a real Jaeger v2 serves infra/jaeger/sampling-strategies.json,
// the demo services run with the tracing package's Jaeger remote sampler
// (OTEL_TRACES_SAMPLER=parentbased_jaeger_remote), and the share of requests whose traces reach
// Jaeger follows the file — also after the file is edited, within the reload + polling interval.
// Operation strategies match the name a span has when it is sampled, which for an HTTP server span
// is the method alone: the route is added to the name only when the response ends.
import { readFileSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { requireBinary, startJaeger, type JaegerServer } from '@ai-orchestrator/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, startServices, type Services } from '../src/index.js';
import { eventually, tracesBetween } from './traces.js';

const jaegerBinary = requireBinary('jaeger');
const STRATEGIES = readFileSync(`${ROOT}/infra/jaeger/sampling-strategies.json`, 'utf8');
const POLL_MS = 500;

interface Strategies {
  service_strategies: {
    service: string;
    param: number;
    operation_strategies?: { operation: string; type: string; param: number }[];
  }[];
}

interface Served {
  probabilisticSampling?: { samplingRate?: number };
  operationSampling?: {
    defaultSamplingProbability?: number;
    perOperationStrategies?: { operation: string }[];
  };
}

/** Sends `n` gateway-only requests (a login), ten at a time; returns the time window they took. */
async function logins(gatewayUrl: string, n: number): Promise<{ start: number; end: number }> {
  const start = Date.now();
  for (let i = 0; i < n; i += 10) {
    await Promise.all(
      Array.from({ length: Math.min(10, n - i) }, async (_, k) => {
        const res = await fetch(`${gatewayUrl}/api/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ userId: `sampling-user-${i + k}` }),
        });
        expect(res.status).toBe(200);
      }),
    );
  }
  return { start, end: Date.now() };
}

describe.skipIf(!jaegerBinary)('Jaeger remote sampling of the demo services', () => {
  let jaeger: JaegerServer;
  let services: Services;

  /** Traces of demo-gateway in the window once the count stops growing (the batches are sent). */
  async function sampled(window: { start: number; end: number }): Promise<number> {
    let last = -1;
    const count = async () =>
      (await tracesBetween(jaeger, 'demo-gateway', window.start - 50, window.end + 50)).length;
    return eventually(
      async () => {
        await sleep(700);
        const now = await count();
        const stable = now === last;
        last = now;
        return stable ? now : -1;
      },
      (n) => n >= 0,
      20_000,
    );
  }

  /** What Jaeger serves demo-gateway: one probability, or one per operation and a default. */
  async function strategy(): Promise<Served> {
    return (await (
      await fetch(`${jaeger.samplingUrl}/sampling?service=demo-gateway`)
    ).json()) as Served;
  }

  /** The operations Jaeger serves for demo-gateway, once they are `want`. */
  async function servedOperations(want: string[]): Promise<string[]> {
    const read = async () =>
      ((await strategy()).operationSampling?.perOperationStrategies ?? []).map((o) => o.operation);
    return eventually(read, (ops) => ops.join() === want.join(), 15_000);
  }

  /** The probability Jaeger serves for demo-gateway (its default one), once it equals `want`. */
  async function served(want: number): Promise<number> {
    const read = async () => {
      const body = await strategy();
      if (body.operationSampling) return body.operationSampling.defaultSamplingProbability ?? 0;
      return body.probabilisticSampling?.samplingRate ?? 0;
    };
    return eventually(read, (p) => p === want, 15_000);
  }

  beforeAll(async () => {
    jaeger = await startJaeger(jaegerBinary as string, {
      config: readFileSync(`${ROOT}/infra/jaeger/config.yaml`, 'utf8'),
      strategies: STRATEGIES,
      samplingReloadInterval: '1s',
    });
    services = await startServices({
      env: {
        OTEL_EXPORTER_OTLP_ENDPOINT: jaeger.otlpHttpUrl,
        OTEL_BSP_SCHEDULE_DELAY: '200',
        OTEL_TRACES_SAMPLER: 'parentbased_jaeger_remote',
        // nothing sampled until the first answer from Jaeger
        OTEL_TRACES_SAMPLER_ARG: `endpoint=${jaeger.samplingUrl},pollingIntervalMs=${POLL_MS},initialSamplingRate=0`,
      },
    });
    await sleep(3 * POLL_MS);
  }, 120_000);

  afterAll(async () => {
    await services?.stop();
    await jaeger?.stop();
  });

  it('samples the share the repo file gives demo-gateway, and follows an edit of the file', async () => {
    const file = JSON.parse(STRATEGIES) as Strategies;
    const gateway = file.service_strategies.find((s) => s.service === 'demo-gateway');
    expect(gateway?.param).toBe(0.5);
    expect(await served(0.5)).toBe(0.5);

    // 0.5 of 200: 100 expected, 4.5 standard deviations either side
    const first = await sampled(await logins(services.gatewayUrl, 200));
    expect(first).toBeGreaterThanOrEqual(68);
    expect(first).toBeLessThanOrEqual(132);

    (gateway as { param: number }).param = 1;
    writeFileSync(jaeger.strategiesFile as string, JSON.stringify(file, null, 2));
    expect(await served(1)).toBe(1);
    await sleep(3 * POLL_MS); // the sampler's next polls
    const all = await sampled(await logins(services.gatewayUrl, 100));
    expect(all).toBe(100);

    (gateway as { param: number }).param = 0;
    writeFileSync(jaeger.strategiesFile as string, JSON.stringify(file, null, 2));
    expect(await served(0)).toBe(0);
    await sleep(3 * POLL_MS);
    const none = await sampled(await logins(services.gatewayUrl, 100));
    expect(none).toBe(0);
    console.log(
      `demo-gateway traces in Jaeger: ${first}/200 at 0.5, ${all}/100 at 1, ${none}/100 at 0`,
    );
  }, 120_000);

  it('matches an operation strategy on the method, the only name a request span has when sampled', async () => {
    const file = JSON.parse(STRATEGIES) as Strategies;
    const gateway = file.service_strategies.find((s) => s.service === 'demo-gateway');
    /** Logins sampled when demo-gateway samples nothing but `operation`. */
    const onlyOperation = async (operation: string) => {
      Object.assign(gateway ?? {}, {
        param: 0,
        operation_strategies: [{ operation, type: 'probabilistic', param: 1 }],
      });
      writeFileSync(jaeger.strategiesFile as string, JSON.stringify(file, null, 2));
      expect(await servedOperations([operation])).toEqual([operation]);
      await sleep(3 * POLL_MS); // the sampler's next polls
      const window = await logins(services.gatewayUrl, 40);
      return { count: await sampled(window), window };
    };
    // The name Jaeger shows for a login, set when the response ends: never seen by the sampler.
    expect((await onlyOperation('POST /api/login')).count).toBe(0);
    const byMethod = await onlyOperation('POST');
    expect(byMethod.count).toBe(40);
    const traces = await tracesBetween(
      jaeger,
      'demo-gateway',
      byMethod.window.start - 50,
      byMethod.window.end + 50,
    );
    const roots = traces.flatMap((t) => t.spans.filter((span) => span.references.length === 0));
    expect(new Set(roots.map((span) => span.operationName))).toEqual(new Set(['POST /api/login']));
  }, 120_000);
});
