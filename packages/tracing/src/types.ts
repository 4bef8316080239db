// Public types of @ai-orchestrator/tracing.
import type { Attributes, Span, SpanKind } from '@opentelemetry/api';
import type { SpanExporter } from '@opentelemetry/sdk-trace';
import type { AnyRegistry } from '@ai-orchestrator/metrics';

/** A rule that always samples: a span name (`checkout.pay`), a route template (`/users/:id`) or a pattern. */
export type SamplingRule = string | RegExp;

/** Sampling of new traces; a span with a parent always follows its parent's decision. */
export interface SamplerOptions {
  /** Fraction of new traces kept, 0 to 1 (default 1, or `OTEL_TRACES_SAMPLER_ARG`). */
  readonly ratio?: number;
  /**
   * Operations or routes that are always sampled, whatever the ratio and the rate cap: matched
   * against the span name and, for incoming requests, the request path.
   */
  readonly alwaysSample?: readonly SamplingRule[];
  /** At most this many new traces per second (a token bucket); unset means no cap. */
  readonly maxTracesPerSecond?: number;
  /** Per-operation (adaptive) sampling strategies polled from Jaeger's remote sampling API. */
  readonly jaegerRemote?: JaegerRemoteOptions;
}

export interface JaegerRemoteOptions {
  /** Base URL of the sampling API, e.g. `http://jaeger:5778` (the `/sampling` path is added). */
  readonly endpoint: string;
  /** How often strategies are fetched (default 60 000 ms); `ratio` applies until the first answer. */
  readonly pollingIntervalMs?: number;
}

/** What the redaction span processor masks before export. */
export interface RedactOptions {
  /** Extra attribute keys to mask: a key segment (`ssn`) or a pattern tested on the whole key. */
  readonly keys?: readonly (string | RegExp)[];
  /**
   * Extra patterns masked inside every string value. They run on RE2 (linear time whatever the
   * input), so lookahead and backreferences are refused at setup; lookbehind is fine.
   */
  readonly patterns?: readonly RegExp[];
  /** Text that replaces a secret (default `[REDACTED]`). */
  readonly replacement?: string;
  /**
   * Longest string scanned (default 16 384 characters). A longer value is cut there, the token the
   * cut falls in is dropped, and `[TRUNCATED n chars]` says how much went: text past the bound is
   * never exported.
   */
  readonly maxLength?: number;
}

/** The instrumentations this package can load; `undefined` means "when the module is installed". */
export interface InstrumentationSwitches {
  readonly http?: boolean;
  readonly express?: boolean;
  readonly fastify?: boolean;
  readonly koa?: boolean;
  /** Outgoing `fetch` (Node's built-in undici) and the `undici` package. */
  readonly undici?: boolean;
  readonly ioredis?: boolean;
}

export type InstrumentationName = keyof InstrumentationSwitches;

/**
 * Which spans a request gets. `full`: the official instrumentations as they come (a span per
 * Express middleware and route handler, per Koa middleware and route, per Fastify request, hook and
 * handler). `lean`: the HTTP server span only, named and attributed by its route
 * (`GET /users/:id`, `http.route`), and client spans; propagation is the same, so traces keep
 * their shape across services.
 */
export type TracingProfile = 'full' | 'lean';

export interface TracingOptions {
  /** `service.name` of every span (default `OTEL_SERVICE_NAME`; one of them is required). */
  readonly serviceName?: string;
  /** `service.version`. */
  readonly serviceVersion?: string;
  /** `deployment.environment.name`, e.g. `production`. */
  readonly environment?: string;
  /**
   * OTLP/HTTP traces URL (default `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`, then
   * `OTEL_EXPORTER_OTLP_ENDPOINT` + `/v1/traces`, then `http://localhost:4318/v1/traces`).
   */
  readonly endpoint?: string;
  /**
   * The Jaeger URL of the toolkit's first version. An OTLP URL is used as it is; a legacy collector URL on port 14268
   * (`/api/traces`) is mapped to OTLP on port 4318 of the same host, with a one-time warning.
   */
  readonly jaegerEndpoint?: string;
  /** Extra headers on every export request (e.g. an auth token for a gateway). */
  readonly headers?: Readonly<Record<string, string>>;
  readonly sampler?: SamplerOptions;
  /** Mask secrets and personal data in span attributes before export (default true). */
  readonly redact?: boolean | RedactOptions;
  /** A prom-client registry that gets `tracing_spans_dropped_total{service,reason}`. */
  readonly registry?: AnyRegistry;
  /** Finished spans waiting for export; past it spans are dropped and counted (default `OTEL_BSP_MAX_QUEUE_SIZE`, then 2048). */
  readonly maxQueueSize?: number;
  /** Spans per export request (default `OTEL_BSP_MAX_EXPORT_BATCH_SIZE`, then 512). */
  readonly maxExportBatchSize?: number;
  /** How long a batch may wait before it is sent (default `OTEL_BSP_SCHEDULE_DELAY`, then 5000 ms). */
  readonly scheduledDelayMs?: number;
  /** One export request, retries included, gives up after this long (default 10 000 ms). */
  readonly exportTimeoutMs?: number;
  /** `shutdown()` resolves after at most this long, flushed or not (default 5000 ms). */
  readonly shutdownTimeoutMs?: number;
  /** Incoming request paths that get no span (default `['/metrics', '/healthz']`: scrapes and probes). */
  readonly ignorePaths?: readonly (string | RegExp)[];
  /** Force instrumentations on (`true`) or off (`false`); unset ones load when their module is installed. */
  readonly instrumentations?: InstrumentationSwitches;
  /** `lean`: a server span per request with its route and no framework spans (default `full`). */
  readonly profile?: TracingProfile;
  /** Export somewhere else than OTLP, e.g. an `InMemorySpanExporter` in tests. */
  readonly exporter?: SpanExporter;
}

/** Options of one span made by `traceFunction` or `createSpan`. */
export interface SpanOptions {
  readonly attributes?: Attributes;
  readonly kind?: SpanKind;
}

/** The work `traceFunction` runs; it gets the span to add attributes or events to. */
export type TracedFunction<T> = (span: Span) => T;

/** Why a span never reached the exporter's destination (the `reason` label). */
export type DropReason = 'queue_full' | 'export_failed' | 'shutdown';
