// The README's compatibility API: MetricsService.getInstance() with positional arguments, and
// the registry served by a plain Node handler.
import { createServer } from 'node:http';
import { MetricsService, createNodeMetricsHandler } from '@ai-orchestrator/metrics';

const metrics = MetricsService.getInstance({ serviceName: 'compat-api' });
metrics.recordWorkflowExecution('wf-1', 'summarize', 'openai', 'success', 1500, 'user-7');
metrics.recordEngineCall('openai', 'completion', 'failure', 830);
metrics.setQueueSize('default', 2);

const server = createServer(createNodeMetricsHandler()).listen(Number(process.env.PORT ?? 9464));
// end of the README part

import { once } from 'node:events';

if (!server.listening) await once(server, 'listening');
const text = await (await fetch(`http://127.0.0.1:${server.address().port}/`)).text();
console.log(
  text
    .split('\n')
    .filter((line) => /^(workflow|engine)_\w+(_total|_count|_size)\{/.test(line))
    .join('\n'),
);
server.close();
