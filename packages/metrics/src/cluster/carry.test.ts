import { Counter, Gauge, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { Carry } from './carry.js';
import { HighWater } from './monotonic.js';
import { merge, options, samples, snapshotOf, worker } from '../../test/cluster.js';

describe('counter carry-over', () => {
  it('keeps an exited worker’s totals so sums never go backwards; gauges of the dead go', async () => {
    const o = options();
    const carry = new Carry(o);
    const a = worker();
    const b = worker();
    a.metrics.recordWorkflowExecution('wf', 'summarize', 'openai', 'success', 10);
    a.metrics.setQueueSize('default', 5);
    b.metrics.recordWorkflowExecution('wf', 'summarize', 'openai', 'success', 10);
    const lastOfA = await snapshotOf(a.registry, 1);
    const before = samples(
      (
        await merge(
          [
            { snapshot: lastOfA, worker: '0' },
            { snapshot: await snapshotOf(b.registry, 2), worker: '1' },
          ],
          'text',
          o,
        )
      ).body,
    );
    carry.keep(lastOfA, '0'); // worker 0 exits; its replacement starts from zero
    const c = worker();
    b.metrics.recordWorkflowExecution('wf', 'summarize', 'openai', 'success', 10);
    const after = samples(
      (
        await merge(
          [
            { snapshot: await snapshotOf(c.registry, 3), worker: '0' },
            { snapshot: await snapshotOf(b.registry, 2), worker: '1' },
          ],
          'text',
          o,
          carry,
        )
      ).body,
    );
    const wf = 'service="api",workflow_name="summarize",engine_type="openai",status="success"';
    expect(before.get(`workflow_executions_total{${wf}}`)).toBe(2);
    expect(after.get(`workflow_executions_total{${wf}}`)).toBe(3);
    expect(after.get(`workflow_execution_duration_seconds_count{${wf}}`)).toBe(3);
    expect(after.get('workflow_queue_size{service="api",queue="default"}')).toBeUndefined();
    for (const [name, value] of before) {
      if (name.includes('_total') || name.includes('_seconds_'))
        expect(after.get(name)).toBeGreaterThanOrEqual(value);
    }
  });

  it('does not carry process CPU of a worker thread, whose process still runs', async () => {
    const o = options();
    const carry = new Carry(o);
    const registry = new Registry();
    new Counter({ name: 'process_cpu_seconds_total', help: 'cpu', registers: [registry] }).inc(9);
    carry.keep(await snapshotOf(registry, process.pid), '0');
    const cluster = new Carry(o);
    cluster.keep(await snapshotOf(registry, process.pid + 1), '0');
    const live = { snapshot: await snapshotOf(registry, process.pid), worker: 'primary' };
    expect(
      samples((await merge([live], 'text', o, carry)).body).get('process_cpu_seconds_total'),
    ).toBe(9);
    expect(
      samples((await merge([live], 'text', o, cluster)).body).get('process_cpu_seconds_total'),
    ).toBe(18);
  });
});

describe('served counters', () => {
  it('never go below what was served when a float sum is added in another order', async () => {
    // (0.1 + 0.2) + 0.3 is 0.6000000000000001; once worker 0 exits, 0.2 + 0.3 + carried 0.1 is 0.6.
    const sources = [0.1, 0.2, 0.3].map((amount) => {
      const registry = new Registry();
      new Counter({ name: 'app_seconds_total', help: 's', registers: [registry] }).inc(amount);
      return registry;
    });
    const read = async (carry: Carry, live: number[], highWater?: HighWater) => {
      const snapshots = [];
      for (const i of live)
        snapshots.push({ snapshot: await snapshotOf(sources[i]!, 10 + i), worker: String(i) });
      const { body } = await merge(snapshots, 'text', o, carry, highWater);
      return samples(body).get('app_seconds_total');
    };
    const o = options();
    const carry = new Carry(o);
    const highWater = new HighWater();
    const before = await read(carry, [0, 1, 2], highWater);
    carry.keep(await snapshotOf(sources[0]!, 10), '0');
    expect(await read(carry, [1, 2])).toBeLessThan(before!); // what rate() would read as a reset
    expect(await read(carry, [1, 2], highWater)).toBe(before);
  });

  it("take a worker thread's process figures from the primary's own reading only", async () => {
    const reading = (rss: number) => {
      const registry = new Registry();
      new Gauge({ name: 'process_resident_memory_bytes', help: 'rss', registers: [registry] }).set(
        rss,
      );
      return registry;
    };
    const primary = { snapshot: await snapshotOf(reading(100), process.pid), worker: 'primary' };
    const thread = {
      snapshot: await snapshotOf(reading(100), process.pid, Date.now() + 1),
      worker: '0',
    };
    const cluster = { snapshot: await snapshotOf(reading(40), process.pid + 1), worker: '1' };
    const got = samples((await merge([primary, thread, cluster])).body);
    expect(got.get('process_resident_memory_bytes')).toBe(140);
  });
});
