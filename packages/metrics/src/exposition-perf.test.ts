// A big scrape must leave room for requests: the histogram fast path renders in slices that
// yield to the event loop. No timing is asserted, only that other work ran in between.
import { Histogram, Registry } from 'prom-client';
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

describe('exposition of many histogram series', () => {
  it('yields to the event loop while rendering, and renders every line', async () => {
    const registry = bigRegistry(10_000);
    let ticks = 0;
    let running = true;
    const tick = (): void => {
      ticks += 1;
      if (running) setImmediate(tick);
    };
    setImmediate(tick);
    const before = ticks;
    const fast = await render(registry, 'text');
    const during = ticks - before;
    running = false;
    expect(during).toBeGreaterThan(0);
    expect(fast.body.split('\n').filter((l) => l.startsWith('http_')).length).toBe(10_000 * 17);
  });
});
