// One trace across three processes: Express (ESM, --import) -> Fastify (ESM, --import) -> Koa
// (CJS, --require), each exporting OTLP/protobuf to a loopback receiver that decodes the wire format.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from './otlp-receiver.js';
import { startChain, type Service } from './services.js';

const SERVER = 2;
const CLIENT = 3;

describe('one trace across express -> fastify -> koa', () => {
  let receiver: OtlpReceiver;
  let services: Service[] = [];

  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    services = await startChain(
      ['express-service.mjs', 'fastify-service.mjs', 'koa-service.cjs'],
      ['express-svc', 'fastify-svc', 'koa-svc'],
      {
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: receiver.url,
        OTEL_RESOURCE_ATTRIBUTES: 'service.version=1.2.3,deployment.environment.name=test',
      },
    );
  });

  afterAll(async () => {
    for (const service of services) await service.proc.stop();
    await receiver?.close();
  });

  it('links every hop into one trace with route-named server spans', async () => {
    const front = services[0]!;
    const res = await fetch(`${front.url}/users/42`, {
      headers: { authorization: 'Bearer abc.def', cookie: 'sid=xyz' },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      user: '42',
      downstream: { order: '42', downstream: { item: '42', owner: 'jane.doe@example.com' } },
    });

    const isServer = (service: string, name: string) => (s: ReceivedSpan) =>
      s.kind === SERVER && s.resource['service.name'] === service && s.name === name;
    const spans = await receiver.waitFor(
      (all) =>
        all.some(isServer('express-svc', 'GET /users/:id')) &&
        all.some(isServer('fastify-svc', 'GET /orders/:orderId')) &&
        all.some(isServer('koa-svc', 'GET /items/:itemId')),
    );
    const expressServer = spans.find(isServer('express-svc', 'GET /users/:id'))!;
    const fastifyServer = spans.find(isServer('fastify-svc', 'GET /orders/:orderId'))!;
    const koaServer = spans.find(isServer('koa-svc', 'GET /items/:itemId'))!;

    // one trace id, and the front server span is its root
    const traceId = expressServer.traceId;
    expect(fastifyServer.traceId).toBe(traceId);
    expect(koaServer.traceId).toBe(traceId);
    expect(expressServer.parentSpanId).toBe('');

    // each server span's parent is the fetch (undici) client span of the service before it
    const byId = new Map(spans.map((s) => [s.spanId, s]));
    const fastifyParent = byId.get(fastifyServer.parentSpanId)!;
    expect(fastifyParent).toMatchObject({ kind: CLIENT, traceId });
    expect(fastifyParent.resource['service.name']).toBe('express-svc');
    const koaParent = byId.get(koaServer.parentSpanId)!;
    expect(koaParent).toMatchObject({ kind: CLIENT, traceId });
    expect(koaParent.resource['service.name']).toBe('fastify-svc');

    // semantic-convention route attribute and resource attributes, as they crossed the wire
    expect(expressServer.attributes['http.route']).toBe('/users/:id');
    expect(fastifyServer.attributes['http.route']).toBe('/orders/:orderId');
    expect(koaServer.attributes['http.route']).toBe('/items/:itemId');
    expect(expressServer.resource).toMatchObject({
      'service.name': 'express-svc',
      'service.version': '1.2.3',
      'deployment.environment.name': 'test',
      'telemetry.sdk.language': 'nodejs',
    });

    // redaction on the wire: the token in the outgoing query string never left the process
    const wire = JSON.stringify(spans.filter((s) => s.traceId === traceId));
    expect(wire).not.toContain('s3cr3t');
    expect(fastifyParent.attributes['url.full']).toMatch(/token=\[REDACTED\]/);
  });
});
