// Requests that never finish: the client leaves, or the server times the socket out.
import { setImmediate as nextTurn } from 'node:timers/promises';
import { expect, it } from 'vitest';
import { abortRequest, pipelined, send, watchResponse } from '../client.js';
import type { Harness } from '../harness.js';
import { activeRequests, bodyBytes, requestCounts } from '../samples.js';

export function lifecycleCases<M extends object>({ start }: Harness<M>): void {
  it('counts a client abort as 499, before or after the first bytes, and the gauge returns to 0', async () => {
    const app = await start();
    const hung = app.nextHung();
    await abortRequest(`${app.url}/hang`, { when: hung });
    await app.settled();
    await nextTurn(); // the handlers' late answers, which must not count a second time
    expect((await hung).started).toBe(false);
    const stalled = app.nextHung();
    await abortRequest(`${app.url}/stalled`, { when: 'first-byte' });
    await app.settled();
    expect((await stalled).res.headersSent).toBe(true); // the client read its first bytes
    expect(await requestCounts(app.registry)).toEqual({
      'GET /hang 499': 1,
      'GET /stalled 499': 1,
    });
    expect(await activeRequests(app.registry)).toBe(0);
  });

  it('counts an aborted POST whose body the app read as 499, with its request bytes', async () => {
    const app = await start({ httpBodySizes: true });
    const hung = app.nextHung();
    await abortRequest(`${app.url}/hang`, { method: 'POST', body: 'hello', when: hung });
    await app.settled();
    await nextTurn(); // the handlers' late answers, which must not count a second time
    expect((await hung).body).toBe('hello');
    expect(await requestCounts(app.registry)).toEqual({ 'POST /hang 499': 1 });
    expect(await bodyBytes(app.registry, 'request')).toEqual({ '/hang': 5 });
    expect(await activeRequests(app.registry)).toBe(0);
  });

  it('counts a request the server timed out as 499 and returns the gauge to 0', async () => {
    const app = await start();
    // No 'timeout' listener of ours: Node destroys the idle socket after 100 ms.
    app.server.setTimeout(100);
    await expect(send(`${app.url}/hang`)).rejects.toThrow(/socket hang up|ECONNRESET/);
    await app.settled();
    await nextTurn(); // the handlers' late answers, which must not count a second time
    expect(await requestCounts(app.registry)).toEqual({ 'GET /hang 499': 1 });
    expect(await activeRequests(app.registry)).toBe(0);
  });

  it('counts a response the server cut off after its first bytes as 500, with or without an error', async () => {
    const app = await start();
    for (const error of [undefined, new Error('the stream failed')]) {
      const stalled = app.nextHung();
      const { firstByte, closed } = watchResponse(`${app.url}/stalled`);
      await firstByte;
      // what a framework does when a handler fails after the headers went out
      (await stalled).res.destroy(error);
      await closed;
    }
    await app.settled();
    await nextTurn(); // the handlers' late answers, which must not count a second time
    expect(await requestCounts(app.registry)).toEqual({ 'GET /stalled 500': 2 });
    expect(await activeRequests(app.registry)).toBe(0);
  });

  it('counts pipelined requests once each, also those still queued when the client hangs up', async () => {
    const app = await start();
    expect(await pipelined(app.url, ['/ok', '/users/1', '/ok'])).toEqual([200, 200, 200]);
    await app.settled();
    expect(await requestCounts(app.registry)).toEqual({
      'GET /ok 200': 2,
      'GET /users/:id 200': 1,
    });
    // The answers to /ok and /users/2 wait behind /hang's, which never comes: the client leaves.
    await pipelined(app.url, ['/hang', '/ok', '/users/2'], { hangUp: app.nextHung() });
    await app.settled();
    await nextTurn();
    expect(await requestCounts(app.registry)).toEqual({
      'GET /ok 200': 2,
      'GET /users/:id 200': 1,
      'GET /hang 499': 1,
      'GET /ok 499': 1,
      'GET /users/:id 499': 1,
    });
    expect(await activeRequests(app.registry)).toBe(0);
  });
}
