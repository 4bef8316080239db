// The lean profile across three processes: Express (CJS) -> Fastify (ESM) -> Koa (ESM), each
// with its own middleware or hook and routes under a prefix. Each request gets one server span
// named by its full route, each fetch one client span, nothing else, and it is still one trace.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from './otlp-receiver.js';
import { startChain, type Service } from './services.js';

const SERVER = 2;
const CLIENT = 3;

describe("profile 'lean' across express -> fastify -> koa", () => {
  let receiver: OtlpReceiver;
  let services: Service[] = [];

  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    services = await startChain(
      ['lean-express.cjs', 'lean-fastify.mjs', 'lean-koa.mjs'],
      ['express-svc', 'fastify-svc', 'koa-svc'],
      { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: receiver.url, AIO_TRACING_PROFILE: 'lean' },
    );
  });

  afterAll(async () => {
    for (const service of services) await service.proc.stop();
    await receiver?.close();
  });

  it('exports one route-named server span per request and one client span per call', async () => {
    const front = services[0]!;
    const res = await fetch(`${front.url}/v1/users/7`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      user: '7',
      downstream: { order: '7', downstream: { item: '7' } },
    });

    const server = (service: string) => (s: ReceivedSpan) =>
      s.kind === SERVER && s.resource['service.name'] === service;
    const spans = await receiver.waitFor(
      (all) =>
        all.some(server('express-svc')) &&
        all.some(server('fastify-svc')) &&
        all.some(server('koa-svc')) &&
        all.filter((s) => s.kind === CLIENT).length >= 2,
    );
    const expressServer = spans.find(server('express-svc'))!;
    const trace = spans.filter((s) => s.traceId === expressServer.traceId);

    // no middleware, hook, router or handler spans: server and client spans only
    expect(trace.map((s) => [s.resource['service.name'], s.kind, s.name]).sort()).toEqual(
      [
        ['express-svc', CLIENT, 'GET'],
        ['express-svc', SERVER, 'GET /v1/users/:id'],
        ['fastify-svc', CLIENT, 'GET'],
        ['fastify-svc', SERVER, 'GET /api/orders/:orderId'],
        ['koa-svc', SERVER, 'GET /v2/items/:itemId'],
      ].sort(),
    );
    const byId = new Map(trace.map((s) => [s.spanId, s]));
    const fastifyServer = trace.find(server('fastify-svc'))!;
    const koaServer = trace.find(server('koa-svc'))!;
    expect(expressServer.parentSpanId).toBe('');
    expect(byId.get(fastifyServer.parentSpanId)?.resource['service.name']).toBe('express-svc');
    expect(byId.get(koaServer.parentSpanId)?.resource['service.name']).toBe('fastify-svc');
    // each client span is a child of its service's server span: context flowed into the handler
    for (const client of trace.filter((s) => s.kind === CLIENT)) {
      expect(byId.get(client.parentSpanId)?.kind).toBe(SERVER);
    }
    expect(expressServer.attributes['http.route']).toBe('/v1/users/:id');
    expect(fastifyServer.attributes['http.route']).toBe('/api/orders/:orderId');
    expect(koaServer.attributes['http.route']).toBe('/v2/items/:itemId');
  });
});
