// A bounded batching span processor: one export in flight, a queue of at most maxQueueSize spans,
// every span that cannot be queued or exported counted as dropped. onEnd never waits on the network.
import { context, TraceFlags, type Attributes } from '@opentelemetry/api';
import { ExportResultCode, suppressTracing } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace';
import type { DropReason } from './types.js';
import { MAX_TIMER_MS } from './validate.js';

export interface ExportQueueOptions {
  readonly maxQueueSize: number;
  readonly maxExportBatchSize: number;
  readonly scheduledDelayMs: number;
  readonly exportTimeoutMs: number;
  readonly shutdownTimeoutMs: number;
}

export interface DropSink {
  /** `cause`: why an export failed (the exporter's error), for the log line. */
  drop(reason: DropReason, count: number, cause?: unknown): void;
}

/**
 * Asks whether the collector takes connections: undefined when it does (or when that cannot be
 * told in time), else the connection error. Never rejects.
 */
export type ReachCheck = () => Promise<unknown>;

/** What the guard reports when an exporter never calls back. */
export const NO_ANSWER = 'no answer within exportTimeoutMs';

/**
 * A batch ends before the span that would take it past this many bytes, as counted by
 * {@link approxBytes}: one export request (about 4 MiB of OTLP) is encoded in tens of ms, not a
 * 90 MB body blocking the event loop for half a second. A larger span goes alone.
 */
export const MAX_BATCH_BYTES = 4 * 1024 * 1024;

function attributeBytes(attributes: Attributes | undefined): number {
  let n = 0;
  if (attributes === undefined) return n;
  for (const key in attributes) {
    const value = attributes[key];
    n += key.length + 12;
    if (typeof value === 'string') n += value.length;
    else if (Array.isArray(value)) {
      for (const item of value) n += typeof item === 'string' ? item.length + 4 : 12;
    }
  }
  return n;
}

/**
 * About the bytes `span` takes in an OTLP request: its text counted in characters (a non-ASCII
 * character takes 2 or 3), with a fixed cost per span, attribute, event and link.
 */
