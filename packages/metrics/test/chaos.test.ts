// Faults around the metrics endpoint, in a child process so Node's default crash on an
// unhandled rejection or uncaught exception is what is tested (issue 14).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const child = fileURLToPath(new URL('./chaos-child.mjs', import.meta.url));

describe('metrics package under faults', () => {
  it('answers every scrape and never crashes: taken port, failing and hung collectors, hang-ups', () => {
    const run = spawnSync(process.execPath, [child], { encoding: 'utf8', timeout: 60_000 });
    expect(run.stderr).not.toMatch(/Unhandled|uncaught|ERR_UNHANDLED_REJECTION/i);
    expect(run.status, run.stderr).toBe(0);
    const results = JSON.parse(run.stdout.trim().split('\n').pop() as string) as Record<
      string,
      unknown
    >;
    expect(results.taken).toMatch(
      /^startMetricsServer: cannot listen on 127\.0\.0\.1:\d+: port \d+ on 127\.0\.0\.1 is already in use/,
    );
    expect(results.ok).toMatch(/^200 /);
    expect(results.throw).toBe('500 metrics collection failed\n');
    expect(results.reject).toBe('500 metrics collection failed\n');
    expect(results['histogram-throw']).toBe('500 metrics collection failed\n');
    expect(results.hang).toBe('503 metrics collection timed out\n');
    expect(results['again-ok']).toMatch(/^200 /);
    expect(results.after).toBe(200);
    expect(results.counted).toEqual([
      'metrics_scrape_errors_total{service="chaos",reason="collector_failed"} 3',
      'metrics_scrape_errors_total{service="chaos",reason="timeout"} 1',
    ]);
    // One warning per kind of failure, however many scrapes failed.
    expect(run.stderr.match(/answered an error \(collector_failed\)/g)).toHaveLength(1);
  });
});
