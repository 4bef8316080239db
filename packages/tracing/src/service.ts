// TracingService: one object that starts the OpenTelemetry Node SDK and wraps work in spans.
import {
  context,
  propagation,
  SpanStatusCode,
  trace,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { getBooleanFromEnv } from '@opentelemetry/core';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import { defaultResource, resourceFromAttributes } from '@opentelemetry/resources';
import { NodeSDK } from '@opentelemetry/sdk-node';
import type { SpanProcessor } from '@opentelemetry/sdk-trace';
import { keepTickShape } from '@ai-orchestrator/metrics/shared';
import { DropCounter } from './drops.js';
import { DEFAULT_SHUTDOWN_TIMEOUT_MS, resolveTracingConfig, type TracingConfig } from './config.js';
import { registerEsmHook } from './esm-hook.js';
import { ExportQueue, type ReachCheck } from './export-queue.js';
import { createInstrumentations, selectInstrumentations } from './instrumentations.js';
import { otlpTraceExport } from './otlp-exporter.js';
import { collectorReach } from './reach.js';
import { Redactor } from './redact.js';
import { RedactingSpanProcessor } from './redact-span.js';
import { buildSampler } from './sampler.js';
import type {
  DropReason,
  InstrumentationName,
  SpanOptions,
  TracedFunction,
  TracingOptions,
} from './types.js';
import { invalid, MAX_TIMER_MS, validateOptions } from './validate.js';
import { warnOnce } from './warn.js';

// One active service per process, across the ESM and CJS builds of this package.
const ACTIVE = Symbol.for('@ai-orchestrator/tracing.active');

type Slot = { [ACTIVE]?: TracingService };
type State = 'new' | 'running' | 'disabled' | 'stopped';

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

function fail(span: Span, error: unknown): void {
  span.recordException(error instanceof Error ? error : String(error));
  span.setStatus({
    code: SpanStatusCode.ERROR,
    message: error instanceof Error ? error.message : String(error),
  });
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

/**
 * The running service of this process, if any (e.g. the one `--import …/register` started).
 *
 * @example
 * process.on('SIGTERM', () => void activeTracing()?.shutdown().then(() => process.exit(0)));
 */
export function activeTracing(): TracingService | undefined {
  return (globalThis as Slot)[ACTIVE];
}

/**
 * OpenTelemetry tracing for one service, exported over OTLP/HTTP to Jaeger.
 *
 * @example
 * const tracing = new TracingService({ serviceName: 'api', serviceVersion: '1.2.0' });
 * tracing.initialize();
 * const user = await tracing.traceFunction('load-user', async () => db.load(id));
 */
export class TracingService {
  readonly serviceName: string;
  private readonly options: TracingOptions;
  private readonly tracer: Tracer;
  private readonly drops: DropCounter;
  private state: State = 'new';
  private sdk: NodeSDK | undefined;
  private queue: ExportQueue | undefined;
  private instrumentations: Instrumentation[] = [];
  private loaded: InstrumentationName[] = [];
  private stopSampler: () => void = () => undefined;
  private stopping: Promise<void> | undefined;

  constructor(options: TracingOptions = {}) {
    validateOptions(options);
    const serviceName = options.serviceName ?? process.env.OTEL_SERVICE_NAME;
    if (serviceName === undefined || serviceName.trim() === '') {
      throw invalid('serviceName', serviceName, 'a non-empty string (or set OTEL_SERVICE_NAME)');
    }
    this.options = options;
    this.serviceName = serviceName;
    this.tracer = trace.getTracer(serviceName, options.serviceVersion);
    this.drops = new DropCounter(serviceName, options.registry);
  }

  /** Whether spans are being recorded and exported. */
  get running(): boolean {
    return this.state === 'running';
  }

  /** Instrumentations that were loaded, by name. */
  get loadedInstrumentations(): readonly InstrumentationName[] {
    return this.loaded;
  }

  /** Spans dropped so far (queue full, export failed, pending at shutdown). */
  droppedSpans(): Readonly<Record<DropReason, number>> {
    return this.drops.counts();
  }

  /**
   * Starts the SDK: instrumentations, sampler, redaction, the bounded export queue. Call it before
   * the web framework is imported. A second call, or `OTEL_SDK_DISABLED=true`, does nothing.
   *
   * @example
   * new TracingService({ serviceName: 'api' }).initialize();
   */
  initialize(): this {
    if (this.state !== 'new') return this;
    if (getBooleanFromEnv('OTEL_SDK_DISABLED')) {
      this.state = 'disabled';
      return this;
    }
    const slot = globalThis as Slot;
    if (slot[ACTIVE] !== undefined) {
      warnOnce(
        'AIO_TRACING_TWICE',
        `tracing is already running in this process (service ${slot[ACTIVE].serviceName}); ` +
          `initialize() for ${this.serviceName} is ignored`,
      );
      this.state = 'disabled';
      return this;
    }
    this.start(resolveTracingConfig(this.options));
    slot[ACTIVE] = this;
    this.state = 'running';
    return this;
  }

  /** Builds the pipeline (queue, redaction, sampler, instrumentations) and starts the SDK. */
  private start(config: TracingConfig): void {
    const options = this.options;
    // first, as it may refuse an OTEL_TRACES_SAMPLER_ARG before anything is built
    const sampler = buildSampler(options.sampler, this.serviceName);
    let exporter = options.exporter;
    let reach: ReachCheck | undefined;
    if (exporter === undefined) {
      const otlp = otlpTraceExport({
        ...(config.url !== undefined ? { url: config.url } : {}),
        ...(config.headers !== undefined ? { headers: { ...config.headers } } : {}),
        timeoutMillis: config.queue.exportTimeoutMs,
      });
      exporter = otlp.exporter;
      // a collector of our own exporter that takes no connection is not waited for at shutdown
      reach = collectorReach(otlp.url);
    }
    this.queue = new ExportQueue(exporter, config.queue, this.drops, reach);
    const processor: SpanProcessor =
      config.redact === false
        ? this.queue
        : new RedactingSpanProcessor(this.queue, new Redactor(config.redact));
    this.stopSampler = sampler.stop;
    this.loaded = selectInstrumentations(options.instrumentations);
    // only frameworks imported from ESM need the loader; http and fetch are built in
    if (this.loaded.some((name) => name !== 'http' && name !== 'undici')) registerEsmHook();
    const contextManager = new AsyncLocalStorageContextManager();
    this.instrumentations = createInstrumentations(this.loaded, {
      ignorePaths: config.ignorePaths,
      profile: config.profile,
      contextManager,
      ...(sampler.closedToNewTraces === undefined
        ? {}
        : { closedToNewTraces: sampler.closedToNewTraces }),
    });
    this.sdk = new NodeSDK({
      serviceName: this.serviceName,
      resource: defaultResource().merge(resourceFromAttributes(config.resource)),
      sampler: sampler.sampler,
      contextManager,
      spanProcessors: [processor],
      instrumentations: this.instrumentations,
      // traces only: no OTLP metrics or logs pipelines (Jaeger takes neither)
      metricReaders: [],
      logRecordProcessors: [],
    });
    this.sdk.start();
    // once per process: V8's memory reducer cannot then slow every later nextTick
    keepTickShape();
  }

  /** The tracer spans of this service are made with. */
  getTracer(): Tracer {
    return this.tracer;
  }

  /**
   * Runs `fn` inside a new active span and returns its value. A throw or a rejected promise is
   * recorded on the span (exception event, error status) and rethrown. Sync and async alike.
   *
   * @example
   * const result = await tracing.traceFunction('workflow.execute', async (span) => {
   *   span.setAttribute('workflow.name', 'summarize');
   *   return run();
   * });
   */
  traceFunction<T>(name: string, fn: TracedFunction<T>): T;
  traceFunction<T>(name: string, options: SpanOptions, fn: TracedFunction<T>): T;
  traceFunction<T>(
    name: string,
    optionsOrFn: SpanOptions | TracedFunction<T>,
    maybeFn?: TracedFunction<T>,
  ): T {
    const fn = typeof optionsOrFn === 'function' ? optionsOrFn : maybeFn;
    const options = typeof optionsOrFn === 'function' ? {} : optionsOrFn;
    if (typeof name !== 'string' || name === '') {
      throw invalid('traceFunction name', name, 'a non-empty string');
    }
    if (typeof fn !== 'function') {
      throw invalid('traceFunction fn', maybeFn ?? optionsOrFn, 'a function');
    }
    return this.tracer.startActiveSpan(name, { ...options }, (span): T => {
      let result: T;
      try {
        result = fn(span);
      } catch (error) {
        fail(span, error);
        span.end();
        throw error;
      }
      if (!isThenable(result)) {
        span.end();
        return result;
      }
      return Promise.resolve(result).then(
        (value) => {
          span.end();
          return value;
        },
        (error: unknown) => {
          fail(span, error);
          span.end();
          throw error;
        },
      ) as T;
    });
  }

  /**
   * Starts a span as a child of the active one; set attributes and call `end()` yourself.
   *
   * @example
   * const span = tracing.createSpan('custom-operation');
   * span.setAttributes({ 'workflow.name': 'summarize' });
   * span.end();
   */
  createSpan(name: string, options: SpanOptions = {}): Span {
    if (typeof name !== 'string' || name === '') {
      throw invalid('createSpan name', name, 'a non-empty string');
    }
    return this.tracer.startSpan(name, { ...options }, context.active());
  }

  /** Exports every span ended so far. */
  async forceFlush(): Promise<void> {
    await this.drops.ready;
    await this.queue?.forceFlush();
  }

  /**
   * Flushes pending spans (at most `shutdownTimeoutMs`), stops the SDK and the instrumentations.
   * Never rejects.
   *
   * @example
   * process.on('SIGTERM', () => void tracing.shutdown().then(() => process.exit(0)));
   */
  shutdown(): Promise<void> {
    this.stopping ??= this.stop();
    return this.stopping;
  }

  private async stop(): Promise<void> {
    const wasRunning = this.state === 'running';
    this.state = 'stopped';
    if (!wasRunning || this.sdk === undefined) return;
    const limit = Math.min(
      (this.options.shutdownTimeoutMs ?? DEFAULT_SHUTDOWN_TIMEOUT_MS) + 1500,
      MAX_TIMER_MS,
    );
    await Promise.race([this.sdk.shutdown().catch(() => undefined), delay(limit)]);
    this.stopSampler();
    for (const instrumentation of this.instrumentations) instrumentation.disable();
    // release the globals so a later service (or a test) can register again
    trace.disable();
    context.disable();
    propagation.disable();
    const slot = globalThis as Slot;
    if (slot[ACTIVE] === this) delete slot[ACTIVE];
  }
}
