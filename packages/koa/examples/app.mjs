// README "Usage": one middleware records every request with its @koa/router template and serves
// /metrics in the app. The lines after the README part call the app once and print what it serves.
import Router from '@koa/router';
import Koa from 'koa';
import { createMetricsMiddleware } from '@ai-orchestrator/koa-monitoring';

const app = new Koa();
app.use(createMetricsMiddleware('orders-api')); // first, so it sees the status every request ends with

const orders = new Router();
orders.get('/:id', (ctx) => {
  ctx.body = { id: ctx.params.id };
});
const api = new Router({ prefix: '/api' });
api.use('/orders', orders.routes());
app.use(api.routes()).use(api.allowedMethods());

const server = app.listen(Number(process.env.PORT ?? 3000), '127.0.0.1');
// end of the README part

import { once } from 'node:events';

await once(server, 'listening');
const base = `http://127.0.0.1:${server.address().port}`;
await (await fetch(`${base}/api/orders/42`)).text();
await (await fetch(`${base}/no/such/page`)).text();
const text = await (await fetch(`${base}/metrics`)).text();
console.log(
  text
    .split('\n')
    .filter((line) => line.startsWith('http_server_request_duration_seconds_count'))
    .join('\n'),
);
server.close();
