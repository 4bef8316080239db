// The /metrics handler streams a big registry: several writes, the bytes render() gives, and
// other requests of the same server answered while the body is still going out.
import { Histogram, Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createServer,
  request,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { connect as connectHttp2, createServer as createHttp2Server } from 'node:http2';
import { connect, type AddressInfo } from 'node:net';
import type { Readable } from 'node:stream';
import { render } from './exposition.js';
import { createNodeMetricsHandler, METRICS } from './index.js';

const SERIES = 20_000;

function bigRegistry(): Registry {
  const registry = new Registry();
  const histogram: Histogram<string> = new Histogram<string>({
    name: 'http_server_request_duration_seconds',
    help: 'Duration of HTTP server requests.',
    labelNames: ['service', 'http_route'],
    registers: [],
    enableExemplars: true,
  });
  // A registry of the text content type refuses exemplar metrics at creation; render() does not.
  registry.registerMetric(histogram);
  for (let i = 0; i < SERIES; i++) {
    histogram.observe({
      labels: { service: 'svc', http_route: `/tenants/${i}/items/:id` },
      value: (i % 50) / 10,
      ...(i % 3 === 0 ? { exemplarLabels: { trace_id: `t${i}` } } : {}),
    });
  }
  return registry;
}

let server: Server | undefined;
afterEach(
  () => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())),
);

/**
 * A server with /metrics (its writes counted, and the memory each chunk was written in) and /ping
 * on one port.
 */
