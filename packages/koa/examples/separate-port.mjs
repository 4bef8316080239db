// README "Examples": record in the app, serve metrics only on the core's separate metrics server.
import Router from '@koa/router';
import Koa from 'koa';
import { startMetricsServer } from '@ai-orchestrator/metrics';
import { createMetricsMiddleware } from '@ai-orchestrator/koa-monitoring';

const app = new Koa();
app.use(createMetricsMiddleware({ serviceName: 'worker-api', metricsPath: false }));
const router = new Router();
router.get('/hello', (ctx) => {
  ctx.body = 'hello';
});
app.use(router.routes());
const server = app.listen(Number(process.env.PORT ?? 3000), '127.0.0.1');
const metricsServer = await startMetricsServer({
  port: Number(process.env.METRICS_PORT ?? 9464),
  host: '127.0.0.1',
});
// end of the README part

import { once } from 'node:events';

if (!server.listening) await once(server, 'listening');
const base = `http://127.0.0.1:${server.address().port}`;
await (await fetch(`${base}/hello`)).text();
const inApp = await fetch(`${base}/metrics`);
await inApp.text();
console.log(`in-app /metrics: ${inApp.status}`);
const text = await (await fetch(metricsServer.url)).text();
console.log(
  text
    .split('\n')
    .filter((line) => line.startsWith('http_server_request_duration_seconds_count'))
    .join('\n'),
);
server.close();
await metricsServer.close();
