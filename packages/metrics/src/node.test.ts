import { once } from 'node:events';
import {
  Agent,
  IncomingMessage as IncomingMessageClass,
  ServerResponse as ServerResponseClass,
  createServer,
  request,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import {
  connect as connectHttp2,
  constants as http2Constants,
  createServer as createHttp2Server,
} from 'node:http2';
import { connect, type AddressInfo } from 'node:net';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { instrumentRequest, resolveAdapterOptions } from './adapter.js';
import { createMetrics, METRICS } from './index.js';

const IncomingMessagePrototype = IncomingMessageClass.prototype;
const ServerResponsePrototype = ServerResponseClass.prototype;

let server: Server | undefined;
afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

async function listen(handler: Parameters<typeof createServer>[1]): Promise<string> {
  server = createServer(handler);
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server!.address() as AddressInfo).port}`;
}

async function sample(
  registry: Registry,
  name: string,
  labels: Record<string, string>,
): Promise<number | undefined> {
  const family = name.replace(/_(sum|count|bucket)$/, '');
  const metric = await (registry.getSingleMetric(name) ?? registry.getSingleMetric(family))!.get();
  const found = metric.values.find(
    (v) =>
      ((v as { metricName?: string }).metricName ?? name) === name &&
      Object.entries(labels).every(([k, val]) => v.labels[k] === val),
  );
  return found?.value;
}

describe('instrumentRequest on real Node HTTP', () => {
  it('counts the real size of a streamed, chunked response', async () => {
    const registry = new Registry();
    const metrics = createMetrics({
      serviceName: 'node',
      registry,
      collectDefaultMetrics: false,
      httpBodySizes: true,
    });
    const url = await listen((req, res) => {
      instrumentRequest(metrics.http, req, res, () => '/stream');
      res.write('a'.repeat(1000));
      setTimeout(() => {
        res.write(Buffer.alloc(500));
        res.end('€'); // 3 bytes in UTF-8
      }, 5);
    });
    const res = await fetch(`${url}/stream`);
    expect(res.headers.get('transfer-encoding')).toBe('chunked');
    expect((await res.arrayBuffer()).byteLength).toBe(1503);
    await new Promise((r) => setTimeout(r, 20));
    expect(
      await sample(registry, 'http_server_response_body_size_bytes_sum', { http_route: '/stream' }),
    ).toBe(1503);
  });

  it('counts a client abort as 499 and returns active requests to zero', async () => {
    const registry = new Registry();
    const metrics = createMetrics({ serviceName: 'node', registry, collectDefaultMetrics: false });
    let closed!: () => void;
    const done = new Promise<void>((resolve) => (closed = resolve));
    const url = await listen((req, res) => {
      instrumentRequest(metrics.http, req, res, () => '/slow');
      res.on('close', () => setImmediate(closed));
      res.write('partial');
    });
    const req = request(`${url}/slow`, (res) => {
      res.once('data', () => req.destroy());
    });
    req.on('error', () => {});
    req.end();
    await done;
    expect(
      await sample(registry, 'http_server_request_duration_seconds_count', {
        http_response_status_code: '499',
      }),
    ).toBe(1);
    expect(
      await sample(registry, METRICS.httpServerActiveRequests.name, { http_request_method: 'GET' }),
    ).toBe(0);
  });

  it('counts the whole body for two recorders on one response, and for a later wrapper', async () => {
    const registry = new Registry();
    const sized = { registry, collectDefaultMetrics: false, httpBodySizes: true };
    const one = createMetrics({ serviceName: 'one', ...sized });
    const two = createMetrics({ serviceName: 'two', ...sized });
    let ended!: () => void;
    const done = new Promise<void>((resolve) => (ended = resolve));
    const url = await listen((req, res) => {
      instrumentRequest(one.http, req, res, () => '/twice');
      instrumentRequest(two.http, req, res, () => '/twice');
      // A wrapper installed after ours (compression, another library) still reaches Node.
      const write = res.write;
      res.write = function (this: typeof res, ...args: unknown[]) {
        return (write as (...a: unknown[]) => boolean).apply(this, args);
      } as typeof res.write;
      res.on('finish', () => setImmediate(ended));
      res.write('12345');
      res.end('678');
    });
    expect(await (await fetch(`${url}/twice`)).text()).toBe('12345678');
    await done;
    for (const service of ['one', 'two']) {
      expect(await sample(registry, 'http_server_response_body_size_bytes_sum', { service })).toBe(
        8,
      );
    }
  });

  it('times a response once per recorder when two instances of an adapter see it', async () => {
    const registry = new Registry();
    const one = createMetrics({ serviceName: 'one', registry, collectDefaultMetrics: false });
    const two = createMetrics({ serviceName: 'two', registry, collectDefaultMetrics: false });
    let ended!: () => void;
    const done = new Promise<void>((resolve) => (ended = resolve));
    const url = await listen((req, res) => {
      // an app and its sub-app, each with the middleware, on one metrics object; another on its own
      const outer = instrumentRequest(one.http, req, res, () => '/outer/:id');
      expect(instrumentRequest(one.http, req, res, () => '/:id')).toBe(outer);
      expect(instrumentRequest(two.http, req, res, () => '/two')).not.toBe(outer);
      res.on('close', () => setImmediate(ended));
      res.end('ok');
    });
    expect(await (await fetch(`${url}/outer/1`)).text()).toBe('ok');
    await done;
    const count = 'http_server_request_duration_seconds_count';
    expect(await sample(registry, count, { service: 'one', http_route: '/outer/:id' })).toBe(1);
    expect(await sample(registry, count, { service: 'one', http_route: '/:id' })).toBeUndefined();
    expect(await sample(registry, count, { service: 'two', http_route: '/two' })).toBe(1);
  });

  it('resolves adapter options: service name string, ignored paths, metrics path', () => {
    const registry = new Registry();
    const resolved = resolveAdapterOptions('test', {
      serviceName: 'svc',
      registry,
      collectDefaultMetrics: false,
      ignorePaths: ['/health', /^\/internal\//],
    });
    expect(resolved.metrics.serviceName).toBe('svc');
    expect(resolved.classify('/metrics?x=1')).not.toBe('record');
    expect(resolved.classify('/health')).toBe('ignore');
    expect(resolved.classify('/internal/debug')).toBe('ignore');
    expect(resolved.classify('/users/1')).toBe('record');
    expect(resolved.classify('/metrics')).toBe('metrics');
    expect(() => resolveAdapterOptions('express', { metricsPath: 'metrics' })).toThrow(
      /express: metricsPath must be a path starting with "\/" or false, got "metrics"/,
    );
    expect(() => resolveAdapterOptions('koa', { ignorePaths: [42 as never] })).toThrow(
      /koa: ignorePaths\[0\] must be a string or a RegExp, got 42/,
    );
  });
});

// What ended a response that never finished, as the client and Node saw it: each case is one
// member of a class a review found miscounted (a server cut-off as 499, a client's fault as 500,
// a queued response as 499, a response closed before the middleware, unsent bytes, late status).
describe('instrumentRequest: who ended the response', () => {
  const COUNT = 'http_server_request_duration_seconds_count';

  /** `{ 'route status': count }` of the duration histogram. */
  async function counts(registry: Registry): Promise<Record<string, number>> {
    const metric = await registry.getSingleMetric('http_server_request_duration_seconds')!.get();
    return Object.fromEntries(
      metric.values
        .filter((v) => (v as { metricName?: string }).metricName === COUNT)
        .map((v) => [`${v.labels.http_route} ${v.labels.http_response_status_code}`, v.value]),
    );
  }

  function recorded() {
    const registry = new Registry();
    const metrics = createMetrics({
      serviceName: 'node',
      registry,
      collectDefaultMetrics: false,
      httpBodySizes: true,
    });
    return { registry, metrics };
  }

  async function active(registry: Registry): Promise<number | undefined> {
    return sample(registry, METRICS.httpServerActiveRequests.name, { http_request_method: 'GET' });
  }

  /** Raw bytes to the server; resolves with what came back once the connection closed. */
  async function raw(url: string, bytes: string): Promise<string> {
    const { port } = new URL(url);
    const socket = connect(Number(port), '127.0.0.1');
    socket.on('error', () => {});
    let text = '';
    socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
    socket.write(bytes);
    await once(socket, 'close');
    return text;
  }

  const settle = () => new Promise((resolve) => setTimeout(resolve, 30));

  it('counts a server cut-off as 500 on a socket with a timeout set (that did not fire)', async () => {
    const { registry, metrics } = recorded();
    const url = await listen((req, res) => {
      instrumentRequest(metrics.http, req, res, () => '/stream');
      res.write('first chunk');
      setTimeout(() => res.destroy(new Error('upstream failed')), 20);
    });
    server!.setTimeout(60_000);
    await expect(fetch(`${url}/stream`).then((r) => r.text())).rejects.toThrow();
    await settle();
    expect(await counts(registry)).toEqual({ '/stream 500': 1 });
    expect(await active(registry)).toBe(0);
  });

  it("counts a request the client's later bytes broke as 499 (Node answered 400), not 500", async () => {
    const { registry, metrics } = recorded();
    const url = await listen((req, res) => {
      instrumentRequest(metrics.http, req, res, () => '/users/:id');
      setTimeout(() => res.end('late'), 100);
    });
    const reply = await raw(url, 'GET /users/1 HTTP/1.1\r\nHost: x\r\n\r\n\u0000junk\r\n\r\n');
    expect(reply).toMatch(/^HTTP\/1\.1 400/);
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(await counts(registry)).toEqual({ '/users/:id 499': 1 });
    expect(await active(registry)).toBe(0);
  });

  it('counts a request Node timed out (it answered 408) as 499', async () => {
    const { registry, metrics } = recorded();
    server = createServer({ requestTimeout: 200, connectionsCheckingInterval: 50 }, (req, res) => {
      instrumentRequest(metrics.http, req, res, () => '/upload');
      req.resume();
      req.on('end', () => res.end('ok'));
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    // a body promised and never sent
    const reply = await raw(
      url,
      'POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc',
    );
    expect(reply).toMatch(/^HTTP\/1\.1 408/);
    await settle();
    expect(await counts(registry)).toEqual({ '/upload 499': 1 });
    expect(
      await sample(registry, METRICS.httpServerActiveRequests.name, {
        http_request_method: 'POST',
      }),
    ).toBe(0);
  });

  it('counts a queued pipelined request whose body was read with the status it was sent', async () => {
    const { registry, metrics } = recorded();
    const url = await listen((req, res) => {
      const path = req.url ?? '';
      instrumentRequest(metrics.http, req, res, () => path);
      if (path === '/slow') setTimeout(() => res.end('slow'), 150);
      else void readAll(req).then(() => ((res.statusCode = 201), res.end('made')));
    });
    const reply = await raw(
      url,
      'GET /slow HTTP/1.1\r\nHost: x\r\n\r\n' +
        'PUT /items HTTP/1.1\r\nHost: x\r\nContent-Length: 7\r\nConnection: close\r\n\r\n{"a":1}',
    );
    expect([...reply.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((m) => m[1])).toEqual(['200', '201']);
    await settle();
    expect(await counts(registry)).toEqual({ '/slow 200': 1, '/items 201': 1 });
  });

  it('counts a request whose client left before the middleware ran as 499, the gauge back at 0', async () => {
    const { registry, metrics } = recorded();
    let instrumented!: () => void;
    const done = new Promise<void>((resolve) => (instrumented = resolve));
    const url = await listen((req, res) => {
      // an async step of the app before the metrics middleware (an auth look-up)
      setTimeout(() => {
        instrumentRequest(metrics.http, req, res, () => '/late');
        instrumented();
      }, 100);
    });
    const req = request(`${url}/late`);
    req.on('error', () => {});
    req.end();
    setTimeout(() => req.destroy(), 20);
    await done;
    await settle();
    expect(await counts(registry)).toEqual({ '/late 499': 1 });
    expect(await active(registry)).toBe(0);
  });

  it('tells a socket timeout that fired (499) from a cut-off on a socket with one set (500)', async () => {
    const { registry, metrics } = recorded();
    const url = await listen((req, res) => {
      const path = req.url ?? '';
      // an async step before the middleware: the idle time runs from before it
      setTimeout(() => {
        instrumentRequest(metrics.http, req, res, () => path);
        if (path === '/streams') {
          // busy every 30 ms, so the 100 ms timeout never fires; the server cuts it at 250 ms
          res.write('tick');
          const busy = setInterval(() => res.write('tick'), 30);
          setTimeout(() => (clearInterval(busy), res.destroy()), 250);
        }
      }, 60);
    });
    server!.setTimeout(100);
    for (const path of ['/idles', '/streams']) {
      await expect(fetch(`${url}${path}`).then((r) => r.text())).rejects.toThrow();
    }
    await settle();
    expect(await counts(registry)).toEqual({ '/idles 499': 1, '/streams 500': 1 });
    expect(await active(registry)).toBe(0);
  });

  it('keeps no per-request listener on a long pipelined connection', async () => {
    const { registry, metrics } = recorded();
    let listeners = 0;
    const url = await listen((req, res) => {
      instrumentRequest(metrics.http, req, res, () => '/items');
      listeners = Math.max(listeners, req.socket.listenerCount('close'));
      void readAll(req).then(() => setTimeout(() => res.end('ok'), 1));
    });
    const one = 'POST /items HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}';
    const last =
      'POST /items HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}';
    const reply = await raw(url, one.repeat(199) + last);
    expect(reply.match(/HTTP\/1\.1 200/g)).toHaveLength(200);
    await settle();
    expect(await counts(registry)).toEqual({ '/items 200': 200 });
    expect(listeners).toBeLessThanOrEqual(4);
  });

  /** What Express does to every request: its app's prototypes under Node's own. */
  function reprototype(req: IncomingMessage, res: ServerResponse): void {
    Object.setPrototypeOf(req, appRequest);
    Object.setPrototypeOf(res, appResponse);
  }
  const appRequest = Object.create(IncomingMessagePrototype) as object;
  const appResponse = Object.create(ServerResponsePrototype) as object;

  /** The responses a socket's own symbol properties hold. */
  function heldBy(socket: unknown): unknown[] {
    const props = socket as Record<symbol, { res?: unknown } | undefined>;
    return Object.getOwnPropertySymbols(props)
      .map((key) => props[key]?.res)
      .filter((res) => res !== undefined);
  }

  it('times responses under an app prototype (Express) once each, pipelined, each connection holding one at most', async () => {
    const { registry, metrics } = recorded();
    let held = 0;
    let twice = 0;
    const url = await listen((req, res) => {
      reprototype(req, res);
      // an app and its sub-app, each with the middleware, on one metrics object
      const timer = instrumentRequest(metrics.http, req, res, () => '/items');
      if (instrumentRequest(metrics.http, req, res, () => '/other') === timer) twice++;
      // the connection holds one response at most (its last, or the last it was free for)
      res.on('close', () => (held = Math.max(held, heldBy(req.socket).length)));
      setTimeout(() => res.end('ok'), 1);
    });
    const one = 'GET /items HTTP/1.1\r\nHost: x\r\n\r\n';
    const last = 'GET /items HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n';
    const reply = await raw(url, one.repeat(9) + last);
    expect(reply.match(/HTTP\/1\.1 200/g)).toHaveLength(10);
    await settle();
    expect(await counts(registry)).toEqual({ '/items 200': 10 });
    expect(twice).toBe(10);
    // a keep-alive connection's next requests: each timed, none taken for the one before
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    for (let i = 0; i < 5; i++) {
      await new Promise<void>((resolve, reject) => {
        request(`${url}/items`, { agent }, (response) => {
          response.resume();
          response.on('end', resolve);
        })
          .on('error', reject)
          .end();
      });
    }
    agent.destroy();
    await settle();
    expect(await counts(registry)).toEqual({ '/items 200': 15 });
    expect(twice).toBe(15);
    expect(held).toBe(1);
    expect(await active(registry)).toBe(0);
  });

  it('times a pipelined response under an app prototype that takes the connection before the one before it closed', async () => {
    const { registry, metrics } = recorded();
    let previous: ServerResponse | undefined;
    const hadSocket: boolean[] = [];
    const url = await listen((req, res) => {
      reprototype(req, res);
      const before = previous;
      previous = res;
      const start = (): void => {
        hadSocket.push(res.socket !== null);
        instrumentRequest(metrics.http, req, res, () => '/items');
        setTimeout(() => res.end('ok'), 1);
      };
      // The second waits for the first's 'finish': Node hands it the connection then, and
      // closes the first a tick later.
      if (before === undefined) start();
      else before.once('finish', start);
    });
    const one = 'GET /items HTTP/1.1\r\nHost: x\r\n\r\n';
    const last = 'GET /items HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n';
    const reply = await raw(url, one + last);
    expect(reply.match(/HTTP\/1\.1 200/g)).toHaveLength(2);
    await settle();
    expect(hadSocket).toEqual([true, true]);
    expect(await counts(registry)).toEqual({ '/items 200': 2 });
    expect(await active(registry)).toBe(0);
  });

  it('times a response under an app prototype once when a second instance sees it after it ended', async () => {
    const { registry, metrics } = recorded();
    let second!: () => void;
    const seenTwice = new Promise<void>((resolve) => (second = resolve));
    const url = await listen((req, res) => {
      reprototype(req, res);
      const path = req.url ?? '';
      instrumentRequest(metrics.http, req, res, () => path);
      const sub = (): void => {
        instrumentRequest(metrics.http, req, res, () => `/sub${path}`);
        second();
      };
      if (path === '/hang-up') {
        // an async middleware (auth) between the two instances, during which the client leaves
        req.socket.once('close', () => setTimeout(sub, 20));
      } else {
        // the response is sent, then the chain goes on into a sub-app (fire and forget)
        res.end('accepted');
        res.once('close', () => setTimeout(sub, 20));
      }
    });
    const socket = connect(Number(new URL(url).port), '127.0.0.1');
    socket.on('error', () => {});
    socket.write('GET /hang-up HTTP/1.1\r\nHost: x\r\n\r\n');
    setTimeout(() => socket.destroy(), 20);
    await seenTwice;
    await settle();
    const after = new Promise<void>((resolve) => (second = resolve));
    expect(await (await fetch(`${url}/sent`)).text()).toBe('accepted');
    await after;
    await settle();
    expect(await counts(registry)).toEqual({ '/hang-up 499': 1, '/sent 200': 1 });
    expect(await active(registry)).toBe(0);
  });

  it('counts a cut-off after a socket timeout that fired on an earlier request of the connection as 500', async () => {
    const { registry, metrics } = recorded();
    const url = await listen((req, res) => {
      const path = req.url ?? '';
      instrumentRequest(metrics.http, req, res, () => path);
      if (path === '/slow') setTimeout(() => res.end('late'), 150);
      else setTimeout(() => res.destroy(), 10);
    });
    // a timeout callback keeps the socket open: it fires during /slow, and the socket lives on
    server!.setTimeout(60, () => undefined);
    const { port } = new URL(url);
    const socket = connect(Number(port), '127.0.0.1');
    socket.on('error', () => {});
    socket.write('GET /slow HTTP/1.1\r\nHost: x\r\n\r\n');
    await new Promise<void>((resolve) => socket.once('data', () => resolve()));
    socket.write('GET /cut HTTP/1.1\r\nHost: x\r\n\r\n');
    await once(socket, 'close');
    await settle();
    expect(await counts(registry)).toEqual({ '/slow 200': 1, '/cut 500': 1 });
  });

  it('counts no body bytes Node did not send: bodiless statuses and writes after end', async () => {
    const { registry, metrics } = recorded();
    const url = await listen((req, res) => {
      const path = req.url ?? '';
      instrumentRequest(metrics.http, req, res, () => path);
      res.on('error', () => {});
      if (path === '/cached') {
        res.statusCode = 304;
        res.end('x'.repeat(1000));
      } else if (path === '/empty') {
        res.statusCode = 204;
        res.write('x'.repeat(1000));
        res.end();
      } else {
        res.end('ok');
        res.write('more');
      }
    });
    for (const path of ['/cached', '/empty', '/twice']) await (await fetch(`${url}${path}`)).text();
    await settle();
    const sum = 'http_server_response_body_size_bytes_sum';
    expect(await sample(registry, sum, { http_route: '/cached' })).toBe(0);
    expect(await sample(registry, sum, { http_route: '/empty' })).toBe(0);
    expect(await sample(registry, sum, { http_route: '/twice' })).toBe(2);
  });

  it('counts the status sent, not one set after the headers went out', async () => {
    const { registry, metrics } = recorded();
    const url = await listen((req, res) => {
      instrumentRequest(metrics.http, req, res, () => '/report');
      res.write('partial,');
      res.statusCode = 500; // too late: the status line is on the wire
      res.end('failed');
    });
    expect((await fetch(`${url}/report`)).status).toBe(200);
    await settle();
    expect(await counts(registry)).toEqual({ '/report 200': 1 });
  });

  it('counts the status sent whatever message went with it and whatever is set later', async () => {
    const { registry, metrics } = recorded();
    const url = await listen((req, res) => {
      const path = req.url ?? '';
      instrumentRequest(metrics.http, req, res, () => path);
      if (path === '/reason') res.writeHead(202, 'Taken'); // a message of its own
      if (path === '/koa') res.statusMessage = 'Created'; // set with the code, as Koa does
      if (path === '/koa') res.statusCode = 201;
      if (path === '/late-message') res.writeHead(200);
      res.end('done');
      if (path === '/reason') res.statusCode = 500;
      if (path === '/koa') res.statusCode = 404;
      // a message naming the code now set, the code sent unchanged
      if (path === '/late-message') res.statusMessage = 'Bad Gateway';
    });
    for (const path of ['/reason', '/koa', '/late-message', '/plain']) {
      await (await fetch(`${url}${path}`)).text();
    }
    await settle();
    expect(await counts(registry)).toEqual({
      '/reason 202': 1,
      '/koa 201': 1,
      '/late-message 200': 1,
      '/plain 200': 1,
    });
  });

  it('tells an HTTP/2 stream the server reset or destroyed (500) from one the client reset (499)', async () => {
    const { registry, metrics } = recorded();
    const h2 = createHttp2Server((req, res) => {
      const path = req.url;
      const timer = instrumentRequest(
        metrics.http,
        req as unknown as IncomingMessage,
        res as unknown as ServerResponse,
        () => path,
      );
      expect(timer.done).toBe(false);
      // the reset below, on purpose
      for (const emitter of [req, res, res.stream]) emitter.on('error', () => {});
      res.write('first');
      if (path === '/cut') setTimeout(() => res.stream.destroy(new Error('failed')), 20);
      // a server that cuts the stream off without an error: Node resets it with NO_ERROR
      if (path === '/destroy') setTimeout(() => res.stream.destroy(), 20);
      if (path === '/session') setTimeout(() => res.stream.session?.destroy(), 20);
    });
    await new Promise<void>((resolve) => h2.listen(0, '127.0.0.1', resolve));
    const origin = `http://127.0.0.1:${(h2.address() as AddressInfo).port}`;
    const sessions: ReturnType<typeof connectHttp2>[] = [];
    try {
      const paths = ['/cut', '/cancel', '/destroy', '/session', '/hang-up', '/refused'];
      // Node's own client resets with NO_ERROR on close() and destroy()
      paths.push('/client-close', '/client-destroy');
      for (const path of paths) {
        // a session each: '/session' ends its own, '/hang-up' closes the client's connection
        const session = connectHttp2(origin);
        session.on('error', () => {});
        sessions.push(session);
        const stream = session.request({ ':path': path });
        stream.on('error', () => {});
        stream.once('data', () => {
          if (path === '/cancel') stream.close(http2Constants.NGHTTP2_CANCEL);
          if (path === '/refused') stream.close(http2Constants.NGHTTP2_REFUSED_STREAM);
          if (path === '/hang-up') session.destroy();
          if (path === '/client-close') stream.close();
          if (path === '/client-destroy') stream.destroy();
        });
        stream.resume();
        // (not events.once, which rejects on the reset's 'error')
        await new Promise((resolve) => stream.once('close', resolve));
      }
      await settle();
      expect(await counts(registry)).toEqual({
        '/cut 500': 1,
        '/destroy 500': 1,
        '/session 500': 1,
        '/cancel 499': 1,
        '/hang-up 499': 1,
        '/refused 499': 1,
        '/client-close 499': 1,
        '/client-destroy 499': 1,
      });
    } finally {
      for (const session of sessions) session.destroy();
      await new Promise((resolve) => h2.close(resolve));
    }
  });
});

async function readAll(req: IncomingMessage): Promise<string> {
  let body = '';
  for await (const chunk of req) body += String(chunk);
  return body;
}
