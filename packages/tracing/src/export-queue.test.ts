import type { Attributes } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import {
  InMemorySpanExporter,
  type ReadableSpan,
  type SpanExporter,
} from '@opentelemetry/sdk-trace';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ExportQueue, MAX_BATCH_BYTES } from './export-queue.js';
import { TracingService } from './index.js';
import { TraceEncoder } from './otlp-encode.js';
import { NO_INSTRUMENTATIONS } from '../test/no-instrumentations.js';

const OFF = NO_INSTRUMENTATIONS;

/** An exporter whose answers the test releases by hand, like a collector that hangs or fails. */
class GatedExporter implements SpanExporter {
  readonly batches: ReadableSpan[][] = [];
  private callbacks: ((result: ExportResult) => void)[] = [];
  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    this.batches.push(spans);
    this.callbacks.push(done);
  }
  answer(code: ExportResultCode): void {
    const callbacks = this.callbacks;
    this.callbacks = [];
    for (const done of callbacks) done({ code });
  }
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

let service: TracingService | undefined;
afterEach(async () => {
  await service?.shutdown();
  service = undefined;
});

function spans(s: TracingService, count: number): void {
  for (let i = 0; i < count; i += 1) s.traceFunction(`op-${i}`, () => undefined);
}

/** What the export queue reads of a sampled span. */
function fakeSpan(attributes: Attributes): ReadableSpan {
  const spanContext = () => ({ traceFlags: 1 });
  return {
    spanContext,
    resource: {},
    name: 's',
    attributes,
    events: [],
    links: [],
  } as unknown as ReadableSpan;
}

