// infra/jaeger on a real Jaeger v2 (the Go-built `cmd/jaeger` of the pinned version): both
// configs start, the remote sampling API serves sampling-strategies.json as written and follows
// edits of it, OTLP goes in and comes back out of the query API, and Jaeger's own metrics answer.
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { requireBinary, startJaeger, type JaegerServer } from '@ai-orchestrator/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const DIR = import.meta.dirname;
const CONFIG = readFileSync(join(DIR, 'config.yaml'), 'utf8');
const STRATEGIES_TEXT = readFileSync(join(DIR, 'sampling-strategies.json'), 'utf8');
const binary = requireBinary('jaeger');

interface FileStrategy {
  service?: string;
  type: 'probabilistic' | 'ratelimiting';
  param: number;
  operation_strategies?: { operation: string; type: string; param: number }[];
}
interface Strategies {
  service_strategies: FileStrategy[];
  default_strategy: FileStrategy;
}

/** Jaeger's /sampling answer (the proto mapped to JSON; zero values may be left out). */
interface Served {
  strategyType?: string | number;
  probabilisticSampling?: { samplingRate?: number };
  rateLimitingSampling?: { maxTracesPerSecond?: number };
  operationSampling?: {
    defaultSamplingProbability?: number;
    perOperationStrategies?: {
      operation: string;
      probabilisticSampling?: { samplingRate?: number };
    }[];
  };
}

// Jaeger 2.13 writes the enum as its number.
const TYPES: Record<string, string> = { '0': 'PROBABILISTIC', '1': 'RATE_LIMITING' };
const typeOf = (s: Served): string => TYPES[String(s.strategyType ?? 0)] ?? String(s.strategyType);

async function served(jaeger: JaegerServer, service: string): Promise<Served> {
  const res = await fetch(`${jaeger.samplingUrl}/sampling?service=${encodeURIComponent(service)}`);
  expect(res.status, service).toBe(200);
  return (await res.json()) as Served;
}

/** The probability a served strategy gives `operation` (or the service default). */
function probability(s: Served, operation?: string): number | undefined {
  const ops = s.operationSampling?.perOperationStrategies ?? [];
  const op = ops.find((o) => o.operation === operation);
  if (op) return op.probabilisticSampling?.samplingRate ?? 0;
  if (s.operationSampling) return s.operationSampling.defaultSamplingProbability ?? 0;
  return s.probabilisticSampling?.samplingRate ?? 0;
}

function expectServed(s: Served, file: FileStrategy, name: string): void {
  if (file.type === 'ratelimiting') {
    expect(typeOf(s), name).toBe('RATE_LIMITING');
    expect(s.rateLimitingSampling?.maxTracesPerSecond, name).toBe(file.param);
    return;
  }
  expect(typeOf(s), name).toBe('PROBABILISTIC');
  expect(probability(s), `${name} default`).toBe(file.param);
  for (const op of file.operation_strategies ?? [])
    expect(probability(s, op.operation), `${name} ${op.operation}`).toBe(op.param);
}

// The remote sampler matches operation_strategies on a span's name when it starts. A request's
// root span (HTTP server or client) is then named by its method alone; the route is added when the
// response ends (apps/demo/test/sampling.test.ts shows it), so "POST /workflows/:id" never matches.
const SAMPLING_TIME_NAMES = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']);

describe('sampling-strategies.json', () => {
  it('names only operations a root span can have when it is sampled', () => {
    const file = JSON.parse(STRATEGIES_TEXT) as Strategies;
    const unmatchable = [...file.service_strategies, file.default_strategy].flatMap((s) =>
      (s.operation_strategies ?? [])
        .filter((o) => !SAMPLING_TIME_NAMES.has(o.operation))
        .map((o) => `${s.service ?? 'default_strategy'}: ${o.operation}`),
    );
    expect(unmatchable).toEqual([]);
  });
});

