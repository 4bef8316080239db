// The README example: record a workflow, an engine call and a request, then scrape the
// standalone metrics server in both formats.
import { createMetrics, startMetricsServer } from '@ai-orchestrator/metrics';

const metrics = createMetrics({ serviceName: 'quickstart' });

metrics.recordWorkflowExecution('wf-1', 'summarize', 'openai', 'success', 1500);
metrics.recordEngineCall({
  engineType: 'openai',
  operation: 'completion',
  status: 'success',
  durationMs: 830,
  tokens: { input: 1200, output: 300 },
});
metrics.setQueueSize('default', 4);
const request = metrics.http.start('GET');
request.end({ route: '/users/:id', statusCode: 200, responseBytes: 512 });

const server = await startMetricsServer({
  port: Number(process.env.PORT ?? 9464),
  host: '127.0.0.1',
});
const text = await (await fetch(server.url)).text();
const lines = text
  .split('\n')
  .filter(
    (line) =>
      /^(workflow|engine|http_server_request_duration)/.test(line) && !line.includes('_bucket'),
  );
console.log(`metrics served at ${server.url}\n`);
console.log(lines.join('\n'));
await server.close();
