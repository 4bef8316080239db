// The options every adapter shares: ignorePaths, the app's own metrics, and bad input.
import { Registry } from 'prom-client';
import { expect, it } from 'vitest';
import { send } from '../client.js';
import type { Harness } from '../harness.js';
import { requestCounts } from '../samples.js';
import type { AdapterDriver } from '../types.js';

/** `metrics` whose HTTP recorder fails on every request: what a broken core would look like. */
function brokenRecorder<M extends object>(metrics: M): M {
  const broken = {
    ...metrics,
    http: {
      start(): never {
        throw new Error('recorder unavailable');
      },
    },
  };
  return broken as M; // the same shape, with a recorder that throws
}

const NOT_BLANK = 'must be a string with at least one non-whitespace character';

export function optionCases<M extends object>(driver: AdapterDriver<M>, h: Harness<M>): void {
  it('does not record ignorePaths, strings and RegExps, query strings included', async () => {
    const app = await h.start({ ignorePaths: ['/ok', '/users/1', /^\/internal\//] });
    for (const path of ['/ok', '/ok?probe=1', '/users/1', '/internal/cache', '/users/2']) {
      await send(app.url + path);
    }
    await app.settled();
    // The paths are matched, not the template: /users/2 is still recorded as /users/:id.
    expect(await requestCounts(app.registry)).toEqual({ 'GET /users/:id 200': 1 });
  });

  it('records into the metrics of createMetrics() when given them', async () => {
    const registry = new Registry();
    const metrics = driver.createMetrics({
      serviceName: 'shared',
      registry,
      collectDefaultMetrics: false,
    });
    const app = await h.start({ metrics }, registry);
    await send(`${app.url}/users/3`);
    await app.settled();
    expect(await requestCounts(registry)).toEqual({ 'GET /users/:id 200': 1 });
    expect((await send(`${app.url}/metrics`)).body).toContain(
      'http_server_request_duration_seconds_count{service="shared",http_request_method="GET",http_route="/users/:id",http_response_status_code="200"} 1',
    );
  });

  it('never breaks the request it observes, even when recording fails', async () => {
    const registry = new Registry();
    const real = driver.createMetrics({
      serviceName: 'broken',
      registry,
      collectDefaultMetrics: false,
    });
    const app = await h.start({ metrics: brokenRecorder(real) }, registry);
    const reply = await send(`${app.url}/echo`, { method: 'POST', body: 'still served' });
    expect([reply.status, reply.body]).toEqual([200, 'still served']);
    expect((await send(`${app.url}/stream`)).status).toBe(200);
  });

  it('rejects bad options with a TypeError naming the call, the field and the value', async () => {
    const name = driver.entryPoint;
    const cases: [unknown, string | RegExp][] = [
      [42, `${name}: options must be a service name or an options object, got 42`],
      [
        { metricsPath: 'metrics' },
        `${name}: metricsPath must be a path starting with "/" or false, got "metrics"`,
      ],
      [{ ignorePaths: ['/a', 3] }, `${name}: ignorePaths[1] must be a string or a RegExp, got 3`],
      [{ serviceName: '' }, `${name}: serviceName ${NOT_BLANK}, got ""`],
      [{ serviceName: ' ' }, `${name}: serviceName ${NOT_BLANK}, got " "`],
      [
        { metrics: {} },
        `${name}: metrics must be the object createMetrics() returns, got an object`,
      ],
      // The in-app handler's options are the adapter's options: errors say the adapter's name.
      [{ auth: { type: 'bearer', token: '' } }, `${name}: auth.token ${NOT_BLANK}, got ""`],
      [
        { auth: { type: 'basic', username: 'a:b', password: 'p' } },
        `${name}: auth.username must be a name without ":" (RFC 7617), got "a:b"`,
      ],
      [
        { auth: { type: 'digest' } },
        `${name}: auth.type must be 'bearer' or 'basic', got "digest"`,
      ],
    ];
    for (const [options, message] of cases) {
      const error = await driver.setupError(options);
      expect(error, JSON.stringify(options)).toBeInstanceOf(TypeError);
      const { message: actual } = error as Error;
      if (typeof message === 'string') expect(actual).toBe(message);
      else expect(actual).toMatch(message);
    }
    const fine = { serviceName: 'fine', registry: new Registry(), collectDefaultMetrics: false };
    expect(await driver.setupError(fine)).toBeUndefined();
  });
}
