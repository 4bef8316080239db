// What a benchmark round compares: one server process per framework and setup.

export const FRAMEWORKS = ['express', 'fastify', 'koa'] as const;
export type Framework = (typeof FRAMEWORKS)[number];

export const VARIANTS = [
  'bare',
  'ours',
  'ours-sizes',
  'peer',
  'ours-trace-default',
  'ours-trace-100',
  'ours-trace-lean',
  'otel',
  'otel-ours',
] as const;

/**
 * Setups that locate the fixed cost of tracing a request (`--variants` only, not in a default run):
 * the context manager alone, the HTTP instrumentation with nothing sampled, with our default sampler.
 */
export const FLOOR_VARIANTS = ['floor-als', 'floor-http-off', 'floor-http-default'] as const;
export type Variant = (typeof VARIANTS)[number] | (typeof FLOOR_VARIANTS)[number];
export const ALL_VARIANTS: readonly Variant[] = [...VARIANTS, ...FLOOR_VARIANTS];

export const FRAMEWORK_LABEL: Readonly<Record<Framework, string>> = {
  express: 'Express 5',
  fastify: 'Fastify 5',
  koa: 'Koa 3',
};

export const PEER_LIBRARY: Readonly<Record<Framework, string>> = {
  express: 'express-prom-bundle 8.0.0',
  fastify: 'fastify-metrics 13.2.1',
  koa: '@echo-health/koa-prometheus-exporter 1.0.4',
};

export const VARIANT_LABEL: Readonly<Record<Variant, string>> = {
  bare: 'bare framework',
  ours: 'our adapter (metrics)',
  'ours-sizes': 'our adapter with body sizes (`httpBodySizes: true`)',
  peer: 'peer library',
  'ours-trace-default': 'ours + tracing, default sampling',
  'ours-trace-100': 'ours + tracing, 100% sampling',
  'ours-trace-lean': "ours + tracing, 100% sampling, profile 'lean'",
  otel: 'plain OpenTelemetry SDK, 100%',
  'otel-ours': 'plain OpenTelemetry SDK, 100%, + our adapter (metrics)',
  'floor-als': 'floor: context manager only, one context per request',
  'floor-http-off': 'floor: OpenTelemetry HTTP instrumentation, always-off sampler',
  'floor-http-default': 'floor: our tracing, default sampler, HTTP only, no adapter',
};

/** What a server process is told to be, through the BENCH_SERVER environment variable. */
export interface ServerConfig {
  readonly framework: Framework;
  readonly variant: Variant;
  /** OTLP/HTTP traces URL of the loopback sink, for the tracing variants. */
  readonly sinkUrl: string;
}

/** The trivial JSON route with a path parameter every server answers. */
export const ROUTE_TEMPLATE = '/users/:id';
export const REQUEST_PATH = '/users/42';

/** Messages between the runner and its children, over the fork() IPC channel. */
export type ChildMessage =
  | { readonly type: 'ready'; readonly port: number; readonly detail?: string }
  | {
      readonly type: 'cpu';
      readonly micros: number;
      /** The system (kernel) part of micros. */
      readonly systemMicros: number;
      readonly traces?: { readonly handled: number; readonly sampled: number };
    }
  | { readonly type: 'error'; readonly message: string };

/** A server that used more CPU than this in a settle step is still busy (5% of one core). */
export const SETTLE_BUSY_MS = 5;
/** How often the runner reads every server's CPU time while it waits for them to be idle. */
export const SETTLE_STEP_MS = 100;
/** How long the runner waits for idle servers at most before it measures anyway (and says so). */
export const SETTLE_LIMIT_MS = 5_000;
