// The lean profile on the older majors we support (Express 4, Fastify 4, Koa 2): one server span
// per request, named by its full route, and no framework spans.
import { describe, expect, it } from 'vitest';
import { tracedFixture } from './services.js';

const SERVER = 2;

describe("profile 'lean' on Express 4, Fastify 4 and Koa 2", () => {
  const fixture = tracedFixture('lean-majors.cjs');

  it('names each server span by the route template, prefixes included', async () => {
    const ports = fixture.ports();
    const paths = ['/v1/users/1', '/api/orders/2', '/v2/items/3'];
    for (const [i, path] of paths.entries()) {
      expect((await fetch(`http://127.0.0.1:${ports[i]}${path}`)).status).toBe(200);
    }
    const spans = await fixture.receiver().waitFor((all) => all.length >= 3);
    expect(spans.map((s) => [s.kind, s.name, s.attributes['http.route']]).sort()).toEqual(
      [
        [SERVER, 'GET /v1/users/:id', '/v1/users/:id'],
        [SERVER, 'GET /api/orders/:id', '/api/orders/:id'],
        [SERVER, 'GET /v2/items/:id', '/v2/items/:id'],
      ].sort(),
    );
  });
});
