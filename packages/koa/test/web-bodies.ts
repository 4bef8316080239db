// Koa 3 added web bodies (Koa 2 would serialise them as JSON): their bytes are counted too.
import { bodyBytes, send } from '@ai-orchestrator/testkit/conformance';
import { expect, it } from 'vitest';
import type { KoaClass, RouterClass } from './driver.js';
import { setup, type koaServers } from './route-templates.js';

export function webBodyTests(
  KoaOf: KoaClass,
  RouterOf: RouterClass,
  servers: ReturnType<typeof koaServers>,
): void {
  it('counts the real size of Koa 3 web bodies: ReadableStream, Blob, Response', async () => {
    const { registry, app } = setup(KoaOf, { httpBodySizes: true });
    const router = new RouterOf();
    router.get('/web-stream', (ctx) => {
      ctx.body = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(new Uint8Array(700));
          controller.enqueue(new TextEncoder().encode('done'));
          controller.close();
        },
      });
    });
    router.get('/blob', (ctx) => {
      ctx.body = new Blob(['0123456789']);
    });
    router.get('/response', (ctx) => {
      ctx.body = new Response('hello from fetch');
    });
    app.use(router.routes());
    const { url, settled } = await servers.serve(app);
    expect((await send(`${url}/web-stream`)).bytes).toBe(704);
    expect((await send(`${url}/blob`)).body).toBe('0123456789');
    expect((await send(`${url}/response`)).body).toBe('hello from fetch');
    await settled();
    expect(await bodyBytes(registry, 'response')).toEqual({
      '/web-stream': 704,
      '/blob': 10,
      '/response': 16,
    });
  });
}
