import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const pkg = fileURLToPath(new URL('..', import.meta.url));

function run(args: string[]): string {
  return execFileSync(process.execPath, args, {
    cwd: pkg,
    env: { ...process.env, PORT: '0', METRICS_PORT: '0' },
    encoding: 'utf8',
  });
}

const count = (service: string, method: string, route: string, status: number) =>
  `http_server_request_duration_seconds_count{service="${service}",http_request_method="${method}",http_route="${route}",http_response_status_code="${status}"} 1`;

// The README examples, run against the built package as a user would.
describe('README examples', () => {
  it('quickstart: prefixed templates, a 500, __unmatched__, the ignored health check', () => {
    const out = run(['examples/quickstart.mjs']);
    expect(out).toMatch(/metrics served at http:\/\/127\.0\.0\.1:\d+\/metrics/);
    expect(out).toContain(count('workflow-api', 'GET', '/api/v1/workflows/:id', 200));
    expect(out).toContain(count('workflow-api', 'POST', '/api/v1/workflows/:id/run', 500));
    expect(out).toContain(count('workflow-api', 'GET', '__unmatched__', 404));
    expect(out).not.toContain('/healthz');
  });

  it('separate port: no in-app route, shared metrics on the metrics server', () => {
    const out = run(['examples/separate-port.mjs']);
    expect(out).toContain('app /metrics: 404');
    expect(out).toContain(count('workflow-worker', 'POST', '/runs', 200));
    expect(out).toContain(
      'workflow_executions_total{service="workflow-worker",workflow_name="summarize",engine_type="openai",status="success"} 1',
    );
  });
});

describe('built package', () => {
  it('registers from CommonJS require() on Fastify 4', () => {
    const script = `
      const Fastify = require('fastify4');
      const monitoring = require('@ai-orchestrator/fastify-monitoring');
      const { Registry } = require('prom-client');
      (async () => {
        const registry = new Registry();
        const app = Fastify();
        await app.register(monitoring, { serviceName: 'cjs', registry, collectDefaultMetrics: false });
        app.get('/items/:id', async () => 'item');
        const url = await app.listen({ port: 0, host: '127.0.0.1' });
        await fetch(url + '/items/7');
        console.log(typeof monitoring.fastifyMonitoring, typeof monitoring.createMetricsHandler);
        console.log(await (await fetch(url + '/metrics')).text());
        await app.close();
      })();
    `;
    const out = run(['-e', script]);
    expect(out).toContain('function function');
    expect(out).toContain(count('cjs', 'GET', '/items/:id', 200));
  });
});
