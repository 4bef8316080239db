import { conformanceSuite, listen, send, urlOf } from '@ai-orchestrator/testkit/conformance';
import express4 from 'express4';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { expressDriver, type Express } from '../test/driver.js';
import { expressSpecificTests } from '../test/express-specific.js';
import { createMetricsHandler, createMetricsMiddleware } from './index.js';

// Express 4's types differ from 5's in details the tests do not use.
const express = express4 as unknown as Express;

conformanceSuite(expressDriver('Express 4', express));
expressSpecificTests('Express 4', 4, express);

describe('Express 4 typings', () => {
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
    const running = await listen(app);
    try {
      const url = urlOf(running.server);
      expect((await send(`${url}/users/1`)).status).toBe(200);
      expect((await send(`${url}/metrics`)).body).toContain('http_route="/users/:id"');
    } finally {
      await running.close();
    }
  });
});
