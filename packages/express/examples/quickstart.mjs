// The README example: an Express app with nested routers, a mounted sub-app and an error
// handler, instrumented with one middleware; prints what Prometheus would scrape.
import express from 'express';
import { createMetricsMiddleware } from '@ai-orchestrator/express-monitoring';

const app = express();
app.use(createMetricsMiddleware({ serviceName: 'checkout-api', collectDefaultMetrics: false }));

const orders = express.Router();
orders.get('/:id', (req, res) => res.json({ id: req.params.id }));
orders.post('/:id/pay', () => {
  throw new Error('card declined');
});
const v1 = express.Router();
v1.use('/orders', orders);
app.use('/api/v1', v1);

const admin = express();
admin.get('/users/:id', (req, res) => res.send(`user ${req.params.id}`));
app.use('/admin', admin);

app.use((err, req, res, next) => {
  if (res.headersSent) return next(err);
  res.status(402).json({ error: err.message });
});

const server = app.listen(Number(process.env.PORT ?? 3000), '127.0.0.1');
await new Promise((resolve) => server.once('listening', resolve));
const base = `http://127.0.0.1:${server.address().port}`;

for (const path of ['/api/v1/orders/1', '/api/v1/orders/2', '/admin/users/7', '/no/such/page']) {
  await (await fetch(base + path)).text();
}
await (await fetch(`${base}/api/v1/orders/1/pay`, { method: 'POST' })).text();

// The middleware serves /metrics itself (text, or OpenMetrics with exemplars when asked).
const text = await (await fetch(`${base}/metrics`)).text();
console.log(
  text
    .split('\n')
    .filter((line) => line.startsWith('http_server_request_duration_seconds_count'))
    .join('\n'),
);
server.close();
