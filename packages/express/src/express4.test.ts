import express4 from 'express4';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { defineAdapterSuite, type Express } from './adapter.suite.js';
import { createMetricsHandler, createMetricsMiddleware } from './index.js';
import { closeAll, listen } from './testing.js';

// Express 4's types differ from 5's in details the suite does not use.
defineAdapterSuite('Express 4', 4, express4 as unknown as Express);

describe('Express 4 typings', () => {
  afterEach(closeAll);

  it('accept the middleware and the handler as written in the README', async () => {
    const registry = new Registry();
    const app = express4();
    app.use(
      createMetricsMiddleware({ registry, collectDefaultMetrics: false, metricsPath: false }),
    );
    app.get('/users/:id', (_req, res) => {
      res.send('ok');
    });
    app.get('/metrics', createMetricsHandler({ registry }));
    const { url } = await listen(app);
    expect((await fetch(`${url}/users/1`)).status).toBe(200);
    expect(await (await fetch(`${url}/metrics`)).text()).toContain('http_route="/users/:id"');
  });
});
