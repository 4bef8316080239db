// The README quickstart: register the plugin first, then your routes (prefixed plugins
// included); /metrics is served on the app's own port.
import Fastify from 'fastify';
import { fastifyMonitoring } from '@ai-orchestrator/fastify-monitoring';

const app = Fastify();
await app.register(fastifyMonitoring, { serviceName: 'workflow-api', ignorePaths: ['/healthz'] });

app.get('/healthz', async () => 'ok');
await app.register(
  async (api) => {
    api.get('/workflows/:id', async (request) => ({ id: request.params.id }));
    api.post('/workflows/:id/run', async () => {
      throw new Error('engine unavailable');
    });
  },
  { prefix: '/api/v1' },
);

const url = await app.listen({ port: Number(process.env.PORT ?? 3000), host: '127.0.0.1' });
await fetch(`${url}/healthz`);
await fetch(`${url}/api/v1/workflows/wf-1`);
await fetch(`${url}/api/v1/workflows/wf-1/run`, { method: 'POST' });
await fetch(`${url}/wp-login.php`);

const text = await (await fetch(`${url}/metrics`)).text();
console.log(`metrics served at ${url}/metrics\n`);
console.log(
  text
    .split('\n')
    .filter((line) => line.startsWith('http_server_request_duration_seconds_count'))
    .join('\n'),
);
await app.close();
