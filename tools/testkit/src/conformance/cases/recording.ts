// What one request leaves in the metrics: its series, its label set, its status, its bytes.
import { expect, it } from 'vitest';
import { send, sendAll } from '../client.js';
import { SERVICE, type Harness } from '../harness.js';
import { STREAM_BYTES } from '../routes.js';
import {
  activeRequests,
  bodyBytes,
  HTTP,
  readSamples,
  requestCounts,
  samplesOf,
  type Sample,
} from '../samples.js';

/** The full label set of one duration series. */
function series(method: string, route: string, status: number) {
  return {
    service: SERVICE,
    http_request_method: method,
    http_route: route,
    http_response_status_code: String(status),
  };
}

export function recordingCases<M extends object>({ start }: Harness<M>): void {
  it('records each request under its route template, with the exact label set', async () => {
    const app = await start();
    expect((await send(`${app.url}/ok`)).status).toBe(200);
    expect((await send(`${app.url}/users/1`)).status).toBe(200);
    expect((await send(`${app.url}/users/2?tab=runs`)).status).toBe(200);
    expect((await send(`${app.url}/echo`, { method: 'POST', body: 'hi' })).status).toBe(200);
    await app.settled();
    const counts = await samplesOf(app.registry, HTTP.durationCount);
    expect(counts.map(({ labels, value }) => ({ labels, value }))).toEqual(
      expect.arrayContaining([
        { labels: series('GET', '/ok', 200), value: 1 },
        { labels: series('GET', '/users/:id', 200), value: 2 },
        { labels: series('POST', '/echo', 200), value: 1 },
      ]),
    );
    expect(counts).toHaveLength(3);
    const active = await samplesOf(app.registry, HTTP.active);
    expect(active.map((s) => [s.labels, s.value])).toEqual(
      expect.arrayContaining([
        [{ service: SERVICE, http_request_method: 'GET' }, 0],
        [{ service: SERVICE, http_request_method: 'POST' }, 0],
      ]),
    );
  });

  it('labels a request that matched no route __unmatched__, whatever its method', async () => {
    const app = await start();
    expect((await send(`${app.url}/nowhere`)).status).toBe(404);
    expect((await send(`${app.url}/users`)).status).toBe(404);
    expect((await send(`${app.url}/users/1/extra`)).status).toBe(404);
    expect((await send(`${app.url}/nowhere`, { method: 'POST', body: 'x' })).status).toBe(404);
    await app.settled();
    expect(await requestCounts(app.registry)).toEqual({
      'GET __unmatched__ 404': 3,
      'POST __unmatched__ 404': 1,
    });
  });

  it('counts a sync throw and an async rejection as 500 under their route', async () => {
    const app = await start();
    expect((await send(`${app.url}/throw`)).status).toBe(500);
    expect((await send(`${app.url}/reject`)).status).toBe(500);
    await app.settled();
    expect(await requestCounts(app.registry)).toEqual({
      'GET /throw 500': 1,
      'GET /reject 500': 1,
    });
    expect(await activeRequests(app.registry)).toBe(0);
  });

  it('records no body sizes unless asked to', async () => {
    const app = await start();
    expect((await send(`${app.url}/stream`)).status).toBe(200);
    expect((await send(`${app.url}/echo`, { method: 'POST', body: 'hi' })).status).toBe(200);
    await app.settled();
    expect(await requestCounts(app.registry)).toEqual({
      'GET /stream 200': 1,
      'POST /echo 200': 1,
    });
    const names = new Set((await readSamples(app.registry)).map((s) => s.name));
    expect([...names].filter((name) => name.includes('body_size'))).toEqual([]);
  });

  it('counts the bytes of a streamed response, a fixed body and a request body', async () => {
    const app = await start({ httpBodySizes: true });
    const streamed = await send(`${app.url}/stream`);
    expect(streamed.headers['transfer-encoding']).toBe('chunked');
    expect(streamed.bytes).toBe(STREAM_BYTES);
    const user = await send(`${app.url}/users/7`);
    expect(user.bytes).toBeGreaterThan(0);
    const echoed = await send(`${app.url}/echo`, { method: 'POST', body: 'y'.repeat(321) });
    expect(echoed.bytes).toBe(321);
    await app.settled();
    expect(await bodyBytes(app.registry, 'response')).toEqual({
      '/stream': STREAM_BYTES,
      '/users/:id': user.bytes,
      '/echo': 321,
    });
    expect(await bodyBytes(app.registry, 'request')).toEqual({
      '/stream': 0,
      '/users/:id': 0,
      '/echo': 321,
    });
  });
}

/** Random paths must not become series: the route label is what bounds the cardinality. */
export function cardinalityCase<M extends object>({ start }: Harness<M>): void {
  it('keeps 10,000 random 404 paths in one __unmatched__ series per method and status', async () => {
    const app = await start();
    const total = 10_000;
    const requests = Array.from({ length: total }, (_, i) => ({
      method: i % 2 === 0 ? 'GET' : 'POST',
      // A third start like a real route, so a router's partial match is no way out.
      path: `${i % 3 === 0 ? '/users/x' : ''}/${Math.random().toString(36).slice(2)}/${i}?q=${i}`,
    }));
    expect(await sendAll(app.url, requests)).toEqual(new Map([[404, total]]));
    await app.settled();
    const counts = await samplesOf(app.registry, HTTP.durationCount);
    const byMethod = (a: { labels: Sample['labels'] }, b: { labels: Sample['labels'] }) =>
      String(a.labels.http_request_method).localeCompare(String(b.labels.http_request_method));
    expect(counts.map(({ labels, value }) => ({ labels, value })).sort(byMethod)).toEqual([
      { labels: series('GET', '__unmatched__', 404), value: total / 2 },
      { labels: series('POST', '__unmatched__', 404), value: total / 2 },
    ]);
    const routes = new Set((await readSamples(app.registry)).map((s) => s.labels.http_route));
    expect([...routes].filter((r) => r !== undefined)).toEqual(['__unmatched__']);
  });
}
