// The full profile on Express 5 and 4: a sampled request gets its middleware, router and handler
// spans; a request whose new trace was not sampled runs each layer as Express wrote it, without
// the Express instrumentation's per-layer bookkeeping.
import { describe, expect, it } from 'vitest';
import { tracedFixture } from './services.js';

describe("profile 'full': Express layers of unsampled requests", () => {
  const fixture = tracedFixture('full-express-unsampled.cjs');

  it.each([
    ['Express 5', 0],
    ['Express 4', 1],
  ])('%s: spans for the sampled request, plain layers for the other', async (_name, index) => {
    const port = fixture.ports()[index];
    const before = fixture.receiver().spans().length;
    const plain = await fetch(`http://127.0.0.1:${port}/plain/users/1`);
    expect(await plain.json()).toEqual({ id: '1', bookkept: false });
    const traced = await fetch(`http://127.0.0.1:${port}/traced/users/2`);
    expect(await traced.json()).toEqual({ id: '2', bookkept: true });

    const spans = await fixture
      .receiver()
      .waitFor((all) => all.slice(before).some((s) => s.name === 'GET /traced/users/:id'));
    const mine = spans.slice(before);
    // one trace: the sampled request's, with the layers' spans under its server span
    expect(new Set(mine.map((s) => s.traceId)).size).toBe(1);
    const names = mine.map((s) => s.name);
    expect(names).toContain('middleware - stamp');
    expect(names).toContain('router - /users/:id');
    // Express 4 names the handler by its full route, Express 5 by its kind alone
    expect(names.some((n) => n.startsWith('request handler'))).toBe(true);
    expect(names.some((n) => n.includes('/plain'))).toBe(false);
  });
});
