// An adapter mounted under a path: metricsPath and ignorePaths are paths of the mounted context,
// as its routes are, while the route label stays the full template.
import { expect, it } from 'vitest';
import { send } from '../client.js';
import type { Harness } from '../harness.js';
import { requestCounts } from '../samples.js';
import { expectMethodNotAllowed, TEXT } from './exposition.js';

const MOUNT = '/api';

export function mountCases<M extends object>({ start }: Harness<M>): void {
  it('serves metricsPath and skips ignorePaths relative to the mount, labelling full templates', async () => {
    const app = await start({ ignorePaths: ['/ok', /^\/internal\//] }, undefined, MOUNT);
    for (const path of ['/ok', '/ok?probe=1', '/internal/cache', '/users/2']) {
      await send(app.url + MOUNT + path);
    }
    await app.settled();
    const scraped = await send(`${app.url}${MOUNT}/metrics?debug=1`);
    expect([scraped.status, scraped.headers['content-type']]).toEqual([200, TEXT]);
    expect((await send(`${app.url}${MOUNT}/metrics`, { method: 'HEAD' })).status).toBe(200);
    await app.settled();
    expect(await requestCounts(app.registry)).toEqual({ [`GET ${MOUNT}/users/:id 200`]: 1 });
    // Outside the mount the adapter serves nothing (whether it records it is the framework's).
    expect((await send(`${app.url}/metrics`)).status).toBe(404);
  });

  it('serves a custom metricsPath relative to the mount', async () => {
    const app = await start({ metricsPath: '/ops/metrics' }, undefined, MOUNT);
    expect((await send(`${app.url}${MOUNT}/ops/metrics`)).status).toBe(200);
    expect((await send(`${app.url}${MOUNT}/metrics`)).status).toBe(404);
  });

  it('answers any other method on the mounted metrics path 405 with Allow: GET, HEAD, never recorded', async () => {
    const app = await start({}, undefined, MOUNT);
    await expectMethodNotAllowed(`${app.url}${MOUNT}/metrics`);
    await app.settled();
    expect(await requestCounts(app.registry)).toEqual({});
  });
}
