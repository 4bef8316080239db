// The encoder against the official serializer: the same bytes for every shape a span can take,
// on the first batch and on later ones where remembered encodings are reused or replaced.
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  SpanStatusCode,
  TraceFlags,
  type Attributes,
  type AttributeValue,
  type SpanKind,
} from '@opentelemetry/api';
import { TraceState } from '@opentelemetry/core';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { TracerProvider, type ReadableSpan, type SpanProcessor } from '@opentelemetry/sdk-trace';
import { describe, expect, it } from 'vitest';
import { TraceEncoder } from './otlp-encode.js';
import { RETAINED_BYTES, Writer } from './otlp-writer.js';
import { decodeTraces } from '../test/otlp-receiver.js';
import { otlpTraceExport } from './otlp-exporter.js';

function collector(): { processor: SpanProcessor; spans: ReadableSpan[] } {
  const spans: ReadableSpan[] = [];
  const processor: SpanProcessor = {
    onStart: () => undefined,
    onEnd: (span) => void spans.push(span),
    forceFlush: () => Promise.resolve(),
    shutdown: () => Promise.resolve(),
  };
  return { processor, spans };
}

const VALUES: AttributeValue[] = [
  '',
  'GET',
  'ünïcødé ✓ 😀',
  'lone \ud800 surrogate',
  'x'.repeat(300), // longer than what is remembered
  0,
  -1,
  -(2 ** 40),
  127,
  128,
  2 ** 32,
  2 ** 53 + 2,
  2 ** 63, // past int64: a double
  1.5,
  -0.25,
  Number.NaN,
  true,
  false,
  ['a', 'ß'],
  [1, 2.5, -3],
  [true, false],
  [],
];

/** Spans of every shape: kinds, parents (local, remote), trace state, events, links, status. */
function corpus(): ReadableSpan[] {
  const { processor, spans } = collector();
  const resources = [
    resourceFromAttributes({ 'service.name': 'a', 'host.name': 'h-1', pid: 7 }),
    resourceFromAttributes({ 'service.name': 'b', 'deployment.environment.name': 'tést' }),
  ];
  resources.forEach((resource, r) => {
    const provider = new TracerProvider({ resource, spanProcessors: [processor] });
    for (const [scope, version] of [
      ['http', '0.223.0'],
      ['express', undefined],
    ] as const) {
      const tracer = provider.getTracer(scope, version, {
        schemaUrl: r === 0 ? 'https://x/1' : '',
      });
      VALUES.forEach((value, i) => {
        const attributes: Attributes = {
          'the.value': value,
          [`key.${i}`]: i,
          'http.route': '/u/:id',
          'takes.turns': ['a', 'b', 'c'][i % 3] as string, // hits on older remembered values
        };
        const parent = tracer.startSpan('parent');
        const remote = {
          traceId: '0af7651916cd43dd8448eb211c80319c',
          spanId: 'b7ad6b7169203331',
          traceFlags: TraceFlags.SAMPLED,
          isRemote: true,
          traceState: new TraceState('vendor=x,other=y'),
        };
        const span = tracer.startSpan(`GET /u/${i % 3}`, {
          kind: (i % 5) as SpanKind,
          attributes,
          links: i % 2 === 0 ? [{ context: remote, attributes: { 'link.n': i } }] : [],
        });
        span.addEvent(`event ${i}`, { 'event.value': value });
        if (i % 3 === 0) span.setStatus({ code: SpanStatusCode.ERROR, message: `boom ${value}` });
        if (i % 4 === 1) span.setStatus({ code: SpanStatusCode.OK });
        span.end();
        parent.end();
      });
    }
  });
  return spans;
}

describe('OTLP trace encoder', () => {
  it('writes the bytes the official serializer writes, batch after batch', () => {
    const spans = corpus();
    expect(spans.length).toBeGreaterThan(100);
    const encoder = new TraceEncoder();
    const expected = ProtobufTraceSerializer.serializeRequest(spans);
    expect(Buffer.from(encoder.encode(spans))).toEqual(Buffer.from(expected as Uint8Array));
    // again, now from remembered encodings, and in other orders (values change per key)
    expect(Buffer.from(encoder.encode(spans))).toEqual(Buffer.from(expected as Uint8Array));
    const reversed = [...spans].reverse();
    expect(Buffer.from(encoder.encode(reversed))).toEqual(
      Buffer.from(ProtobufTraceSerializer.serializeRequest(reversed) as Uint8Array),
    );
    for (let i = 0; i < spans.length; i += 7) {
      const batch = spans.slice(i, i + 7);
      expect(Buffer.from(encoder.encode(batch))).toEqual(
        Buffer.from(ProtobufTraceSerializer.serializeRequest(batch) as Uint8Array),
      );
    }
  });

  it('lets go of a buffer one large request grew, and keeps a small one', () => {
    const w = new Writer(1024);
    w.raw(new Uint8Array(100_000));
    const kept = w.buf;
    w.reset();
    expect(w.buf).toBe(kept);
    w.raw(new Uint8Array(RETAINED_BYTES + 1));
    expect(w.result()).toHaveLength(RETAINED_BYTES + 1);
    w.reset();
    expect(w.buf.length).toBe(1024);
    w.raw(Uint8Array.of(1, 2, 3));
    expect([...w.result()]).toEqual([1, 2, 3]);
  });

  it('writes an empty request for no spans', () => {
    expect(new TraceEncoder().encode([])).toHaveLength(0);
  });

  it('is what the OTLP exporter sends, with the configured headers', async () => {
    const seen: { headers: IncomingHttpHeaders; body: Buffer }[] = [];
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        seen.push({ headers: req.headers, body: Buffer.concat(chunks) });
        res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/traces`;
    try {
      const { exporter } = otlpTraceExport({ url, headers: { 'x-team': 'core' } });
      const { processor, spans } = collector();
      const tracer = new TracerProvider({ spanProcessors: [processor] }).getTracer('t');
      tracer.startSpan('GET /users/:id', { attributes: { 'http.route': '/users/:id' } }).end();
      const code = await new Promise<number>((resolve) =>
        exporter.export(spans, (result) => resolve(result.code)),
      );
      expect(code).toBe(0);
      expect(seen).toHaveLength(1);
      expect(seen[0]?.headers).toMatchObject({
        'x-team': 'core',
        'content-type': 'application/x-protobuf',
      });
      expect(decodeTraces(seen[0]!.body)).toMatchObject([
        { name: 'GET /users/:id', attributes: { 'http.route': '/users/:id' } },
      ]);
      await exporter.shutdown();
    } finally {
      server.close();
    }
  });
});