describe.skipIf(!binary)('infra/jaeger on a real Jaeger v2', () => {
  let jaeger: JaegerServer;

  beforeAll(async () => {
    jaeger = await startJaeger(binary as string, {
      config: CONFIG,
      strategies: STRATEGIES_TEXT,
      samplingReloadInterval: '1s',
    });
  });
  afterAll(async () => {
    await jaeger?.stop();
  });

  it('serves every strategy of sampling-strategies.json as written, and the default for others', async () => {
    const file = JSON.parse(STRATEGIES_TEXT) as Strategies;
    expect(file.service_strategies.length).toBeGreaterThan(2);
    for (const strategy of file.service_strategies) {
      const name = strategy.service as string;
      expectServed(await served(jaeger, name), strategy, name);
    }
    expectServed(
      await served(jaeger, 'a-service-not-in-the-file'),
      file.default_strategy,
      'default',
    );
  });

  it('follows an edit of the strategies file within the reload interval, without a restart', async () => {
    const file = JSON.parse(STRATEGIES_TEXT) as Strategies;
    const gateway = file.service_strategies.find(
      (s) => s.service === 'demo-gateway',
    ) as FileStrategy;
    gateway.param = 0.125;
    writeFileSync(jaeger.strategiesFile as string, JSON.stringify(file));
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline && probability(await served(jaeger, 'demo-gateway')) !== 0.125)
      await sleep(200);
    expect(probability(await served(jaeger, 'demo-gateway'))).toBe(0.125);
    writeFileSync(jaeger.strategiesFile as string, STRATEGIES_TEXT);
  });

  it('takes OTLP over HTTP and serves the trace, parent and child, through the query API', async () => {
    const traceId = randomBytes(16).toString('hex');
    const [rootId, childId] = [randomBytes(8).toString('hex'), randomBytes(8).toString('hex')];
    const now = BigInt(Date.now()) * 1_000_000n;
    const span = (spanId: string, name: string, parentSpanId?: string) => ({
      traceId,
      spanId,
      ...(parentSpanId ? { parentSpanId } : {}),
      name,
      kind: parentSpanId ? 3 : 2,
      startTimeUnixNano: String(now),
      endTimeUnixNano: String(now + 5_000_000n),
    });
    const res = await fetch(`${jaeger.otlpHttpUrl}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        resourceSpans: [
          {
            resource: {
              attributes: [{ key: 'service.name', value: { stringValue: 'jaeger-infra-test' } }],
            },
            scopeSpans: [
              {
                scope: { name: 'infra-test' },
                spans: [span(rootId, 'GET /things/:id'), span(childId, 'SELECT things', rootId)],
              },
            ],
          },
        ],
      }),
    });
    expect(res.status).toBe(200);
    type Trace = {
      spans: { spanID: string; operationName: string; references: { spanID: string }[] }[];
    };
    let traces: Trace[] = [];
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      traces = await jaeger.api<Trace[]>(`traces/${traceId}`).catch(() => []);
      if (traces[0]?.spans.length === 2) break;
      await sleep(200);
    }
    const spans = traces[0]?.spans ?? [];
    expect(spans.map((s) => s.operationName).sort()).toEqual(['GET /things/:id', 'SELECT things']);
    const child = spans.find((s) => s.operationName === 'SELECT things');
    expect(child?.references.map((r) => r.spanID)).toEqual([rootId]);
    expect(await jaeger.api<string[]>('services')).toContain('jaeger-infra-test');
  });

  it('listens for OTLP over gRPC and serves its own metrics for Prometheus', async () => {
    const { port } = new URL(jaeger.otlpGrpcUrl);
    const accepted = await new Promise<boolean>((resolve) => {
      const socket = connect({ host: '127.0.0.1', port: Number(port) }, () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    expect(accepted).toBe(true);
    const metrics = await fetch(jaeger.metricsUrl as string);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toMatch(/^# TYPE \w+/m);
  });
});

describe.skipIf(!binary)('infra/jaeger/config-adaptive.yaml on a real Jaeger v2', () => {
  it('starts and serves adaptive strategies from the initial probability', async () => {
    const adaptive = readFileSync(join(DIR, 'config-adaptive.yaml'), 'utf8');
    const jaeger = await startJaeger(binary as string, { config: adaptive });
    try {
      const s = await served(jaeger, 'demo-gateway');
      expect(typeOf(s)).toBe('PROBABILISTIC');
      expect(probability(s)).toBe(0.1);
    } finally {
      await jaeger.stop();
    }
  });
});
