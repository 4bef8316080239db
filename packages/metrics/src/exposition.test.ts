import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import fc from 'fast-check';
import { Counter, Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { promtoolCheckMetrics, requireBinary } from '@ai-orchestrator/testkit';
import { createMetrics, negotiate, render } from './index.js';

const promtool = requireBinary('promtool');

describe('exposition', () => {
  const contextManager = new AsyncLocalStorageContextManager();
  beforeAll(() => {
    contextManager.enable();
    context.setGlobalContextManager(contextManager);
  });
  afterAll(() => {
    context.disable();
  });

  it('serves the active span ids as exemplars in OpenMetrics, and none in text', async () => {
    const registry = new Registry();
    const metrics = createMetrics({ serviceName: 'api', registry, collectDefaultMetrics: false });
    const tracer = new BasicTracerProvider().getTracer('test');
    const span = tracer.startSpan('GET /users/:id');
    const { traceId, spanId } = span.spanContext();
    context.with(trace.setSpan(context.active(), span), () => {
      metrics.http.start('GET').end({ route: '/users/:id', statusCode: 200 });
      metrics.recordWorkflowExecution('wf-77', 'summarize', 'openai', 'success', 30);
    });
    span.end();

    const om = await metrics.expose('openmetrics');
    expect(om.contentType).toBe('application/openmetrics-text; version=1.0.0; charset=utf-8');
    expect(om.body.endsWith('# EOF\n')).toBe(true);
    expect(om.body).toMatch(
      new RegExp(
        `http_server_request_duration_seconds_bucket\\{[^}]*le="0.005"\\} 1 # \\{trace_id="${traceId}",span_id="${spanId}"\\} [0-9.e-]+ [0-9.]+`,
      ),
    );
    expect(om.body).toContain(
      `# {trace_id="${traceId}",span_id="${spanId}",workflow_id="wf-77"} 0.03`,
    );
    expect(om.body).toContain('# TYPE workflow_executions counter');
    expect(om.body).toContain('workflow_executions_total{service="api"');

    const text = await metrics.expose('text');
    expect(text.body).not.toContain(traceId);
    expect(text.body).toContain('# TYPE workflow_executions_total counter');
  });

  it('records no exemplar without an active span', async () => {
    const registry = new Registry();
    const metrics = createMetrics({ serviceName: 'api', registry, collectDefaultMetrics: false });
    metrics.http.start('GET').end({ route: '/', statusCode: 200 });
    const { body } = await metrics.expose('openmetrics');
    expect(body).not.toContain('trace_id');
  });

  it('negotiates the format from the Accept header as Prometheus sends it', () => {
    expect(
      negotiate(
        'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1',
      ),
    ).toBe('openmetrics');
    expect(negotiate('text/plain;version=0.0.4')).toBe('text');
    expect(negotiate('application/openmetrics-text;q=0')).toBe('text');
    expect(negotiate(undefined)).toBe('text');
  });

  it.skipIf(!promtool)(
    'stays valid for promtool with any label value (quotes, backslashes, newlines, unicode)',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.string({ unit: 'binary', maxLength: 40 }), { minLength: 1, maxLength: 8 }),
          async (values) => {
            const registry = new Registry();
            const counter = new Counter({
              name: 'odd_values_total',
              help: 'Help with \\ and\nnewline.',
              labelNames: ['v'],
              registers: [registry],
            });
            const metrics = createMetrics({
              serviceName: 'svc"\\\n☃',
              registry,
              collectDefaultMetrics: false,
            });
            for (const v of values) {
              counter.inc({ v });
              metrics.http.start('GET').end({ route: v, statusCode: 200 });
            }
            const { body } = await render(registry, 'text');
            const result = promtoolCheckMetrics(promtool as string, body);
            expect(result.output).toBe('');
            expect(result.code).toBe(0);
          },
        ),
        { numRuns: 25 },
      );
    },
  );
});
