// README "Many processes": a 4-worker cluster whose primary serves one /metrics for all workers.
import cluster from 'node:cluster';
import Fastify from 'fastify';
import { createClusterMetrics, startMetricsServer } from '@ai-orchestrator/metrics';
import { fastifyMonitoring } from '@ai-orchestrator/fastify-monitoring';

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
  const app = Fastify();
  await app.register(fastifyMonitoring, { serviceName: 'workflow-api', metricsPath: false });
  app.get('/workflows/:id', async (request) => ({ id: request.params.id }));
  const url = await app.listen({ port: Number(process.env.PORT ?? 3000), host: '127.0.0.1' });
  console.log(`worker ${cluster.worker.id} serves port ${new URL(url).port}`);
}
