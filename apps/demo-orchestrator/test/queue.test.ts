// The work queue runs each job in the async context of the request that queued it: its spans
// belong to that request's trace, not to the trace of the job that ran before it.
import { AsyncLocalStorage } from 'node:async_hooks';
import { createMetrics } from '@ai-orchestrator/metrics';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { WorkQueue } from '../src/queue.js';

describe('WorkQueue', () => {
  it('runs a job in the context it was queued from, also when an earlier job starts it', async () => {
    const metrics = createMetrics({
      serviceName: 'queue-test',
      registry: new Registry(),
      collectDefaultMetrics: false,
    });
    const queue = new WorkQueue<string | undefined>('test', 1, 10, metrics);
    const request = new AsyncLocalStorage<string>();
    const job = () =>
      new Promise<string | undefined>((r) => setTimeout(() => r(request.getStore()), 5));
    // concurrency 1: the second and third jobs start from the end of the one before them
    const seen = await Promise.all(
      ['a', 'b', 'c'].map((id) => request.run(id, () => queue.push(job))),
    );
    expect(seen).toEqual(['a', 'b', 'c']);
    expect(await queue.push(job)).toBeUndefined();
  });
});
