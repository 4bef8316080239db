// Random sequences of record calls with arbitrary strings, scraped and parsed back (the Python
// client's strict OpenMetrics parser, promtool, and a real Prometheus for a few runs), must give
// exactly the model's samples: nothing merged, nothing lost, every overflow counted.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import type { Counter } from 'prom-client';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  parseOpenMetrics,
  promtoolCheckMetrics,
  requireBinary,
  requireOpenMetricsParser,
  startPrometheus,
  type PrometheusServer,
} from '@ai-orchestrator/testkit';
import { Model, sampleId, type Limits, type Op } from '../test/model.js';
import {
  EXECUTION_STATUSES,
  createMetrics,
  createNodeMetricsHandler,
  type Metrics,
} from './index.js';

const python = requireOpenMetricsParser();
const promtool = requireBinary('promtool');
const prometheusBinary = requireBinary('prometheus');
const PROMETHEUS_RUNS = 3;

const nasty = fc.constantFrom(
  ',',
  ':',
  '"',
  '\\',
  '\n',
  'x\uD800y',
  'x\uDBFFy',
  '\uDC00',
  'a,b:c',
  'y,service:adv,status:failure,workflow_name:w',
  '__overflow__',
  '☃',
  '🙂',
);
const text = fc
  .oneof(
    fc.string({ unit: 'binary', minLength: 1, maxLength: 12 }),
    nasty,
    fc.string({ unit: 'binary', minLength: 120, maxLength: 300 }),
    fc.tuple(nasty, fc.string({ maxLength: 4 }), nasty).map((parts) => parts.join('')),
  )
  .filter((s) => s.trim() !== '');
// Values a foreign writer sends through prom-client: well-formed and comma-free.
const plain = fc.constantFrom('w1', 'w2', 'e1', 'e:2', '"q"');
const status = fc.constantFrom(...EXECUTION_STATUSES);

function opsFor(pool: string[]): fc.Arbitrary<Op[]> {
  const pick = fc.nat({ max: pool.length - 1 }).map((i) => pool[i]!);
  const ms = fc.nat({ max: 700_000 });
  const op: fc.Arbitrary<Op> = fc.oneof(
    fc.record({ kind: fc.constant('wf' as const), name: pick, engine: pick, status, ms, id: pick }),
    fc.record(
      {
        kind: fc.constant('call' as const),
        engine: pick,
        op: pick,
        status,
        ms,
        tokens: fc.record({ input: fc.nat(50), output: fc.nat(50) }),
      },
      { requiredKeys: ['kind', 'engine', 'op', 'status', 'ms'] },
    ),
    fc.record({
      kind: fc.constant('tokens' as const),
      engine: pick,
      input: fc.nat(9),
      output: fc.nat(9),
    }),
    fc.record({ kind: fc.constant('queue' as const), queue: pick, size: fc.nat(500) }),
    fc.record({ kind: fc.constant('active' as const), engine: pick, count: fc.nat(9) }),
    fc.record({ kind: fc.constant('start' as const), engine: pick, end: fc.boolean() }),
    fc.record(
      {
        kind: fc.constant('http' as const),
        method: fc.oneof(fc.constantFrom('GET', 'post', 'PURGE', 'QUERY'), pick),
        route: pick,
        status: fc.constantFrom(200, 201, 404, 500, 99, 600),
        res: fc.nat(100_000),
      },
      { requiredKeys: ['kind', 'method', 'status'] },
    ),
    fc.record({
      kind: fc.constant('public' as const),
      name: plain,
      engine: plain,
      status,
      n: fc.integer({ min: 1, max: 5 }),
    }),
  );
  return fc.array(op, { minLength: 1, maxLength: 60 });
}

function run(metrics: Metrics, registry: Registry, op: Op): void {
  switch (op.kind) {
    case 'wf':
      return metrics.recordWorkflowExecution(op.id ?? 'id', op.name, op.engine, op.status, op.ms);
    case 'call':
      return metrics.recordEngineCall({
        engineType: op.engine,
        operation: op.op,
        status: op.status,
        durationMs: op.ms,
        ...(op.tokens ? { tokens: op.tokens } : {}),
      });
    case 'tokens':
      return metrics.recordTokens(op.engine, { input: op.input, output: op.output });
    case 'queue':
      return metrics.setQueueSize(op.queue, op.size);
    case 'active':
      return metrics.setActiveExecutions(op.engine, op.count);
    case 'start': {
      const end = metrics.startExecution(op.engine);
      if (op.end) end();
      return;
    }
    case 'public': {
      const counter = registry.getSingleMetric('workflow_executions_total') as Counter;
      const labels = {
        service: metrics.serviceName,
        workflow_name: op.name,
        engine_type: op.engine,
        status: op.status,
      };
      return counter.inc(labels, op.n);
    }
    case 'http': {
      const timer = metrics.http.start(op.method);
      return timer.end({
        route: op.route,
        statusCode: op.status,
        requestBytes: 0,
        responseBytes: op.res,
      });
    }
  }
}