describe('bounded export queue', () => {
  // 512 spans of 12 attributes of 15.6 KB made one 92 MB request, encoded in one 556 ms block
  it('ends a batch at MAX_BATCH_BYTES: no export request is much over 4 MiB', async () => {
    const bodies: number[] = [];
    const counts: number[] = [];
    const encoder = new TraceEncoder();
    const exporter: SpanExporter = {
      export: (batch, done) => {
        counts.push(batch.length);
        bodies.push(encoder.encode(batch).length);
        done({ code: ExportResultCode.SUCCESS });
      },
      shutdown: () => Promise.resolve(),
    };
    service = new TracingService({
      serviceName: 'big-spans',
      exporter,
      redact: false,
      instrumentations: OFF,
      sampler: { ratio: 1 },
      scheduledDelayMs: 60_000,
    }).initialize();
    const big = 'lorem ipsum '.repeat(1300);
    for (let i = 0; i < 64; i += 1) {
      const span = service.createSpan('big');
      for (let k = 0; k < 12; k += 1) span.setAttribute(`app.blob${k}`, `${big}${i}`);
      span.end();
    }
    for (let i = 0; i < 100; i += 1) service.createSpan('small').end();
    await service.forceFlush(); // one flush takes every span queued, however many batches
    expect(counts.reduce((a, b) => a + b, 0)).toBe(164);
    expect(Math.max(...bodies)).toBeLessThanOrEqual(MAX_BATCH_BYTES);
    expect(counts.length).toBeGreaterThanOrEqual(3);
  });

  it('keeps batches of small spans at maxExportBatchSize', async () => {
    const counts: number[] = [];
    const exporter: SpanExporter = {
      export: (batch, done) => {
        counts.push(batch.length);
        done({ code: ExportResultCode.SUCCESS });
      },
      shutdown: () => Promise.resolve(),
    };
    const options = {
      maxQueueSize: 2048,
      maxExportBatchSize: 512,
      scheduledDelayMs: 60_000,
      exportTimeoutMs: 1000,
      shutdownTimeoutMs: 1000,
    };
    const queue = new ExportQueue(exporter, options, { drop: () => undefined });
    const span = fakeSpan({ 'http.route': '/users/:id', 'http.response.status_code': 200 });
    for (let i = 0; i < 1100; i += 1) queue.onEnd(span);
    await queue.forceFlush();
    expect(counts).toEqual([512, 512, 76]);
    await queue.shutdown();
  });

  it('never exports an empty batch, whatever maxExportBatchSize it is given', async () => {
    const sizes: number[] = [];
    const exporter: SpanExporter = {
      export: (batch, done) => {
        sizes.push(batch.length);
        // an empty batch is followed by another at once: stop answering, so the test fails, not hangs
        if (sizes.length <= 100) done({ code: ExportResultCode.SUCCESS });
      },
      shutdown: () => Promise.resolve(),
    };
    const options = {
      maxQueueSize: 10,
      maxExportBatchSize: 0,
      scheduledDelayMs: 0,
      exportTimeoutMs: 1000,
      shutdownTimeoutMs: 1000,
    };
    const queue = new ExportQueue(exporter, options, { drop: () => undefined });
    const span = fakeSpan({});
    for (let i = 0; i < 3; i += 1) queue.onEnd(span);
    await vi.waitFor(() => expect(queue.size).toBe(0));
    await queue.shutdown();
    expect(sizes).toEqual([1, 1, 1]);
  });

  it('drops spans past maxQueueSize and counts them in tracing_spans_dropped_total', async () => {
    const registry = new Registry();
    const exporter = new GatedExporter();
    service = new TracingService({
      serviceName: 'queue-test',
      exporter,
      registry,
      instrumentations: OFF,
      sampler: { ratio: 1 }, // every new trace, past the default cap
      maxQueueSize: 10,
      maxExportBatchSize: 5,
      scheduledDelayMs: 0,
    }).initialize();
    await service.forceFlush().catch(() => undefined); // nothing queued yet; waits for the counter
    spans(service, 30); // 5 go into the first export (stuck), 10 wait, 15 are dropped
    // (the export starts once the detected resource attributes have settled)
    await vi.waitFor(() => expect(exporter.batches).toHaveLength(1));
    expect(service.droppedSpans().queue_full).toBe(15);
    const text = await registry.metrics();
    expect(text).toContain(
      'tracing_spans_dropped_total{service="queue-test",reason="queue_full"} 15',
    );
    expect(text).toContain(
      'tracing_spans_dropped_total{service="queue-test",reason="export_failed"} 0',
    );

    exporter.answer(ExportResultCode.FAILED); // the stuck batch fails: 5 more lost
    await vi.waitFor(() => expect(exporter.batches.length).toBeGreaterThan(1));
    expect(service.droppedSpans().export_failed).toBe(5);
    expect(await registry.metrics()).toContain(
      'tracing_spans_dropped_total{service="queue-test",reason="export_failed"} 5',
    );
    exporter.answer(ExportResultCode.SUCCESS);
    await vi.waitFor(() => expect(exporter.batches).toHaveLength(3));
    exporter.answer(ExportResultCode.SUCCESS);
    expect(exporter.batches.flat().map((s) => s.name)).toEqual(
      Array.from({ length: 15 }, (_, i) => `op-${i}`),
    );
  });

  it('without a registry, logs one line for the first drop and none after', async () => {
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    const exporter = new GatedExporter();
    service = new TracingService({
      serviceName: 'quiet',
      exporter,
      instrumentations: OFF,
      sampler: { ratio: 1 },
      maxQueueSize: 1,
      maxExportBatchSize: 1,
      scheduledDelayMs: 0,
      shutdownTimeoutMs: 100,
    }).initialize();
    spans(service, 50);
    const lines = warn.mock.calls.filter(([message]) => String(message).includes('dropping spans'));
    expect(lines).toHaveLength(1);
    expect(service.droppedSpans().queue_full).toBe(48);
    warn.mockRestore();
  });

  it('logs each kind of export failure once, with its real cause (not "collector down")', async () => {
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    const causes = [
      Object.assign(new Error('Payload Too Large'), { code: 413 }),
      Object.assign(new Error('Payload Too Large'), { code: 413 }),
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:4318'), { code: 'ECONNREFUSED' }),
      Object.assign(new TypeError('Invalid character in header content ["authorization"]'), {
        code: 'ERR_INVALID_CHAR',
      }),
    ];
    let call = 0;
    const exporter: SpanExporter = {
      export: (_spans, done) =>
        done({ code: ExportResultCode.FAILED, error: causes[call++] as Error }),
      shutdown: () => Promise.resolve(),
    };
    service = new TracingService({
      serviceName: 'causes',
      exporter,
      registry: new Registry(),
      instrumentations: OFF,
      maxExportBatchSize: 1,
      scheduledDelayMs: 0,
    }).initialize();
    for (let i = 0; i < causes.length; i++) {
      service.traceFunction(`op-${i}`, () => undefined);
      await service.forceFlush();
    }
    const lines = warn.mock.calls
      .map(([message]) => String(message))
      .filter((message) => message.includes('dropping spans of causes (export_failed)'));
    expect(lines).toEqual([
      expect.stringContaining(
        'the collector answered HTTP 413 Payload Too Large; counted in tracing_spans_dropped_total{reason="export_failed"}',
      ),
      expect.stringContaining(
        'connect ECONNREFUSED 127.0.0.1:4318 (nothing listens at the OTLP endpoint)',
      ),
      expect.stringContaining(
        'Invalid character in header content ["authorization"] (a header value is invalid)',
      ),
    ]);
    expect(service.droppedSpans().export_failed).toBe(4);
    warn.mockRestore();
  });

  it('a throwing exporter counts its batch as failed and never breaks the traced code', async () => {
    const exporter: SpanExporter = {
      export: () => {
        throw new Error('exporter bug');
      },
      shutdown: () => Promise.resolve(),
    };
    service = new TracingService({
      serviceName: 'throwing',
      exporter,
      instrumentations: OFF,
      scheduledDelayMs: 0,
    }).initialize();
    expect(service.traceFunction('still-works', () => 1)).toBe(1);
    await service.forceFlush();
    expect(service.droppedSpans().export_failed).toBe(1);
  });

  it('exports unsampled spans never', async () => {
    const exporter = new InMemorySpanExporter();
    service = new TracingService({
      serviceName: 'unsampled',
      exporter,
      instrumentations: OFF,
      sampler: { ratio: 0 },
      scheduledDelayMs: 0,
    }).initialize();
    spans(service, 5);
    await service.forceFlush();
    expect(exporter.getFinishedSpans()).toEqual([]);
    expect(service.droppedSpans().queue_full).toBe(0);
  });
});
