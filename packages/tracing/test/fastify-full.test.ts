// The full profile on Fastify 5 and 4: a sampled request gets @fastify/otel's request, hook and
// handler spans; a request whose new trace was not sampled runs its hooks and handler as written,
// without the plugin's wrappers.
import { describe, expect, it } from 'vitest';
import { tracedFixture } from './services.js';

describe("profile 'full': Fastify hooks and handlers of unsampled requests", () => {
  const fixture = tracedFixture('full-fastify-unsampled.cjs');

  it.each([
    ['Fastify 5', 0],
    ['Fastify 4', 1],
  ])('%s: spans for the sampled request, plain hooks for the other', async (_name, index) => {
    const port = fixture.ports()[index];
    const before = fixture.receiver().spans().length;
    const plain = await fetch(`http://127.0.0.1:${port}/plain/users/1`);
    expect(await plain.json()).toEqual({
      id: '1',
      seen: { stamp: false, check: false, handler: false },
    });
    expect(plain.headers.get('x-stamp')).toBe('1');
    // a hook the route does not have stays absent (@fastify/otel adds onSend and onError)
    const hooks = await fetch(`http://127.0.0.1:${port}/hooks`);
    expect(await hooks.json()).toEqual(['preHandler', 'onSend', 'onError']);
    const missing = await fetch(`http://127.0.0.1:${port}/plain/nothing/here`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ seen: { stamp: false, handler: false } });
    // a caller that did not sample its trace: @fastify/otel's spans would not record either
    const unsampledCaller = await fetch(`http://127.0.0.1:${port}/plain/users/3`, {
      headers: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00' },
    });
    expect(await unsampledCaller.json()).toEqual({
      id: '3',
      seen: { stamp: false, check: false, handler: false },
    });
    const traced = await fetch(`http://127.0.0.1:${port}/traced/users/2`);
    expect(await traced.json()).toEqual({
      id: '2',
      seen: { stamp: true, check: true, handler: true },
    });

    const spans = await fixture
      .receiver()
      .waitFor((all) => all.slice(before).some((s) => s.name === 'GET /:kind/users/:id'));
    const mine = spans.slice(before);
    expect(new Set(mine.map((s) => s.traceId)).size).toBe(1);
    const names = mine.map((s) => s.name).sort();
    expect(names).toEqual([
      'GET /:kind/users/:id',
      'handler - getUser',
      'onRequest - stamp',
      'preHandler - check',
      'request',
    ]);
  });
});