async function serve(
  registry: Registry,
): Promise<{ port: number; writes: () => number; memory: Set<ArrayBufferLike> }> {
  const handler = createNodeMetricsHandler({ registry });
  let writes = 0;
  const memory = new Set<ArrayBufferLike>();
  server = createServer((req, res: ServerResponse) => {
    if (req.url !== '/metrics') {
      res.end('pong');
      return;
    }
    const write = res.write.bind(res) as (...args: unknown[]) => boolean;
    res.write = ((chunk: unknown, ...rest: unknown[]) => {
      writes += 1;
      if (Buffer.isBuffer(chunk)) memory.add(chunk.buffer);
      return write(chunk, ...rest);
    }) as typeof res.write;
    void handler(req, res);
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  return { port: (server?.address() as AddressInfo).port, writes: () => writes, memory };
}

interface Got {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function get(port: number, path: string, headers: Record<string, string> = {}, method = 'GET') {
  return new Promise<Got>((resolve, reject) => {
    const req = request({ port, host: '127.0.0.1', path, headers, method }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (part: Buffer) => parts.push(part));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(parts).toString('utf8'),
        }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

/** A body read by a scraper that stops for a moment every few reads: chunks wait, unsent. */
function readSlowly(body: Readable): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    body.on('data', (part: Buffer) => {
      parts.push(part);
      if (parts.length % 8 === 0) {
        body.pause();
        setTimeout(() => body.resume(), 3);
      }
    });
    body.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
    body.on('error', reject);
  });
}

describe('the /metrics handler on a big registry', () => {
  it('sends the body in several writes, byte for byte what render() gives, in both formats', async () => {
    const registry = bigRegistry();
    const { port, writes } = await serve(registry);
    for (const format of ['text', 'openmetrics'] as const) {
      const accept = format === 'openmetrics' ? 'application/openmetrics-text' : 'text/plain';
      const before = writes();
      const got = await get(port, '/metrics', { accept });
      expect(got.status).toBe(200);
      expect(got.headers['transfer-encoding']).toBe('chunked');
      expect(got.headers['content-length']).toBeUndefined();
      expect(writes() - before).toBeGreaterThan(1);
      const whole = await render(registry, format);
      expect(got.headers['content-type']).toBe(whole.contentType);
      expect(got.body).toBe(whole.body);
      expect(got.body.match(/_count\{/g)?.length).toBe(SERIES);
      if (format === 'openmetrics') {
        expect(got.body.endsWith('# EOF\n')).toBe(true);
        expect(got.body).toContain(' # {trace_id="t0"} 0');
      }
    }
  });

  it('writes each chunk into memory the socket already gave back, the body unchanged for a slow reader', async () => {
    const registry = bigRegistry();
    const { port, writes, memory } = await serve(registry);
    const body = await new Promise<string>((resolve, reject) => {
      const req = request({ port, host: '127.0.0.1', path: '/metrics' }, (res) => {
        readSlowly(res).then(resolve, reject);
      });
      req.on('error', reject);
      // a body written over before the socket sent it breaks the chunked framing: no end
      req.setTimeout(20_000, () => req.destroy(new Error('the body never ended')));
      req.end();
    });
    expect(body).toBe((await render(registry, 'text')).body);
    // about 6 MB in 64 KB chunks, written into far fewer buffers than chunks
    expect(writes()).toBeGreaterThan(50);
    expect(memory.size).toBeLessThan(writes() / 2);
  });

  it('sends the same body over HTTP/2', async () => {
    const registry = bigRegistry();
    const handler = createNodeMetricsHandler({ registry });
    const h2 = createHttp2Server((req, res) => {
      void handler(req as unknown as IncomingMessage, res as unknown as ServerResponse);
    });
    await new Promise<void>((resolve) => h2.listen(0, '127.0.0.1', resolve));
    const session = connectHttp2(`http://127.0.0.1:${(h2.address() as AddressInfo).port}`);
    try {
      const body = await readSlowly(session.request({ ':path': '/metrics' }));
      expect(body).toBe((await render(registry, 'text')).body);
    } finally {
      session.destroy();
      await new Promise((resolve) => h2.close(resolve));
    }
  });

  it('answers HEAD with the Content-Length of the GET body and no body', async () => {
    const registry = bigRegistry();
    const { port } = await serve(registry);
    const got = await get(port, '/metrics', {}, 'HEAD');
    expect(got.status).toBe(200);
    expect(got.body).toBe('');
    const { body } = await render(registry, 'text');
    expect(Number(got.headers['content-length'])).toBe(Buffer.byteLength(body));
  });

  it('answers other requests of the same server while the body is still going out', async () => {
    const { port } = await serve(bigRegistry());
    const events: string[] = [];
    let scraping = true;
    const scrape = new Promise<void>((resolve, reject) => {
      const req = request({ port, host: '127.0.0.1', path: '/metrics' }, (res) => {
        res.on('data', () => {
          if (events.at(-1) !== 'chunk') events.push('chunk');
        });
        res.on('end', () => {
          scraping = false;
          resolve();
        });
      });
      req.on('error', reject);
      req.end();
    });
    // One ping after another for as long as the scrape runs.
    while (scraping) {
      const pong = await get(port, '/ping');
      expect(pong.body).toBe('pong');
      events.push('ping');
    }
    await scrape;
    const first = events.indexOf('chunk');
    const last = events.lastIndexOf('chunk');
    // Some ping was answered after the body began and before its last part arrived.
    expect(first).toBeGreaterThanOrEqual(0);
    expect(events.slice(first, last).filter((e) => e === 'ping').length).toBeGreaterThan(0);
  });
});

describe('a scraper that stops reading', () => {
  it('is cut off at the handler deadline: the response closes and the timeout is counted', async () => {
    const registry = bigRegistry();
    const handler = createNodeMetricsHandler({ registry, timeoutMs: 1000 });
    let closed!: () => void;
    const responseClosed = new Promise<void>((resolve) => (closed = resolve));
    server = createServer((req, res) => {
      res.on('close', () => closed());
      void handler(req, res);
    });
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const socket = connect(port, '127.0.0.1');
    socket.on('error', () => {});
    socket.write('GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n');
    // read the status line and a little of the body, then never read again
    await new Promise<void>((resolve) => socket.once('data', () => resolve()));
    socket.pause();
    const started = performance.now();
    await responseClosed;
    // the deadline counts from the request: well under a socket's life, over the 1 s given
    expect(performance.now() - started).toBeLessThan(10_000);
    const errors = await registry.getSingleMetric(METRICS.scrapeErrors.name)?.get();
    expect(errors?.values.find((v) => v.labels.reason === 'timeout')?.value).toBe(1);
    socket.destroy();
  });
});
