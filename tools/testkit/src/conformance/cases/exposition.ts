// The in-app metrics path: formats, exemplars, a custom path, none at all, and auth.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { send } from '../client.js';
import { SERVICE, type Harness } from '../harness.js';
import { HTTP, requestCounts } from '../samples.js';
import { enableContext, serveInSpans } from '../spans.js';

export const TEXT = 'text/plain; version=0.0.4; charset=utf-8';
export const OPENMETRICS = 'application/openmetrics-text; version=1.0.0; charset=utf-8';
const ASK_OPENMETRICS = { accept: 'application/openmetrics-text; version=1.0.0' };

/** The exposition line of one duration `_count` series of the conformance app. */
function countLine(route: string, status: number, count: number): string {
  return `${HTTP.durationCount}{service="${SERVICE}",http_request_method="GET",http_route="${route}",http_response_status_code="${status}"} ${count}`;
}

/** Every method but GET and HEAD on the metrics path `url`, with and without bodies: 405. */
export async function expectMethodNotAllowed(url: string): Promise<void> {
  const form = { 'content-type': 'application/x-www-form-urlencoded' };
  for (const [method, body, headers] of [
    ['POST', undefined, undefined],
    ['POST', 'a=1', form],
    ['PUT', '{}', { 'content-type': 'application/json' }],
    ['DELETE', undefined, undefined],
    ['OPTIONS', undefined, undefined],
    ['PATCH', 'x', undefined],
  ] as const) {
    const reply = await send(url, {
      method,
      ...(body === undefined ? {} : { body }),
      ...(headers === undefined ? {} : { headers }),
    });
    expect([method, reply.status, reply.headers.allow]).toEqual([method, 405, 'GET, HEAD']);
  }
}

export function expositionCases<M extends object>({ start }: Harness<M>): void {
  it('serves /metrics as text, OpenMetrics on request, HEAD too, and never records it', async () => {
    const app = await start();
    await send(`${app.url}/ok`);
    await app.settled();
    const text = await send(`${app.url}/metrics?debug=1`);
    expect([text.status, text.headers['content-type']]).toEqual([200, TEXT]);
    expect(text.body.split('\n')).toContain(countLine('/ok', 200, 1));
    expect(text.body).toContain(`# TYPE ${HTTP.duration} histogram`);
    const om = await send(`${app.url}/metrics`, { headers: ASK_OPENMETRICS });
    expect([om.status, om.headers['content-type']]).toEqual([200, OPENMETRICS]);
    expect(om.body.split('\n')).toContain(countLine('/ok', 200, 1));
    expect(om.body.endsWith('\n# EOF\n')).toBe(true);
    const head = await send(`${app.url}/metrics`, { method: 'HEAD' });
    expect([head.status, head.body]).toEqual([200, '']);
    await app.settled();
    expect(await requestCounts(app.registry)).toEqual({ 'GET /ok 200': 1 });
  });

  it('answers any other method on /metrics 405 with Allow: GET, HEAD, bodies unread, and never records it', async () => {
    const app = await start();
    await expectMethodNotAllowed(`${app.url}/metrics`);
    await app.settled();
    expect(await requestCounts(app.registry)).toEqual({});
  });

  describe('with an active OpenTelemetry span', () => {
    let disable: () => void = () => {};
    beforeAll(() => {
      disable = enableContext();
    });
    afterAll(() => disable());

    it('serves trace_id and span_id exemplars on the duration histogram in OpenMetrics only', async () => {
      const app = await start();
      const spans = serveInSpans(app.server);
      expect((await send(`${app.url}/users/7`)).status).toBe(200);
      await app.settled();
      const { traceId, spanId } = spans.get('/users/7')!;
      const om = await send(`${app.url}/metrics`, { headers: ASK_OPENMETRICS });
      const exemplar = ` # {trace_id="${traceId}",span_id="${spanId}"} `;
      const carriers = om.body.split('\n').filter((line) => line.includes(exemplar));
      // One bucket carries it: the one the observation fell into, of the route's own series.
      expect(carriers).toHaveLength(1);
      const [bucket = ''] = carriers;
      expect(bucket.startsWith(`${HTTP.duration}_bucket{`)).toBe(true);
      expect(bucket).toContain('http_route="/users/:id",http_response_status_code="200"');
      expect(bucket.slice(0, bucket.indexOf(exemplar)).endsWith('} 1')).toBe(true);
      expect((await send(`${app.url}/metrics`)).body).not.toContain(traceId);
    });
  });

  it('serves a custom metricsPath, and records /metrics there like any unmatched path', async () => {
    const app = await start({ metricsPath: '/ops/metrics' });
    expect((await send(`${app.url}/metrics`)).status).toBe(404);
    const scraped = await send(`${app.url}/ops/metrics`);
    expect([scraped.status, scraped.headers['content-type']]).toEqual([200, TEXT]);
    expect(scraped.body.split('\n')).toContain(countLine('__unmatched__', 404, 1));
    await app.settled();
    expect(await requestCounts(app.registry)).toEqual({ 'GET __unmatched__ 404': 1 });
  });

  it('serves nothing in-app with metricsPath: false, and records /metrics as unmatched', async () => {
    const app = await start({ metricsPath: false });
    expect((await send(`${app.url}/metrics`)).status).toBe(404);
    await app.settled();
    expect(await requestCounts(app.registry)).toEqual({ 'GET __unmatched__ 404': 1 });
  });

  it('asks for a bearer token on the in-app metrics path when auth is set', async () => {
    const app = await start({ auth: { type: 'bearer', token: 's3cret' } });
    const denied = await send(`${app.url}/metrics`);
    expect([denied.status, denied.headers['www-authenticate']]).toEqual([
      401,
      'Bearer realm="metrics"',
    ]);
    const wrong = { authorization: 'Bearer guess' };
    expect((await send(`${app.url}/metrics`, { headers: wrong })).status).toBe(401);
    const allowed = await send(`${app.url}/metrics`, {
      headers: { authorization: 'Bearer s3cret' },
    });
    expect(allowed.status).toBe(200);
    expect(allowed.body).toContain(`# TYPE ${HTTP.duration} histogram`);
  });

  it('asks for basic credentials on the in-app metrics path when auth is basic', async () => {
    const app = await start({ auth: { type: 'basic', username: 'prom', password: 'pw' } });
    const denied = await send(`${app.url}/metrics`);
    expect(denied.status).toBe(401);
    expect(denied.headers['www-authenticate']).toMatch(/^Basic /);
    const basic = `Basic ${Buffer.from('prom:pw').toString('base64')}`;
    expect((await send(`${app.url}/metrics`, { headers: { authorization: basic } })).status).toBe(
      200,
    );
    await app.settled();
    expect(await requestCounts(app.registry)).toEqual({});
  });
}
