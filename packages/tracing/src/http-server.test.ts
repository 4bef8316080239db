// The HTTP server span from Node's diagnostics channel, on a real server: the sampler decides from
// the method and path alone; a sampled request gets the official instrumentation's attributes
// (query redacted), its route name and status; an unsampled new trace leaves no span and its
// children follow it; an ignored path suppresses tracing under it.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  context,
  propagation,
  SamplingDecision,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
} from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  getRPCMetadata,
  isTracingSuppressed,
  RPCType,
  W3CTraceContextPropagator,
} from '@opentelemetry/core';
import {
  InMemorySpanExporter,
  ParentBasedSampler,
  SimpleSpanProcessor,
  TracerProvider,
  type Sampler,
} from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { HttpServerInstrumentation, SpanNameTable } from './http-server.js';
import { FollowUnsampledRequest } from './unsampled.js';

/** What each request's handler saw of the active context. */
interface Seen {
  hadSpan: boolean;
  suppressed: boolean;
  childSampled: boolean;
}

// samples every new trace except those on /skip; remembers what it was shown
const decisions: Attributes[] = [];
const byPath: Sampler = {
  shouldSample: (_ctx, _traceId, name, _kind, attributes) => {
    if (name !== 'child') decisions.push({ ...attributes });
    const skip = String(attributes['url.path']).startsWith('/skip');
    return { decision: skip ? SamplingDecision.NOT_RECORD : SamplingDecision.RECORD_AND_SAMPLED };
  },
  toString: () => 'byPath',
};

