// README "Examples": metrics on a router of your own, behind a bearer token, in a registry you own.
import Router from '@koa/router';
import Koa from 'koa';
import { Registry } from 'prom-client';
import { createMetricsHandler, createMetricsMiddleware } from '@ai-orchestrator/koa-monitoring';

const registry = new Registry();
const app = new Koa();
app.use(
  createMetricsMiddleware({
    serviceName: 'billing',
    registry,
    metricsPath: false, // the router below serves them
    ignorePaths: ['/ops/metrics', '/healthz'],
  }),
);

const router = new Router();
router.get('/healthz', (ctx) => {
  ctx.body = 'ok';
});
router.get('/invoices/:id', (ctx) => {
  ctx.body = { invoice: ctx.params.id };
});
router.get(
  '/ops/metrics',
  createMetricsHandler({ registry, auth: { type: 'bearer', token: process.env.METRICS_TOKEN } }),
);
app.use(router.routes());
// end of the README part

import { once } from 'node:events';

const server = app.listen(0, '127.0.0.1');
await once(server, 'listening');
const base = `http://127.0.0.1:${server.address().port}`;
await (await fetch(`${base}/healthz`)).text();
await (await fetch(`${base}/invoices/7`)).text();
const denied = await fetch(`${base}/ops/metrics`);
await denied.text();
console.log(`without token: ${denied.status}`);
const scrape = await fetch(`${base}/ops/metrics`, {
  headers: { authorization: `Bearer ${process.env.METRICS_TOKEN}` },
});
const text = await scrape.text();
console.log(`with token: ${scrape.status}`);
console.log(
  text
    .split('\n')
    .filter((line) => line.startsWith('http_server_request_duration_seconds_count'))
    .join('\n'),
);
server.close();
