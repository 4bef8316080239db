import { Counter, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import {
  parseOpenMetrics,
  promtoolCheckMetrics,
  requireBinary,
  requireOpenMetricsParser,
} from '@ai-orchestrator/testkit';
import { createMetrics, METRICS, MetricsService, OVERFLOW_VALUE } from './index.js';

const promtool = requireBinary('promtool');
const python = requireOpenMetricsParser();

function fresh(limits?: { maxLabelValues?: number }) {
  const registry = new Registry();
  const metrics = createMetrics({
    serviceName: 'gateway',
    registry,
    collectDefaultMetrics: false,
    httpBodySizes: true,
    ...(limits ? { limits } : {}),
  });
  return { registry, metrics };
}

/** The exposition without the lines whose values depend on the clock. */
function stable(body: string): string {
  return body
    .split('\n')
    .filter((line) => !line.startsWith('http_server_request_duration_seconds'))
    .join('\n');
}

describe('createMetrics', () => {
  it('exposes a known sequence of calls in the text format', async () => {
    const { metrics } = fresh();
    metrics.recordWorkflowExecution('wf-1', 'summarize', 'openai', 'success', 1500);
    metrics.recordWorkflowExecution({
      workflowName: 'summarize',
      engineType: 'openai',
      status: 'failure',
      durationMs: 250,
    });
    metrics.recordEngineCall('openai', 'completion', 'success', 800);
    metrics.recordEngineCall({
      engineType: 'anthropic',
      operation: 'chat',
      status: 'timeout',
      durationMs: 120_000,
      tokens: { input: 10, output: 3 },
    });
    metrics.recordTokens('openai', { input: 120, output: 40 });
    metrics.setQueueSize('default', 7);
    metrics.setActiveExecutions('openai', 2);
    const timer = metrics.http.start('GET');
    timer.end({ route: '/users/:id', statusCode: 200, requestBytes: 0, responseBytes: 512 });
    const { contentType, body } = await metrics.expose();
    expect(contentType).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(stable(body)).toMatchSnapshot();
    expect(body).toContain(
      'http_server_request_duration_seconds_count{service="gateway",http_request_method="GET",http_route="/users/:id",http_response_status_code="200"} 1',
    );
  });

  it.skipIf(!promtool)('passes promtool check metrics', async () => {
    const registry = new Registry();
    const metrics = createMetrics({
      serviceName: 'gateway',
      registry,
      collectDefaultMetrics: false,
      httpBodySizes: true,
    });
    metrics.recordWorkflowExecution('wf-1', 'summarize', 'openai', 'success', 1500);
    metrics.recordEngineCall('openai', 'completion', 'success', 800);
    metrics.http
      .start('POST')
      .end({ route: '/workflows', statusCode: 201, requestBytes: 20, responseBytes: 40 });
    const { body } = await metrics.expose();
    const result = promtoolCheckMetrics(promtool as string, body);
    expect(result.output).toBe('');
    expect(result.code).toBe(0);
  });

  it.skipIf(!promtool)('passes promtool check metrics with the default metrics on', async () => {
    const registry = new Registry();
    const metrics = createMetrics({ serviceName: 'gateway', registry });
    metrics.recordEngineCall('openai', 'completion', 'success', 800);
    const { body } = await metrics.expose();
    expect(body).toContain('process_cpu_user_seconds_total{service="gateway"}');
    expect(body).toMatch(/^nodejs_active_handles\{type="[^"]+",service="gateway"\} \d+$/m);
    // prom-client's gauges named *_total are gone: promtool has nothing to say.
    expect(body).not.toMatch(/^nodejs_active_(handles|requests|resources)_total/m);
    const result = promtoolCheckMetrics(promtool as string, body);
    expect(result.output).toBe('');
    expect(result.code).toBe(0);
  });

  it.skipIf(!python)(
    'stays accepted by the strict OpenMetrics parser with default metrics on',
    async () => {
      const registry = new Registry();
      const metrics = createMetrics({ serviceName: 'gateway', registry });
      metrics.recordWorkflowExecution('wf-1', 'summarize', 'openai', 'success', 1500);
      const { body } = await metrics.expose('openmetrics');
      const names = new Set(parseOpenMetrics(python as string, body).map((s) => s.name));
      expect(names).toContain('nodejs_version_info');
      expect(names).toContain('workflow_executions_total');
    },
  );

  it('returns the same metrics on a second call, never "already registered"', () => {
    const registry = new Registry();
    const a = createMetrics({ serviceName: 'svc', registry, collectDefaultMetrics: true });
    const b = createMetrics({ serviceName: 'svc', registry, collectDefaultMetrics: true });
    expect(b).toBe(a);
    const other = createMetrics({ serviceName: 'other', registry });
    expect(other).not.toBe(a);
    expect(registry.getSingleMetric(METRICS.engineCalls.name)).toBeDefined();
  });

  it('reports a clear error when a name is taken by an incompatible metric', () => {
    const registry = new Registry();
    registry.registerMetric(new Counter({ name: 'engine_calls_total', help: 'x', registers: [] }));
    expect(() =>
      createMetrics({ serviceName: 'svc', registry, collectDefaultMetrics: false }),
    ).toThrow(/engine_calls_total is already registered as a counter with labels \[\]/);
  });

  it('keeps 10,000 distinct routes at the limit plus one overflow series, and counts them', async () => {
    const { registry, metrics } = fresh({ maxLabelValues: 50 });
    for (let i = 0; i < 10_000; i++) {
      metrics.http.start('GET').end({ route: `/items/${i}`, statusCode: 200 });
    }
    const json = await registry.getSingleMetric(METRICS.httpServerRequestDuration.name)!.get();
    const routes = new Set(json.values.map((v) => v.labels.http_route));
    expect(routes.size).toBe(51);
    expect(routes.has(OVERFLOW_VALUE)).toBe(true);
    const counts = json.values.filter((v) =>
      (v as { metricName?: string }).metricName?.endsWith('_count'),
    );
    expect(counts).toHaveLength(51);
    const overflow = await registry.getSingleMetric(METRICS.labelOverflow.name)!.get();
    expect(overflow.values).toEqual([
      {
        labels: {
          service: 'gateway',
          metric: 'http_server_request_duration_seconds',
          label: 'http_route',
        },
        value: 9950,
      },
    ]);
  });

  it('caps label values and maps unknown methods to _OTHER', async () => {
    const registry = new Registry();
    const metrics = createMetrics({
      serviceName: 's',
      registry,
      collectDefaultMetrics: false,
      limits: { maxLabelValueLength: 8 },
    });
    metrics.http.start('PURGE').end({ route: '/a-very-long-route', statusCode: 204 });
    metrics.http.start('get').end({ statusCode: 404 });
    const { body } = await metrics.expose();
    expect(body).toContain(
      'http_request_method="_OTHER",http_route="/a-very-",http_response_status_code="204"',
    );
    expect(body).toContain(
      'http_request_method="GET",http_route="__unmatched__",http_response_status_code="404"',
    );
  });
});

describe('bad input', () => {
  const { metrics } = fresh();
  const cases: [string, () => void, RegExp][] = [
    [
      'unknown status',
      () => metrics.recordWorkflowExecution('w', 'n', 'e', 'ok' as never, 1),
      /recordWorkflowExecution: status must be one of success, failure, timeout, cancelled, got "ok"/,
    ],
    [
      'negative duration',
      () => metrics.recordEngineCall('e', 'op', 'success', -1),
      /recordEngineCall: durationMs must be a finite number >= 0, got -1/,
    ],
    [
      'NaN duration',
      () => metrics.recordEngineCall('e', 'op', 'success', Number.NaN),
      /durationMs must be a finite number >= 0, got NaN/,
    ],
    [
      'infinite duration',
      () => metrics.recordWorkflowExecution('w', 'n', 'e', 'success', Infinity),
      /durationMs must be a finite number >= 0, got Infinity/,
    ],
    [
      'empty workflow name',
      () => metrics.recordWorkflowExecution('w', '', 'e', 'success', 1),
      /workflowName must be a string with at least one non-whitespace character, got ""/,
    ],
    [
      'empty workflow id',
      () => metrics.recordWorkflowExecution('', 'n', 'e', 'success', 1),
      /workflowId must be a string with at least one non-whitespace character, got ""/,
    ],
    [
      'wrong type',
      () => metrics.recordEngineCall(42 as never, 'op', 'success', 1),
      /engineType must be a string with at least one non-whitespace character, got 42/,
    ],
    [
      'string duration',
      () => metrics.recordEngineCall('e', 'op', 'success', '5' as never),
      /durationMs must be a finite number >= 0, got "5"/,
    ],
    [
      'fractional tokens',
      () => metrics.recordTokens('e', { input: 1.5 }),
      /recordTokens: tokens.input must be an integer >= 0, got 1.5/,
    ],
    [
      'negative queue',
      () => metrics.setQueueSize('q', -3),
      /setQueueSize: size must be a finite number >= 0, got -3/,
    ],
    [
      'no service name',
      () => createMetrics({ serviceName: ' ' }),
      /createMetrics: serviceName must be a string with at least one non-whitespace character, got " "/,
    ],
    [
      'bad limit',
      () =>
        createMetrics({
          serviceName: 'x',
          registry: new Registry(),
          limits: { maxLabelValues: 0 },
        }),
      /createMetrics: limits.maxLabelValues must be an integer >= 1, got 0/,
    ],
    [
      'not a registry',
      () => createMetrics({ serviceName: 'x', registry: {} as never }),
      /createMetrics: registry must be a prom-client Registry, got an object/,
    ],
  ];
  it.each(cases)('%s throws a TypeError naming field and value', (_name, call, message) => {
    expect(call).toThrow(TypeError);
    expect(call).toThrow(message);
  });

  it('records nothing for a rejected call', async () => {
    const { metrics: m } = fresh();
    expect(() => m.recordWorkflowExecution('w', 'n', 'e', 'nope' as never, 1)).toThrow(TypeError);
    const { body } = await m.expose();
    expect(body).not.toContain('workflow_executions_total{');
  });
});

describe('MetricsService (compatibility API)', () => {
  it('is a singleton whose positional durations are milliseconds', async () => {
    const registry = new Registry();
    const service = MetricsService.getInstance({
      serviceName: 'compat',
      registry,
      collectDefaultMetrics: false,
    });
    expect(MetricsService.getInstance()).toBe(service);
    service.recordWorkflowExecution('wf-9', 'classify', 'openai', 'success', 2500, 'user-1');
    service.recordEngineCall('openai', 'embedding', 'failure', 40);
    const { body } = await service.getMetrics();
    expect(body).toContain(
      'workflow_execution_duration_seconds_sum{service="compat",workflow_name="classify",engine_type="openai",status="success"} 2.5',
    );
    expect(body).toContain(
      'engine_call_duration_seconds_sum{service="compat",engine_type="openai",operation="embedding",status="failure"} 0.04',
    );
    expect(body).not.toContain('user-1');
  });
});