describe('HTTP server spans from the diagnostics channel', () => {
  const exporter = new InMemorySpanExporter();
  const seen = new Map<string, Seen>();
  const contextManager = new AsyncLocalStorageContextManager();
  let instrumentation: HttpServerInstrumentation;
  let server: Server;
  let base: string;

  function handle(req: IncomingMessage, res: ServerResponse): void {
    const path = (req.url ?? '').split('?')[0]!;
    const active = context.active();
    const child = trace.getTracer('test').startSpan('child');
    seen.set(path, {
      hadSpan: trace.getSpan(active) !== undefined,
      suppressed: isTracingSuppressed(active),
      childSampled: child.isRecording(),
    });
    child.end();
    // what the framework instrumentations do once the router matched
    const metadata = getRPCMetadata(active);
    if (metadata?.type === RPCType.HTTP && path.startsWith('/users/'))
      metadata.route = '/users/:id';
    res.statusCode = path === '/boom' ? 500 : path === '/missing' ? 404 : 200;
    if (path === '/fails') {
      // an error on the response itself, then its close: the span ends once, as failed
      res.on('error', () => undefined);
      res.emit('error', new Error('response failed'));
    }
    res.end('ok');
  }

  beforeAll(async () => {
    context.setGlobalContextManager(contextManager.enable());
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    const provider = new TracerProvider({
      sampler: new ParentBasedSampler({ root: new FollowUnsampledRequest(byPath) }),
      spanProcessors: [new SimpleSpanProcessor({ exporter })],
    });
    trace.setGlobalTracerProvider(provider);
    instrumentation = new HttpServerInstrumentation({
      contextManager,
      ignored: (url) => url === '/health',
      // the sampler's word that new traces are closed (its cap is used up) for these paths
      closedToNewTraces: (_name, path) => path.startsWith('/closed'),
    });
    instrumentation.setTracerProvider(provider);
    instrumentation.enable();
    server = createServer(handle);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    instrumentation?.disable();
    if (server !== undefined) await new Promise((resolve) => server.close(resolve));
    trace.disable();
    propagation.disable();
    context.disable();
  });

  beforeEach(() => {
    exporter.reset();
    decisions.length = 0;
    seen.clear();
  });

  /** Server spans are ended on the response's close, which may follow the client's read. */
  async function serverSpans(count: number) {
    for (let i = 0; i < 100; i += 1) {
      const spans = exporter.getFinishedSpans().filter((s) => s.kind === SpanKind.SERVER);
      if (spans.length >= count) return spans;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    throw new Error(`fewer than ${count} server spans`);
  }

  it('decides from method and path, then records the attributes, route name and status', async () => {
    const res = await fetch(`${base}/users/42?page=2&sig=s3cr3t`, {
      headers: { 'user-agent': 'probe/1.0' },
    });
    expect(res.status).toBe(200);
    const [span] = await serverSpans(1);
    // nothing but what the rules read was computed before the decision
    expect(decisions).toEqual([{ 'http.request.method': 'GET', 'url.path': '/users/42' }]);
    expect(span!.name).toBe('GET /users/:id');
    expect(span!.attributes).toMatchObject({
      'http.request.method': 'GET',
      'url.scheme': 'http',
      'url.path': '/users/42',
      'url.query': 'page=2&sig=REDACTED',
      'server.address': '127.0.0.1',
      'network.peer.address': '127.0.0.1',
      'network.protocol.version': '1.1',
      'user_agent.original': 'probe/1.0',
      'client.address': '127.0.0.1',
      'http.response.status_code': 200,
      'http.route': '/users/:id',
    });
    expect(JSON.stringify([span!.name, span!.attributes])).not.toContain('s3cr3t');
    expect(span!.status.code).toBe(SpanStatusCode.UNSET);
    expect(seen.get('/users/42')).toEqual({ hadSpan: true, suppressed: false, childSampled: true });
    const child = exporter.getFinishedSpans().find((s) => s.name === 'child')!;
    expect(child.parentSpanContext?.spanId).toBe(span!.spanContext().spanId);
  });

  it('marks a 5xx as an error and a 4xx not, and keeps the method name without a route', async () => {
    await fetch(`${base}/boom`);
    await fetch(`${base}/missing`);
    const spans = await serverSpans(2);
    const boom = spans.find((s) => s.attributes['url.path'] === '/boom')!;
    const missing = spans.find((s) => s.attributes['url.path'] === '/missing')!;
    expect(boom.name).toBe('GET');
    expect(boom.status.code).toBe(SpanStatusCode.ERROR);
    expect(missing.status.code).toBe(SpanStatusCode.UNSET);
    expect(missing.attributes['http.response.status_code']).toBe(404);
  });

  it('ends the span once, as failed, when the response errors before it closes', async () => {
    const ends: string[] = [];
    const { diag } = await import('@opentelemetry/api');
    diag.setLogger(
      {
        error: () => undefined,
        warn: (message: string) => ends.push(message),
        info: () => undefined,
        debug: () => undefined,
        verbose: () => undefined,
      },
      { logLevel: 50, suppressOverrideMessage: true },
    );
    try {
      await fetch(`${base}/fails`);
      await fetch(`${base}/users/7`);
      const spans = await serverSpans(2);
      const failed = spans.filter((s) => s.attributes['url.path'] === '/fails');
      expect(failed).toHaveLength(1);
      expect(failed[0]!.status).toEqual({ code: SpanStatusCode.ERROR, message: 'response failed' });
      expect(failed[0]!.attributes['error.type']).toBe('Error');
      expect(failed[0]!.events.map((e) => e.name)).toEqual(['exception']);
      // the close after the error did not end it a second time
      expect(ends.filter((m) => /ended Span/i.test(m))).toEqual([]);
    } finally {
      diag.disable();
    }
  });

  it('names spans by method and route past the routes it keeps', () => {
    const names = new SpanNameTable();
    for (let round = 0; round < 2; round += 1) {
      for (let i = 0; i < 3000; i += 1) {
        expect(names.of(i % 2 === 0 ? 'GET' : 'POST', `/r/${i}`)).toBe(
          `${i % 2 === 0 ? 'GET' : 'POST'} /r/${i}`,
        );
      }
    }
  });

  it("joins a caller's trace from its traceparent header", async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    await fetch(`${base}/users/1`, {
      headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-01` },
    });
    const [span] = await serverSpans(1);
    expect(span!.spanContext().traceId).toBe(traceId);
    expect(span!.parentSpanContext?.spanId).toBe('00f067aa0ba902b7');
  });

  it('an unsampled new trace leaves no span, and spans under it are not sampled', async () => {
    expect((await fetch(`${base}/skip/me`)).status).toBe(200);
    expect(seen.get('/skip/me')).toEqual({
      hadSpan: false,
      suppressed: false,
      childSampled: false,
    });
    expect(exporter.getFinishedSpans()).toEqual([]);
  });

  it('a new trace the sampler says is closed is not asked for: no span, spans under it not sampled', async () => {
    expect((await fetch(`${base}/closed/1?q=2`)).status).toBe(200);
    expect(seen.get('/closed/1')).toEqual({
      hadSpan: false,
      suppressed: false,
      childSampled: false,
    });
    expect(decisions).toEqual([]);
    expect(exporter.getFinishedSpans()).toEqual([]);
    // a caller's trace is joined as before: the word is about new traces only
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    expect((await fetch(`${base}/closed/2`, { headers: { traceparent } })).status).toBe(200);
    expect(seen.get('/closed/2')).toMatchObject({ hadSpan: true, childSampled: true });
  });

  it('an ignored path gets no span and suppresses tracing under it', async () => {
    expect((await fetch(`${base}/health`)).status).toBe(200);
    expect(decisions).toEqual([]);
    expect(seen.get('/health')).toEqual({ hadSpan: false, suppressed: true, childSampled: false });
    expect(exporter.getFinishedSpans()).toEqual([]);
  });
});
