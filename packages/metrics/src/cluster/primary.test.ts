import { Counter, Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { render } from '../exposition.js';
import { createMetrics } from '../metrics.js';
import { createClusterMetrics } from './primary.js';
import type { ClusterMetrics } from './types.js';

const made: ClusterMetrics[] = [];
function make(...args: Parameters<typeof createClusterMetrics>): ClusterMetrics {
  const clusterMetrics = createClusterMetrics(...args);
  made.push(clusterMetrics);
  return clusterMetrics;
}
afterEach(() => {
  for (const clusterMetrics of made.splice(0)) clusterMetrics.close();
});

describe('createClusterMetrics', () => {
  it('serves the primary’s own registry and its cluster metrics through any handler of its registry', async () => {
    const registry = new Registry();
    const metrics = createMetrics({
      serviceName: 'gateway',
      registry,
      collectDefaultMetrics: false,
    });
    metrics.recordWorkflowExecution('wf', 'summarize', 'openai', 'success', 10);
    const clusterMetrics = make({ registry });
    expect(clusterMetrics.workers).toBe(0);
    const { body } = await render(clusterMetrics.registry, 'text');
    expect(body).toContain(
      'workflow_executions_total{service="gateway",workflow_name="summarize",engine_type="openai",status="success"} 1',
    );
    expect(body).toContain('metrics_cluster_workers{service="gateway"} 0');
    expect(body).toContain(
      'metrics_cluster_stale_snapshots_total{service="gateway",reason="timeout"} 0',
    );
    // The primary's process counts too: its runtime metrics, since its registry has none.
    expect(body).toContain('process_cpu_seconds_total{service="gateway"}');
    expect((await clusterMetrics.expose('openmetrics')).body.endsWith('# EOF\n')).toBe(true);
  });

  it('leaves the primary out with registry: false, and names the service it is given', async () => {
    const clusterMetrics = make({ registry: false, serviceName: 'checkout' });
    const { body } = await clusterMetrics.expose();
    expect(body).not.toContain('process_cpu_seconds_total');
    expect(body).toContain('metrics_cluster_workers{service="checkout"} 0');
  });

  it('applies a rule given per metric', async () => {
    const registry = new Registry();
    new Counter({ name: 'app_jobs_total', help: 'jobs', registers: [registry] }).inc(3);
    const { body } = await make({ registry, aggregation: { app_jobs_total: 'omit' } }).expose();
    expect(body).not.toContain('app_jobs_total');
  });

  it.each([
    [{ timeoutMs: 0 }, 'createClusterMetrics: timeoutMs must be an integer >= 1, got 0'],
    [
      { registry: {} },
      'createClusterMetrics: registry must be a prom-client Registry or false, got an object',
    ],
    [{ workerLabel: 'yes' }, 'createClusterMetrics: workerLabel must be true or false, got "yes"'],
    [
      { serviceName: '' },
      'createClusterMetrics: serviceName must be a string with at least one non-whitespace character, got ""',
    ],
    [
      { aggregation: { app_total: 'median' } },
      'createClusterMetrics: aggregation.app_total must be one of sum, max, min, average, first, worker, process, omit, got "median"',
    ],
    [null, 'createClusterMetrics: options must be an object, got null'],
  ])('refuses %j, naming the option and the value', (options, message) => {
    expect(() => createClusterMetrics(options as never)).toThrow(new TypeError(message));
  });
});
