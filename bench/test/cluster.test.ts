// Runs the cluster scrape benchmark on a tiny configuration (built dist, real cluster workers)
// and checks the report's shape and that both merges counted every observation. No timings.
import { describe, expect, it } from 'vitest';
import { runClusterBench } from '../src/cluster.js';
import { buildClusterReport } from '../src/cluster-report.js';

describe('pnpm bench:cluster report', () => {
  it('measures both aggregations of a tiny cluster in the same run', async () => {
    const result = await runClusterBench({ mode: 'custom', workers: 2, series: 200, reps: 2 });
    for (const runs of [result.ours, result.promClient]) {
      expect(runs).toHaveLength(2);
      for (const run of runs) {
        expect(run.error).toBeUndefined();
        expect(run.countsRight).toBe(true);
        expect(run.series).toBe(200);
      }
    }
    const markdown = buildClusterReport(result);
    expect(markdown).toContain('## Aggregated scrape: 2 workers × 200 histogram series');
    expect(markdown).toMatch(/\| ours: createClusterMetrics \| [\d.]+ \|/);
    expect(markdown).toMatch(/\| prom-client AggregatorRegistry \| [\d.]+ \|/);
    expect(markdown).toMatch(/\| [\d.]+x \| [\d.]+x \| [\d.]+x \| [\d.]+x \| [\d.]+x \|/);
  });
});
