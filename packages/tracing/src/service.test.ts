import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import { context, SpanStatusCode, trace } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { freePort } from '@ai-orchestrator/testkit';
import { activeTracing, TracingService } from './index.js';
import { NO_INSTRUMENTATIONS } from '../test/no-instrumentations.js';

// Keeps its spans across shutdown (InMemorySpanExporter forgets them there).
class KeepingExporter extends InMemorySpanExporter {
  override shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

const OFF = NO_INSTRUMENTATIONS;

function start(exporter = new InMemorySpanExporter(), extra: object = {}): TracingService {
  return new TracingService({
    serviceName: 'unit',
    serviceVersion: '1.0.0',
    exporter,
    instrumentations: OFF,
    scheduledDelayMs: 0,
    ...extra,
  }).initialize();
}

let current: TracingService | undefined;
afterEach(async () => {
  await current?.shutdown();
  current = undefined;
  vi.unstubAllEnvs();
});

describe('TracingService (in-memory exporter)', () => {
  it('traceFunction returns the value of a sync function and ends its span', async () => {
    const exporter = new InMemorySpanExporter();
    current = start(exporter);
    const value = current.traceFunction('sync-op', (span) => {
      span.setAttribute('answer', 42);
      return 'done';
    });
    expect(value).toBe('done');
    await current.forceFlush();
    const [span] = exporter.getFinishedSpans();
    expect(span?.name).toBe('sync-op');
    expect(span?.attributes.answer).toBe(42);
    expect(span?.status.code).toBe(SpanStatusCode.UNSET);
    expect(span?.resource.attributes['service.name']).toBe('unit');
    expect(span?.resource.attributes['service.version']).toBe('1.0.0');
  });

  it('traceFunction awaits an async function and returns its value', async () => {
    const exporter = new InMemorySpanExporter();
    current = start(exporter);
    const value = await current.traceFunction('async-op', async () => {
      await new Promise((resolve) => setImmediate(resolve));
      return { ok: true };
    });
    expect(value).toEqual({ ok: true });
    await current.forceFlush();
    const span = exporter.getFinishedSpans()[0]!;
    expect(span.name).toBe('async-op');
    expect(span.ended).toBe(true);
  });

  it('records a thrown error, sets error status and rethrows (sync and async)', async () => {
    const exporter = new InMemorySpanExporter();
    current = start(exporter);
    expect(() =>
      current!.traceFunction('sync-fail', () => {
        throw new Error('boom');
      }),
    ).toThrow('boom');
    await expect(
      current.traceFunction('async-fail', async () => {
        throw new TypeError('bad input');
      }),
    ).rejects.toThrow(TypeError);
    await current.forceFlush();
    const spans = exporter.getFinishedSpans();
    for (const [name, type, message] of [
      ['sync-fail', 'Error', 'boom'],
      ['async-fail', 'TypeError', 'bad input'],
    ] as const) {
      const span = spans.find((s) => s.name === name)!;
      expect(span.status).toEqual({ code: SpanStatusCode.ERROR, message });
      expect(span.events[0]?.name).toBe('exception');
      expect(span.events[0]?.attributes?.['exception.type']).toBe(type);
      expect(span.events[0]?.attributes?.['exception.message']).toBe(message);
    }
  });

  it('createSpan returns a started span that nests under the active context', async () => {
    const exporter = new InMemorySpanExporter();
    current = start(exporter);
    let inner: ReturnType<TracingService['createSpan']> | undefined;
    await current.traceFunction('parent', async () => {
      inner = current!.createSpan('custom-operation', { attributes: { step: 1 } });
      inner.setAttributes({ 'workflow.name': 'summarize' });
      expect(inner.isRecording()).toBe(true);
      inner.end();
      await current!.traceFunction('child', () => Promise.resolve());
    });
    await current.forceFlush();
    const spans = exporter.getFinishedSpans();
    const parent = spans.find((s) => s.name === 'parent')!;
    const custom = spans.find((s) => s.name === 'custom-operation')!;
    const child = spans.find((s) => s.name === 'child')!;
    expect(custom.attributes).toEqual({ step: 1, 'workflow.name': 'summarize' });
    for (const span of [custom, child]) {
      expect(span.spanContext().traceId).toBe(parent.spanContext().traceId);
      expect(span.parentSpanContext?.spanId).toBe(parent.spanContext().spanId);
    }
    expect(parent.parentSpanContext).toBeUndefined();
  });

  it('createSpan outside any span starts a new trace; the active span is set inside traceFunction', async () => {
    current = start();
    const root = current.createSpan('root');
    expect(root.spanContext().traceId).toMatch(/^[0-9a-f]{32}$/);
    root.end();
    current.traceFunction('active', (span) => {
      expect(trace.getSpan(context.active())).toBe(span);
    });
    expect(trace.getSpan(context.active())).toBeUndefined();
  });

  it('works before initialize() and with OTEL_SDK_DISABLED=true: functions run, nothing is exported', async () => {
    const exporter = new InMemorySpanExporter();
    const idle = new TracingService({ serviceName: 'idle', exporter, instrumentations: OFF });
    expect(idle.traceFunction('before-init', () => 7)).toBe(7);
    vi.stubEnv('OTEL_SDK_DISABLED', 'true');
    idle.initialize();
    expect(idle.running).toBe(false);
    expect(await idle.traceFunction('disabled', async () => 8)).toBe(8);
    await idle.forceFlush();
    expect(exporter.getFinishedSpans()).toEqual([]);
    await idle.shutdown();
  });

  it('initialize() twice is a no-op; a second service warns once and stays idle', async () => {
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    current = start();
    expect(current.initialize()).toBe(current);
    expect(activeTracing()).toBe(current);
    const second = start();
    expect(second.running).toBe(false);
    expect(warn).toHaveBeenCalledWith(
      expect.stringContaining('already running'),
      expect.objectContaining({ code: 'AIO_TRACING_TWICE' }),
    );
    warn.mockRestore();
  });

  it('shutdown() flushes pending spans and releases the globals for a new service', async () => {
    const exporter = new KeepingExporter();
    current = start(exporter, { scheduledDelayMs: 60_000 });
    current.traceFunction('pending', () => undefined);
    await current.shutdown();
    expect(exporter.getFinishedSpans().map((s) => s.name)).toEqual(['pending']);
    expect(activeTracing()).toBeUndefined();
    const next = new InMemorySpanExporter();
    current = start(next);
    current.traceFunction('again', () => undefined);
    await current.forceFlush();
    expect(next.getFinishedSpans().map((s) => s.name)).toEqual(['again']);
  });

  it('shutdown() resolves within shutdownTimeoutMs when the exporter never answers', async () => {
    let calls = 0;
    const stuck = {
      export: () => {
        calls += 1; // never calls back
      },
      shutdown: () => new Promise<void>(() => undefined),
    };
    current = start(new InMemorySpanExporter(), {
      exporter: stuck,
      shutdownTimeoutMs: 200,
      exportTimeoutMs: 100_000,
    });
    current.traceFunction('lost', () => undefined);
    await current.shutdown();
    expect(calls).toBe(1);
    expect(current.droppedSpans()).toEqual({ queue_full: 0, export_failed: 0, shutdown: 1 });
    expect(current.running).toBe(false);
  });

  it.each([
    ['refuses connections', async () => `http://127.0.0.1:${await freePort()}/v1/traces`],
    ['does not resolve', async () => 'http://collector.invalid:4318/v1/traces'],
  ])(
    'shutdown() stops waiting for a collector that %s, and says why',
    async (_, endpoint) => {
      const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
      // without the check, the exporter's retries of the refused connection would hold
      // shutdown() for its whole 20 s budget
      current = new TracingService({
        serviceName: 'unreachable',
        endpoint: await endpoint(),
        instrumentations: OFF,
        scheduledDelayMs: 0,
        exportTimeoutMs: 20_000,
        shutdownTimeoutMs: 20_000,
      }).initialize();
      current.traceFunction('pending', () => undefined);
      const started = performance.now();
      await current.shutdown();
      expect(performance.now() - started).toBeLessThan(10_000);
      expect(current.droppedSpans().shutdown).toBe(1);
      expect(String(warn.mock.calls.map((call) => call[0]))).toMatch(
        /collector takes no connection: .*(ECONNREFUSED|ENOTFOUND|EAI_AGAIN)/,
      );
      warn.mockRestore();
    },
    30_000,
  );
});

describe('the exporter after shutdown()', () => {
  /** A real collector on a free port, `handle` serving each export; closed after `run`. */
  async function withCollector(
    handle: RequestListener,
    run: (endpoint: string) => Promise<void>,
  ): Promise<void> {
    const collector = createServer(handle);
    await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
    const { port } = collector.address() as AddressInfo;
    try {
      await run(`http://127.0.0.1:${port}/v1/traces`);
    } finally {
      collector.closeAllConnections();
      await new Promise((resolve) => collector.close(resolve));
    }
  }

  /** One span sent to `endpoint`; once its export has `arrived`, shutdown() with 300 ms to wait. */
  async function shutDownWithOnePending(endpoint: string, arrived: () => number): Promise<void> {
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    current = new TracingService({
      serviceName: 'after-shutdown',
      endpoint,
      instrumentations: OFF,
      scheduledDelayMs: 0,
      // OpenTelemetry's transport alone would retry, or hold the request, for 20 s
      exportTimeoutMs: 20_000,
      shutdownTimeoutMs: 300,
    }).initialize();
    current.traceFunction('pending', () => undefined);
    await vi.waitFor(() => expect(arrived()).toBe(1), { timeout: 5000 });
    await current.shutdown();
    expect(current.droppedSpans().shutdown).toBe(1);
    warn.mockRestore();
  }

  it('sends no retry once shutdown() gave up on a collector that answers 503', async () => {
    let requests = 0;
    const tryAgain: RequestListener = (req, res) => {
      requests += 1;
      req.resume();
      req.on('end', () => res.writeHead(503).end());
    };
    await withCollector(tryAgain, async (endpoint) => {
      await shutDownWithOnePending(endpoint, () => requests);
      const atShutdown = requests;
      // past the first two retries' times (1 s and 2.5 s after the first attempt)
      await new Promise((resolve) => setTimeout(resolve, 3000));
      expect(requests).toBe(atShutdown);
    });
  }, 15_000);

  it('cuts the request of a collector that never answers, once shutdown() stopped waiting', async () => {
    let requests = 0;
    let closed = 0;
    const hang: RequestListener = (req) => {
      requests += 1;
      req.resume();
      req.socket.on('close', () => (closed += 1));
    };
    await withCollector(hang, async (endpoint) => {
      await shutDownWithOnePending(endpoint, () => requests);
      await vi.waitFor(() => expect(closed).toBe(1), { timeout: 3000 });
    });
  }, 15_000);
});

describe('option validation', () => {
  it.each([
    [
      { serviceName: ' ' },
      /^TracingService: serviceName must be a string with at least one non-whitespace character, got " "$/,
    ],
    [
      { serviceName: 'x', endpoint: 'localhost:4318' },
      /endpoint must be an http:\/\/ or https:\/\/ URL without spaces or control characters, got "localhost:4318"/,
    ],
    [
      { serviceName: 'x', sampler: { ratio: 2 } },
      /sampler\.ratio must be a number from 0 to 1, got 2/,
    ],
    [
      { serviceName: 'x', sampler: { alwaysSample: [5] } },
      /sampler\.alwaysSample\[0\] must be a non-empty string or a RegExp, got 5/,
    ],
    [
      { serviceName: 'x', sampler: { maxTracesPerSecond: 0 } },
      /sampler\.maxTracesPerSecond must be a finite number > 0, got 0/,
    ],
    [
      { serviceName: 'x', sampler: { jaegerRemote: {} } },
      /sampler\.jaegerRemote\.endpoint must be/,
    ],
    [{ serviceName: 'x', maxQueueSize: 0 }, /maxQueueSize must be an integer >= 1, got 0/],
    [{ serviceName: 'x', redact: 'yes' }, /redact must be a boolean or an object, got "yes"/],
    [
      { serviceName: 'x', redact: { patterns: ['x'] } },
      /redact\.patterns\[0\] must be a RegExp, got "x"/,
    ],
    [
      { serviceName: 'x', instrumentations: { mongo: true } },
      /instrumentations\.mongo must be a key among http, express/,
    ],
    [{ serviceName: 'x', headers: { a: 1 } }, /headers\.a must be a string, got 1/],
    [{ serviceName: 'x', registry: {} }, /registry must be a prom-client Registry, got an object/],
    [{ serviceName: 'x', profile: 'slim' }, /profile must be 'full' or 'lean', got "slim"/],
  ])('rejects %j', (options, message) => {
    expect(() => new TracingService(options as never)).toThrow(TypeError);
    expect(() => new TracingService(options as never)).toThrow(message);
  });

  it('takes the service name from OTEL_SERVICE_NAME', () => {
    vi.stubEnv('OTEL_SERVICE_NAME', 'from-env');
    expect(new TracingService().serviceName).toBe('from-env');
  });

  it('rejects a bad traceFunction call', () => {
    const idle = new TracingService({ serviceName: 'x' });
    expect(() => idle.traceFunction('', () => 1)).toThrow(
      /traceFunction name must be a non-empty string/,
    );
    expect(() => idle.traceFunction('x', 5 as never)).toThrow(
      /traceFunction fn must be a function, got 5/,
    );
  });
});