const OURS = /^(workflow_|engine_|http_server_|metrics_(label|series)_overflow)/;

/** Parsed samples of our metrics, keyed like the model; buckets and the clock's sums left out. */
function observed(samples: { name: string; labels: Record<string, string>; value: number }[]) {
  const out = new Map<string, number>();
  for (const s of samples) {
    if (!OURS.test(s.name) || s.name.endsWith('_bucket')) continue;
    if (s.name === 'http_server_request_duration_seconds_sum') continue;
    const id = sampleId(s.name, s.labels);
    expect(out.has(id), `two samples for ${id}`).toBe(false);
    out.set(id, s.value);
  }
  return out;
}

function expectModel(got: Map<string, number>, model: Model): void {
  const want = new Map(
    [...model.samples].filter(([id]) => !id.startsWith('http_server_active_requests') || true),
  );
  expect([...got.keys()].sort()).toEqual([...want.keys()].sort());
  for (const [id, value] of want) {
    expect(got.get(id), id).toBeCloseTo(value, 6);
  }
}

/** Sample lines printed twice with the same name and labels (what Prometheus keeps once). */
function repeatedLines(body: string): string[] {
  const seen = new Set<string>();
  return body
    .split('\n')
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => l.replace(/ # \{.*$/, '').replace(/ [^ ]+$/, ''))
    .filter((id) => (seen.has(id) ? true : (seen.add(id), false)));
}

describe.skipIf(!python || !promtool)('random record sequences against the model', () => {
  let prometheus: PrometheusServer | undefined;
  let target: Server | undefined;
  let serve: ((req: never, res: never) => Promise<void>) | undefined;

  beforeAll(async () => {
    if (!prometheusBinary) return;
    target = createServer((req, res) => {
      if (serve) void serve(req as never, res as never);
      else res.writeHead(503).end();
    });
    await new Promise<void>((resolve) => target!.listen(0, '127.0.0.1', resolve));
    const port = (target.address() as AddressInfo).port;
    prometheus = await startPrometheus(
      prometheusBinary,
      `global: { scrape_interval: 1s, scrape_timeout: 1s }\nscrape_configs:\n  - job_name: prop\n    static_configs: [{ targets: ['127.0.0.1:${port}'] }]\n`,
    );
  }, 60_000);
  afterAll(async () => {
    await prometheus?.stop();
    await new Promise((resolve) => (target ? target.close(resolve) : resolve(undefined)));
  });

  /** What Prometheus stored from scraping `registry`, once it holds as many series as expected. */
  async function scraped(registry: Registry, service: string, expected: number) {
    serve = createNodeMetricsHandler({ registry }) as never;
    type Series = { metric: Record<string, string>; value: [number, string] };
    let result: Series[] = [];
    for (let i = 0; i < 100; i++) {
      const data = await prometheus!.api<{ result: Series[] }>('query', {
        query: `{service=${JSON.stringify(service)},__name__!~".*_bucket|http_server_request_duration_seconds_sum|nodejs_.*|process_.*"}`,
      });
      result = data.result;
      if (result.length >= expected) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    return result.map(({ metric, value }) => {
      const { __name__: name, job: _job, instance: _instance, ...labels } = metric;
      return { name: name!, labels, value: Number(value[1]) };
    });
  }

  let runs = 0;
  it('scrapes exactly what the model says, for any strings and limits', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(text, { minLength: 1, maxLength: 8 }).chain((pool) => opsFor(pool)),
        fc.constantFrom<Limits>(
          { maxLabelValues: 100, maxSeries: 1000, maxLength: 128 },
          { maxLabelValues: 3, maxSeries: 5, maxLength: 16 },
        ),
        async (ops, limits) => {
          runs += 1;
          const service = `prop-${runs}`;
          const registry = new Registry();
          const metrics = createMetrics({
            serviceName: service,
            registry,
            collectDefaultMetrics: false,
            httpBodySizes: true,
            limits: {
              maxLabelValues: limits.maxLabelValues,
              maxSeries: limits.maxSeries,
              maxLabelValueLength: limits.maxLength,
            },
          });
          const model = new Model(service, limits);
          for (const op of ops) {
            run(metrics, registry, op);
            model.apply(op);
          }
          const om = (await metrics.expose('openmetrics')).body;
          expect(repeatedLines(om)).toEqual([]);
          expectModel(observed(parseOpenMetrics(python!, om)), model);
          const result = promtoolCheckMetrics(promtool!, (await metrics.expose('text')).body);
          expect(result.output).toBe('');
          expect(result.code).toBe(0);
          if (prometheus && runs <= PROMETHEUS_RUNS) {
            expectModel(observed(await scraped(registry, service, model.samples.size)), model);
          }
        },
      ),
      { numRuns: 40 },
    );
  }, 240_000);
});
