import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { OVERFLOW_VALUE } from '../contract.js';
import { createMetrics } from '../metrics.js';
import { merge, options, samples, snapshotOf, type Source } from '../../test/cluster.js';

describe('the series budget after merging', () => {
  it('admits the budget over all workers and folds the rest into __overflow__, totals kept', async () => {
    const sources: Source[] = [];
    for (let w = 0; w < 3; w++) {
      const registry = new Registry();
      const metrics = createMetrics({
        serviceName: 'api',
        registry,
        collectDefaultMetrics: false,
        limits: { perMetricSeries: { workflow_executions_total: 3 } },
      });
      // Each worker fills its own budget of 3 with names no other worker has, then overflows.
      for (let i = 0; i < 4; i++) {
        metrics.recordWorkflowExecution(`wf-${i}`, `w${w}-${i}`, 'openai', 'success', 10);
      }
      sources.push({ snapshot: await snapshotOf(registry), worker: String(w) });
    }
    const { body, folded } = await merge(sources);
    const counts = [...samples(body)].filter(([name]) =>
      name.startsWith('workflow_executions_total{'),
    );
    expect(counts.length).toBe(4); // 3 admitted + the overflow series
    expect(counts.reduce((sum, [, value]) => sum + value, 0)).toBe(12);
    const overflow = `workflow_executions_total{service="api",workflow_name="${OVERFLOW_VALUE}",engine_type="${OVERFLOW_VALUE}",status="success"}`;
    expect(samples(body).get(overflow)).toBe(3 + 6);
    expect(folded.get('workflow_executions_total')).toBe(6);
    const histogram = [...samples(body)].filter(([name]) =>
      name.startsWith('workflow_execution_duration_seconds_count{'),
    );
    expect(histogram.length).toBe(4);
  });
});

describe('the series budget with a worker label', () => {
  it('counts label sets, not workers: each worker keeps its series of the admitted label sets', async () => {
    const sources: Source[] = [];
    for (let w = 0; w < 2; w++) {
      const registry = new Registry();
      const metrics = createMetrics({
        serviceName: 'api',
        registry,
        collectDefaultMetrics: false,
        limits: { perMetricSeries: { workflow_executions_total: 3 } },
      });
      for (let i = 0; i < 3; i++)
        metrics.recordWorkflowExecution(`wf-${i}`, `name-${i}`, 'openai', 'success', 10);
      sources.push({ snapshot: await snapshotOf(registry), worker: String(w) });
    }
    const { body, folded } = await merge(sources, 'text', options(true));
    const counts = [...samples(body)].filter(([name]) =>
      name.startsWith('workflow_executions_total{'),
    );
    expect(counts).toHaveLength(6);
    expect(
      counts.every(([name]) => /worker="[01]"/.test(name) && !name.includes(OVERFLOW_VALUE)),
    ).toBe(true);
    expect(folded.size).toBe(0);
  });
});
