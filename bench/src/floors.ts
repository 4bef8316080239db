// The floor setups: where the fixed cost of tracing a request lives. Each adds one layer to the
// bare framework (no metrics adapter): the context manager entering one context per request, then
// OpenTelemetry's HTTP instrumentation with nothing sampled, then our tracing with its default
// sampler on HTTP alone. Started before the framework is loaded, like every tracing setup.
import { createRequire } from 'node:module';
import type * as Http from 'node:http';
import type * as OtelApi from '@opentelemetry/api';
import type * as ContextAsyncHooks from '@opentelemetry/context-async-hooks';
import type * as SdkNode from '@opentelemetry/sdk-node';
import type * as SdkTrace from '@opentelemetry/sdk-trace';
import type * as HttpInst from '@opentelemetry/instrumentation-http';
import type * as Tracing from '@ai-orchestrator/tracing';
import type { ServerConfig, Variant } from './configs.js';

const require = createRequire(import.meta.url);

type Emit = (this: Http.Server, event: string, ...args: unknown[]) => boolean;

/**
 * The cost of AsyncLocalStorage alone: each request's handlers run inside `context.with()` of a
 * context holding a span (non-recording, flagged sampled so the bench's count proves the context
 * reached the handler), as an HTTP instrumentation does, with nothing else traced.
 */
function contextOnly(): string {
  const api = require('@opentelemetry/api') as typeof OtelApi;
  const { AsyncLocalStorageContextManager } =
    require('@opentelemetry/context-async-hooks') as typeof ContextAsyncHooks;
  api.context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  const http = require('node:http') as typeof Http;
  const emit = http.Server.prototype.emit as Emit;
  let n = 0;
  http.Server.prototype.emit = function (this: Http.Server, event: string, ...args: unknown[]) {
    if (event !== 'request') return emit.call(this, event, ...args);
    n = (n + 1) % 0xffffffff;
    const span = api.trace.wrapSpanContext({
      traceId: `${'0'.repeat(24)}${n.toString(16).padStart(8, '0')}`,
      spanId: '00000000000000a1',
      traceFlags: api.TraceFlags.SAMPLED,
    });
    const ctx = api.trace.setSpan(api.ROOT_CONTEXT, span);
    return api.context.with(ctx, () => emit.call(this, event, ...args));
  } as Http.Server['emit'];
  return 'context manager';
}

/** OpenTelemetry's HTTP instrumentation on the NodeSDK, every span dropped by the sampler. */
function httpAlwaysOff(cfg: ServerConfig): string {
  const { NodeSDK } = require('@opentelemetry/sdk-node') as typeof SdkNode;
  const { AlwaysOffSampler } = require('@opentelemetry/sdk-trace') as typeof SdkTrace;
  const { HttpInstrumentation } = require('@opentelemetry/instrumentation-http') as typeof HttpInst;
  new NodeSDK({
    serviceName: `bench-${cfg.framework}`,
    sampler: new AlwaysOffSampler(),
    spanProcessors: [],
    instrumentations: [new HttpInstrumentation()],
    metricReaders: [],
    logRecordProcessors: [],
  }).start();
  return 'http';
}

/** Our tracing with its defaults (capped sampling, redaction, our exporter) on HTTP alone. */
function ourDefaultHttpOnly(cfg: ServerConfig, headers: Record<string, string>): string {
  const { TracingService } = require('@ai-orchestrator/tracing') as typeof Tracing;
  const service = new TracingService({
    serviceName: `bench-${cfg.framework}`,
    endpoint: cfg.sinkUrl,
    headers,
    instrumentations: {
      http: true,
      express: false,
      fastify: false,
      koa: false,
      undici: false,
      ioredis: false,
    },
  }).initialize();
  return service.loadedInstrumentations.join(',');
}

/** Whether `variant` is a floor setup. */
export const isFloor = (variant: Variant): boolean => variant.startsWith('floor-');

/** Starts the floor setup `cfg.variant`; returns what it loaded. */
export function startFloor(cfg: ServerConfig, headers: Record<string, string>): string {
  if (cfg.variant === 'floor-als') return contextOnly();
  if (cfg.variant === 'floor-http-off') return httpAlwaysOff(cfg);
  return ourDefaultHttpOnly(cfg, headers);
}
