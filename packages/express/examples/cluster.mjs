// README "Many processes": a 4-worker cluster whose primary serves one /metrics for all workers.
import cluster from 'node:cluster';
import express from 'express';
import { createClusterMetrics, startMetricsServer } from '@ai-orchestrator/metrics';
import { createMetricsMiddleware } from '@ai-orchestrator/express-monitoring';

if (cluster.isPrimary) {
  // Before forking: the primary follows every worker and merges their metrics on each scrape.
  const clusterMetrics = createClusterMetrics();
  const server = await startMetricsServer({
    registry: clusterMetrics.registry,
    port: Number(process.env.METRICS_PORT ?? 9464),
    host: '127.0.0.1',
  });
  console.log(`metrics of every worker: ${server.url}`);
  // A worker that dies is replaced; the counts it served stay in the totals.
  cluster.on('exit', () => cluster.fork());
  for (let i = 0; i < Number(process.env.WORKERS ?? 4); i++) cluster.fork();
} else {
  // Workers record as in a single process; they answer the primary by themselves.
  const app = express();
  app.use(createMetricsMiddleware({ serviceName: 'checkout-api', metricsPath: false }));
  app.get('/orders/:id', (req, res) => res.json({ id: req.params.id }));
  const server = app.listen(Number(process.env.PORT ?? 3000), '127.0.0.1', () =>
    console.log(`worker ${cluster.worker.id} serves port ${server.address().port}`),
  );
}