export function approxBytes(span: ReadableSpan): number {
  let n = 96 + span.name.length + attributeBytes(span.attributes);
  for (const event of span.events) n += 24 + event.name.length + attributeBytes(event.attributes);
  for (const link of span.links) n += 48 + attributeBytes(link.attributes);
  return n;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

export class ExportQueue implements SpanProcessor {
  private queue: ReadableSpan[] = [];
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | undefined;
  private stopped = false;
  // the batch being exported: counted as dropped if shutdown gives up on it
  private pendingBatch: { size: number; abandoned: boolean } | undefined;
  private shutdownOnce: Promise<void> | undefined;
  // never 0: an empty batch would be exported, and the next kicked, without end
  private readonly batchSize: number;
  // spans taken for export so far, and that count when the export in flight began (forceFlush)
  private taken = 0;
  private flightFrom = 0;
  // the last batch ended at MAX_BATCH_BYTES: what follows is a full batch too
  private fullByBytes = false;

  constructor(
    private readonly exporter: SpanExporter,
    private readonly options: ExportQueueOptions,
    private readonly drops: DropSink,
    // at shutdown: a collector that refuses connections is not waited for (the exporter would
    // retry it until shutdownTimeoutMs)
    private readonly reach?: ReachCheck,
  ) {
    this.batchSize = Math.max(1, Math.floor(options.maxExportBatchSize) || 1);
  }

  onStart(): void {}

  onEnd(span: ReadableSpan): void {
    if ((span.spanContext().traceFlags & TraceFlags.SAMPLED) === 0) return;
    if (this.stopped) {
      this.drops.drop('shutdown', 1);
      return;
    }
    if (this.queue.length >= this.options.maxQueueSize) {
      this.drops.drop('queue_full', 1);
      return;
    }
    this.queue.push(span);
    if (this.queue.length >= this.batchSize) this.kick();
    else this.schedule();
  }

  /** Spans waiting for export. */
  get size(): number {
    return this.queue.length;
  }

  private schedule(): void {
    if (this.timer !== undefined || this.inFlight !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.kick();
    }, this.options.scheduledDelayMs);
    this.timer.unref();
  }

  private clearTimer(): void {
    if (this.timer === undefined) return;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Starts exporting the next batch unless one is in flight. */
  private kick(): void {
    this.clearTimer();
    if (this.inFlight !== undefined || this.queue.length === 0) return;
    this.flightFrom = this.taken;
    this.inFlight = this.exportBatch().then(() => {
      this.inFlight = undefined;
      if (this.stopped) return;
      if (this.queue.length >= this.batchSize || this.fullByBytes) this.kick();
      else if (this.queue.length > 0) this.schedule();
    });
  }

  /** How many spans from the front of the queue go into the next batch (at least one). */
  private batchCount(): number {
    const most = Math.min(this.batchSize, this.queue.length);
    let bytes = 0;
    for (let i = 0; i < most; i += 1) {
      bytes += approxBytes(this.queue[i] as ReadableSpan);
      if (bytes > MAX_BATCH_BYTES) {
        this.fullByBytes = true;
        return Math.max(1, i);
      }
    }
    this.fullByBytes = false;
    return most;
  }

  /** Exports one batch; resolves (never rejects) when the exporter answered or timed out. */
  private exportBatch(): Promise<void> {
    const batch = this.queue.splice(0, this.batchCount());
    this.taken += batch.length;
    const state = { size: batch.length, abandoned: false };
    this.pendingBatch = state;
    return new Promise<void>((resolve) => {
      let settled = false;
      const finish = (ok: boolean, cause?: unknown): void => {
        if (settled) return;
        settled = true;
        clearTimeout(guard);
        if (this.pendingBatch === state) this.pendingBatch = undefined;
        if (!ok && !state.abandoned) this.drops.drop('export_failed', batch.length, cause);
        resolve();
      };
      // the OTLP exporter has its own deadline; this one covers exporters that never call back
      const guard = setTimeout(
        () => finish(false, NO_ANSWER),
        Math.min(this.options.exportTimeoutMs + 1000, MAX_TIMER_MS),
      );
      guard.unref();
      const send = (): void => {
        try {
          // the exporter's own HTTP request must not become a span
          context.with(suppressTracing(context.active()), () => {
            this.exporter.export(batch, (result) =>
              finish(result.code === ExportResultCode.SUCCESS, result.error),
            );
          });
        } catch (error) {
          finish(false, error);
        }
      };
      // resource detectors may still be settling (host.id is read asynchronously)
      const pending: Promise<void>[] = [];
      for (const span of batch) {
        const { resource } = span;
        if (resource.asyncAttributesPending === true && resource.waitForAsyncAttributes) {
          pending.push(resource.waitForAsyncAttributes());
        }
      }
      if (pending.length === 0) send();
      else void Promise.all(pending).then(send, (error: unknown) => finish(false, error));
    });
  }

  /** Exports what is queued now, batch after batch. */
  async forceFlush(): Promise<void> {
    // batches end by count or by bytes: flush until the spans queued now are taken, not later ones
    const target = this.taken + this.queue.length;
    while (this.inFlight !== undefined || (this.queue.length > 0 && this.taken < target)) {
      if (this.inFlight === undefined) this.kick();
      else if (this.flightFrom >= target) return;
      await this.inFlight;
    }
  }

  /** Flushes within shutdownTimeoutMs, counts what is left as dropped, then stops the exporter. */
  shutdown(): Promise<void> {
    this.shutdownOnce ??= this.stop();
    return this.shutdownOnce;
  }

  private async stop(): Promise<void> {
    // one budget for flushing and for stopping the exporter: shutdown ends within shutdownTimeoutMs
    const deadline = performance.now() + this.options.shutdownTimeoutMs;
    const waits = [this.forceFlush(), delay(this.options.shutdownTimeoutMs)];
    let unreachable: unknown;
    if (this.reach !== undefined && (this.inFlight !== undefined || this.queue.length > 0)) {
      const check = this.reach;
      waits.push(
        new Promise<void>((resolve) => {
          void check().then((error) => {
            unreachable = error;
            if (error !== undefined) resolve();
          });
        }),
      );
    }
    await Promise.race(waits);
    this.stopped = true;
    this.clearTimer();
    if (this.pendingBatch !== undefined) {
      this.pendingBatch.abandoned = true;
      this.drops.drop('shutdown', this.pendingBatch.size, unreachable);
    }
    this.drops.drop('shutdown', this.queue.length, unreachable);
    this.queue = [];
    // our exporter lets go of the collector as it shuts down (see otlp-exporter.ts): this ends at
    // once; another exporter is given what is left of the budget
    await Promise.race([
      this.exporter.shutdown().catch(() => undefined),
      delay(Math.max(0, deadline - performance.now())),
    ]);
  }
}
