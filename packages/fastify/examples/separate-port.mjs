// Metrics only on a separate port (metricsPath: false), recorded into metrics the app also uses
// for its workflow counters.
import Fastify from 'fastify';
import { createMetrics, startMetricsServer } from '@ai-orchestrator/metrics';
import fastifyMonitoring from '@ai-orchestrator/fastify-monitoring';

const metrics = createMetrics({ serviceName: 'workflow-worker', collectDefaultMetrics: false });
const app = Fastify();
await app.register(fastifyMonitoring, { metrics, metricsPath: false });
app.post('/runs', async () => {
  metrics.recordWorkflowExecution('wf-2', 'summarize', 'openai', 'success', 1200);
  return { status: 'done' };
});

const url = await app.listen({ port: Number(process.env.PORT ?? 3000), host: '127.0.0.1' });
const server = await startMetricsServer({
  port: Number(process.env.METRICS_PORT ?? 9464),
  host: '127.0.0.1',
});
await fetch(`${url}/runs`, { method: 'POST' });

console.log(`app /metrics: ${(await fetch(`${url}/metrics`)).status}`);
const text = await (await fetch(server.url)).text();
console.log(
  text
    .split('\n')
    .filter((line) =>
      /^(http_server_request_duration_seconds_count|workflow_executions_total)/.test(line),
    )
    .join('\n'),
);
await server.close();
await app.close();
