// Exemplars link metrics to traces: with tracing initialised, the Express adapter's OpenMetrics
// exposition carries trace ids, and the receiver got those very traces. And the adapter's own
// middleware is the layer the tracing skips: no span for it in those traces.
import { EXPRESS_MIDDLEWARE_NAME } from '@ai-orchestrator/metrics/shared';
import { describe, expect, it } from 'vitest';
import { OWN_EXPRESS_LAYER } from '../src/instrumentations.js';
import { tracedFixture } from './services.js';

describe('exemplars carry the trace ids the collector received', () => {
  // No register flag: the fixture initialises tracing itself before importing Express.
  const fixture = tracedFixture('metrics-link-service.mjs');

  it('every exemplar on the duration histogram points into a received GET /users/:id trace', async () => {
    for (let i = 0; i < 3; i += 1) {
      expect((await fetch(`${fixture.service().url}/users/${i}`)).status).toBe(200);
    }
    const res = await fetch(`${fixture.service().url}/metrics`, {
      headers: { Accept: 'application/openmetrics-text; version=1.0.0' },
    });
    expect(res.headers.get('content-type')).toMatch(/application\/openmetrics-text/);
    const text = await res.text();
    const exemplars = [
      ...text.matchAll(
        /^http_server_request_duration_seconds_bucket\{[^}]*http_route="\/users\/:id"[^}]*\} \d+ # \{trace_id="([0-9a-f]{32})",span_id="([0-9a-f]{16})"\}/gm,
      ),
    ];
    expect(exemplars.length).toBeGreaterThan(0);

    const isServer = (traceId: string) => (s: { traceId: string; name: string; kind: number }) =>
      s.traceId === traceId && s.name === 'GET /users/:id' && s.kind === 2;
    const spans = await fixture
      .receiver()
      .waitFor((all) =>
        exemplars.every(
          ([, traceId, spanId]) =>
            all.some(isServer(traceId!)) &&
            all.some((s) => s.traceId === traceId && s.spanId === spanId),
        ),
      );
    for (const [, traceId] of exemplars) {
      const server = spans.find(isServer(traceId!))!;
      expect(server.resource['service.name']).toBe('linked-svc');
      expect(server.attributes['http.route']).toBe('/users/:id');
    }
  });

  it("gives the Express adapter's middleware no span, and other middleware theirs", async () => {
    expect(OWN_EXPRESS_LAYER).toBe(`middleware - ${EXPRESS_MIDDLEWARE_NAME}`);
    expect((await fetch(`${fixture.service().url}/users/42`)).status).toBe(200);
    const isRequest = (s: { name: string; kind: number; attributes: Record<string, unknown> }) =>
      s.name === 'GET /users/:id' && s.kind === 2 && s.attributes['url.path'] === '/users/42';
    const spans = await fixture.receiver().waitFor((all) => {
      const request = all.find(isRequest);
      return (
        request !== undefined &&
        all.some((s) => s.traceId === request.traceId && s.name === 'request handler')
      );
    });
    const { traceId } = spans.find(isRequest)!;
    const middleware = spans
      .filter((s) => s.traceId === traceId && s.name.startsWith('middleware - '))
      .map((s) => s.name);
    // The app's own middleware has its span; the adapter's, whatever its name, has none.
    expect(middleware).toEqual(['middleware - auditTrail']);
  });
});
