// A big scrape must leave room for requests: the histogram fast path renders in slices that
// yield to the event loop. No timing is asserted, only that other work ran in between.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Gauge, Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { render } from './adapter.js';
import { HTTP_DURATION_BUCKETS } from './index.js';

function bigRegistry(series: number): Registry {
  const registry = new Registry();
  const histogram = new Histogram({
    name: 'http_server_request_duration_seconds',
    help: 'Duration of HTTP server requests.',
    labelNames: ['service', 'http_request_method', 'http_route', 'http_response_status_code'],
    buckets: [...HTTP_DURATION_BUCKETS],
    registers: [registry],
  });
  for (let i = 0; i < series; i++) {
    histogram.observe(
      {
        service: 'api',
        http_request_method: 'GET',
        http_route: `/tenants/${i}/items/:id`,
        http_response_status_code: 200,
      },
      (i % 50) / 10,
    );
  }
  return registry;
}

/** Renders `registry` and counts the event-loop turns (setImmediate) that ran meanwhile. */
async function renderCountingTicks(registry: Registry): Promise<{ body: string; ticks: number }> {
  let ticks = 0;
  let running = true;
  const tick = (): void => {
    ticks += 1;
    if (running) setImmediate(tick);
  };
  setImmediate(tick);
  const { body } = await render(registry, 'text');
  running = false;
  return { body, ticks };
}

describe('exposition of many series', () => {
  it('yields to the event loop while rendering histograms, and renders every line', async () => {
    const { body, ticks } = await renderCountingTicks(bigRegistry(10_000));
    expect(ticks).toBeGreaterThan(0);
    expect(body.split('\n').filter((l) => l.startsWith('http_')).length).toBe(10_000 * 17);
  });

  it('yields while rendering a gauge of many series too, and renders every line', async () => {
    const registry = new Registry();
    const gauge = new Gauge({
      name: 'queue_depth',
      help: 'Jobs waiting.',
      labelNames: ['queue'],
      registers: [registry],
    });
    for (let i = 0; i < 50_000; i++) gauge.set({ queue: `q-${i}` }, i);
    const { body, ticks } = await renderCountingTicks(registry);
    expect(ticks).toBeGreaterThan(0);
    expect(body.split('\n').filter((l) => l.startsWith('queue_depth{')).length).toBe(50_000);
    expect(body).toBe(await registry.metrics());
  });

  it('keeps nothing of a dropped histogram that was given a bucket array other histograms share', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const shared = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
    const scrapeDropped = async (from: number, count: number): Promise<void> => {
      for (let k = from; k < from + count; k++) {
        const registry = new Registry();
        const histogram = new Histogram({
          name: `tenant_${k}_seconds`,
          help: 'h',
          labelNames: ['a'],
          buckets: shared,
          registers: [registry],
        });
        histogram.observe({ a: 'x' }, 1);
        await render(registry, 'text');
      }
    };
    const used = async (): Promise<number> => {
      for (let i = 0; i < 4; i++) {
        gc();
        await new Promise((resolve) => setImmediate(resolve));
      }
      const { heapUsed, arrayBuffers } = process.memoryUsage();
      return heapUsed + arrayBuffers;
    };
    await scrapeDropped(0, 200);
    const before = await used();
    await scrapeDropped(1000, 3000);
    // Kept by the bucket array (per name), each dropped histogram left about 4.6 KB behind.
    expect((await used()) - before).toBeLessThan(3000 * 1024);
  });
});
