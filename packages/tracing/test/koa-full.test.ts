// The full profile on Koa 3 and 2: a sampled request gets its middleware and router spans; a
// request whose new trace was not sampled runs each middleware as written, with no async wrapper.
import { describe, expect, it } from 'vitest';
import { tracedFixture } from './services.js';

describe("profile 'full': Koa middleware of unsampled requests", () => {
  const fixture = tracedFixture('full-koa-unsampled.cjs');

  it.each([
    ['Koa 3', 0],
    ['Koa 2', 1],
  ])('%s: spans for the sampled request, plain middleware for the other', async (_name, index) => {
    const port = fixture.ports()[index];
    const before = fixture.receiver().spans().length;
    const plain = await fetch(`http://127.0.0.1:${port}/plain/users/1`);
    expect(await plain.json()).toEqual({ id: '1', wrapped: false });
    expect(plain.headers.get('x-stamp')).toBe('1');
    const traced = await fetch(`http://127.0.0.1:${port}/traced/users/2`);
    expect(await traced.json()).toEqual({ id: '2', wrapped: true });

    const spans = await fixture
      .receiver()
      .waitFor((all) => all.slice(before).some((s) => s.name === 'GET /:kind/users/:id'));
    const mine = spans.slice(before);
    expect(new Set(mine.map((s) => s.traceId)).size).toBe(1);
    const names = mine.map((s) => s.name);
    expect(names).toContain('middleware - stamp');
    expect(names).toContain('router - /:kind/users/:id');
  });
});
