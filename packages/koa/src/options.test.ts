import Koa from 'koa';
import { createMetrics } from '@ai-orchestrator/metrics';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { createMetricsHandler, createMetricsMiddleware, createMetricsRoute } from './index.js';
import { closeServers, counts, listen, send } from './testing.js';

describe('koa-monitoring options', () => {
  afterEach(closeServers);

  it('rejects bad options with a TypeError naming the field, the value and what is allowed', () => {
    expect(() => createMetricsMiddleware(42 as never)).toThrow(
      new TypeError(
        'createMetricsMiddleware: options must be a service name or an options object, got 42',
      ),
    );
    expect(() => createMetricsMiddleware({ metricsPath: 'metrics' })).toThrow(
      new TypeError(
        'createMetricsMiddleware: metricsPath must be a path starting with "/" or false, got "metrics"',
      ),
    );
    expect(() => createMetricsMiddleware({ serviceName: ' ' })).toThrow(
      /createMetricsMiddleware: serviceName must be a non-empty string, got " "/,
    );
    expect(() => createMetricsMiddleware({ ignorePaths: [/ok/, 7 as never] })).toThrow(
      /createMetricsMiddleware: ignorePaths\[1\] must be a string or a RegExp, got 7/,
    );
    expect(() => createMetricsRoute('svc' as never)).toThrow(
      new TypeError(
        'createMetricsRoute: options must be an object { registry?, auth? }, got "svc"',
      ),
    );
    expect(() => createMetricsRoute({ auth: { type: 'token' } as never })).toThrow(TypeError);
    expect(createMetricsHandler).toBe(createMetricsRoute);
  });

  it('records into the metrics of createMetrics() when given them', async () => {
    const registry = new Registry();
    const metrics = createMetrics({
      serviceName: 'shared',
      registry,
      collectDefaultMetrics: false,
    });
    const app = new Koa();
    app.use(createMetricsMiddleware({ metrics })).use((ctx) => {
      ctx.body = 'ok';
    });
    const callback = app.callback();
    const url = await listen((req, res) => void callback(req, res));
    await send(`${url}/x`);
    await expect.poll(() => counts(registry)).toEqual({ 'GET __unmatched__ 200': 1 });
    expect((await send(`${url}/metrics`)).body).toContain('service="shared"');
  });

  it('never breaks the request it observes, even when recording fails', async () => {
    const registry = new Registry();
    const real = createMetrics({ serviceName: 'broken', registry, collectDefaultMetrics: false });
    const broken = {
      ...real,
      http: {
        start(): never {
          throw new Error('recorder unavailable');
        },
      },
    };
    const app = new Koa();
    app.use(createMetricsMiddleware({ metrics: broken })).use((ctx) => {
      ctx.body = 'still served';
    });
    const callback = app.callback();
    const url = await listen((req, res) => void callback(req, res));
    const reply = await send(`${url}/x`);
    expect([reply.status, reply.body]).toEqual([200, 'still served']);
  });
});
