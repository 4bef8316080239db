// Head sampling: parent-based; new traces by "always" rules, then a ratio (or Jaeger remote
// strategies), then a traces-per-second cap. Unless told otherwise, a per-process cap on new traces.
import {
  context,
  type Attributes,
  type Context,
  type Link,
  type SpanKind,
} from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import { JaegerRemoteSampler } from '@opentelemetry/sampler-jaeger-remote';
import {
  AlwaysOnSampler,
  ParentBasedSampler,
  SamplingDecision,
  TraceIdRatioBasedSampler,
  type Sampler,
  type SamplingResult,
} from '@opentelemetry/sdk-trace';
import { checkUrl } from './http-inputs.js';
import { readNumericStrategyTypes } from './jaeger-strategy.js';
import { RateLimiter } from './rate-limiter.js';
import type { SamplerOptions, SamplingRule } from './types.js';
import { FollowUnsampledRequest } from './unsampled.js';
import { compileRouteTemplate, compileUserPattern, testUserPattern } from './user-patterns.js';
import { MAX_TIMER_MS } from './validate.js';
import { warnOnce } from './warn.js';

type Matcher = (name: string, path: string | undefined) => boolean;

/**
 * New traces a process starts per second when neither the options (`ratio`, `jaegerRemote`) nor
 * `OTEL_TRACES_SAMPLER` choose how to sample: enough to trace every request of a quiet service,
 * a small share of a busy one. Spans with a parent follow it; the always rules bypass the cap.
 */
export const DEFAULT_TRACES_PER_SECOND = 10;

// Attributes that carry the request path when an HTTP server span starts (stable and old semconv).
const PATH_ATTRIBUTES = ['http.route', 'url.path', 'http.target'] as const;

// Rules run on the request path a client chose: RegExps and route templates on RE2 (linear time),
// and a path past MAX_MATCHED_LENGTH matches none.
function compile(rule: SamplingRule, i: number): Matcher {
  if (rule instanceof RegExp) {
    const pattern = compileUserPattern(rule, `sampler.alwaysSample[${i}]`);
    return (name, path) =>
      testUserPattern(pattern, name) || (path !== undefined && testUserPattern(pattern, path));
  }
  if (rule.startsWith('/')) {
    const pattern = compileRouteTemplate(rule);
    return (name, path) =>
      name === rule ||
      name.endsWith(` ${rule}`) ||
      (path !== undefined && testUserPattern(pattern, path));
  }
  return (name) => name === rule;
}

function requestPath(attributes: Attributes): string | undefined {
  for (const key of PATH_ATTRIBUTES) {
    const value = attributes[key];
    if (typeof value === 'string') return value.split('?')[0];
  }
  return undefined;
}

/** The root sampler: rules first, then the base decision, then the rate cap. */
export class RuleSampler implements Sampler {
  private readonly matchers: Matcher[];

  constructor(
    rules: readonly SamplingRule[],
    private readonly base: Sampler,
    private readonly limiter?: RateLimiter,
  ) {
    this.matchers = rules.map(compile);
  }

  shouldSample(
    ctx: Context,
    traceId: string,
    spanName: string,
    spanKind: SpanKind,
    attributes: Attributes,
    links: Link[],
  ): SamplingResult {
    if (this.matchers.length > 0) {
      const path = requestPath(attributes);
      if (this.matchers.some((match) => match(spanName, path))) {
        return { decision: SamplingDecision.RECORD_AND_SAMPLED };
      }
    }
    const result = this.base.shouldSample(ctx, traceId, spanName, spanKind, attributes, links);
    if (
      result.decision === SamplingDecision.RECORD_AND_SAMPLED &&
      this.limiter !== undefined &&
      !this.limiter.tryTake()
    ) {
      return { decision: SamplingDecision.NOT_RECORD };
    }
    return result;
  }

  /**
   * True when a new trace named `spanName` for `path` would not be sampled now whatever the base
   * sampler says: no rule takes it and the cap has no token left. Changes nothing.
   */
  closedTo(spanName: string, path: string): boolean {
    if (this.limiter === undefined || this.limiter.hasToken()) return false;
    return !this.matchers.some((match) => match(spanName, path));
  }

  toString(): string {
    return `RuleSampler{rules=${this.matchers.length}, base=${this.base.toString()}}`;
  }
}

interface EnvSampler {
  ratio: number;
  parentBased: boolean;
  jaegerRemote?: { endpoint: string; pollingIntervalMs?: number };
}

function envRatio(arg: string | undefined): number {
  const ratio = arg === undefined ? 1 : Number(arg);
  if (Number.isFinite(ratio) && ratio >= 0 && ratio <= 1) return ratio;
  warnOnce('AIO_TRACING_SAMPLER_ARG', `OTEL_TRACES_SAMPLER_ARG=${arg} is not 0..1; sampling all`);
  return 1;
}

function envJaegerRemote(arg: string | undefined): EnvSampler {
  // OTEL_TRACES_SAMPLER_ARG=endpoint=http://jaeger:5778,pollingIntervalMs=5000,initialSamplingRate=0.25
  const parts = new Map(
    (arg ?? '').split(',').map((kv) => kv.split('=').map((s) => s.trim()) as [string, string]),
  );
  const interval = Number(parts.get('pollingIntervalMs'));
  // a bad URL would fail every poll: refuse it at setup, by name
  checkUrl('OTEL_TRACES_SAMPLER_ARG endpoint', parts.get('endpoint'));
  return {
    ratio: envRatio(parts.get('initialSamplingRate')),
    parentBased: true,
    jaegerRemote: {
      endpoint: parts.get('endpoint') ?? 'http://localhost:5778',
      ...(Number.isSafeInteger(interval) && interval > 0 && interval <= MAX_TIMER_MS
        ? { pollingIntervalMs: interval }
        : {}),
    },
  };
}

/** The standard `OTEL_TRACES_SAMPLER` / `OTEL_TRACES_SAMPLER_ARG` variables. */
export function samplerFromEnv(env: NodeJS.ProcessEnv = process.env): EnvSampler {
  const name = (env.OTEL_TRACES_SAMPLER ?? 'parentbased_always_on').trim().toLowerCase();
  const arg = env.OTEL_TRACES_SAMPLER_ARG;
  switch (name) {
    case 'always_on':
      return { ratio: 1, parentBased: false };
    case 'always_off':
      return { ratio: 0, parentBased: false };
    case 'traceidratio':
      return { ratio: envRatio(arg), parentBased: false };
    case 'parentbased_always_on':
      return { ratio: 1, parentBased: true };
    case 'parentbased_always_off':
      return { ratio: 0, parentBased: true };
    case 'parentbased_traceidratio':
      return { ratio: envRatio(arg), parentBased: true };
    case 'jaeger_remote':
    case 'parentbased_jaeger_remote':
      return envJaegerRemote(arg);
    default:
      warnOnce('AIO_TRACING_SAMPLER', `OTEL_TRACES_SAMPLER=${name} is not supported; sampling all`);
      return { ratio: 1, parentBased: true };
  }
}

/** A JaegerRemoteSampler whose polling neither keeps the process alive nor traces itself. */
function jaegerRemoteSampler(
  endpoint: string,
  pollingIntervalMs: number,
  serviceName: string,
  initial: Sampler,
): { sampler: Sampler; stop: () => void } {
  let timer: NodeJS.Timeout | undefined;
  const original = globalThis.setInterval;
  // the sampler starts a bare setInterval in its constructor: capture it to unref and clear it
  globalThis.setInterval = ((fn: () => void, ms: number) => {
    timer = original(() => context.with(suppressTracing(context.active()), fn), ms);
    return timer;
  }) as typeof setInterval;
  try {
    const sampler = new JaegerRemoteSampler({
      endpoint: endpoint.replace(/\/+$/, ''),
      serviceName,
      poolingInterval: pollingIntervalMs,
      initialSampler: initial,
    });
    if (!readNumericStrategyTypes(sampler))
      warnOnce(
        'AIO_TRACING_JAEGER_REMOTE',
        'Jaeger remote sampling: this @opentelemetry/sampler-jaeger-remote has no getSamplerConfig; strategies without operation entries are ignored',
      );
    timer?.unref();
    return { sampler, stop: () => clearInterval(timer) };
  } finally {
    globalThis.setInterval = original;
  }
}

export interface BuiltSampler {
  readonly sampler: Sampler;
  /** Stops background work (remote sampling polls). */
  stop(): void;
  /**
   * With a cap on new traces: true when a new trace (no parent) named `spanName` for `path` would
   * certainly not be sampled now, so the HTTP server need not ask the SDK for a span to drop.
   */
  readonly closedToNewTraces?: (spanName: string, path: string) => boolean;
}

/**
 * The SDK sampler for the options, with the environment filling what the options leave out. With
 * neither a `ratio`, a `jaegerRemote` nor `OTEL_TRACES_SAMPLER`, new traces are capped at
 * `maxTracesPerSecond` (default {@link DEFAULT_TRACES_PER_SECOND}) and nothing else.
 *
 * @example
 * const { sampler } = buildSampler({ alwaysSample: ['/checkout/:id'] }, 'shop');
 */
export function buildSampler(
  options: SamplerOptions | undefined,
  serviceName: string,
  env: NodeJS.ProcessEnv = process.env,
  now?: () => number,
): BuiltSampler {
  const fromEnv = samplerFromEnv(env);
  const fromOptions = options?.ratio !== undefined || options?.jaegerRemote !== undefined;
  const chosen = fromOptions || (env.OTEL_TRACES_SAMPLER ?? '').trim() !== '';
  const ratio = options?.ratio ?? fromEnv.ratio;
  const remote =
    options?.jaegerRemote ?? (options?.ratio === undefined ? fromEnv.jaegerRemote : undefined);
  const parentBased = fromOptions || fromEnv.parentBased;
  // ratio 1 needs no trace-id arithmetic per decision
  let base: Sampler = ratio === 1 ? new AlwaysOnSampler() : new TraceIdRatioBasedSampler(ratio);
  let stop = (): void => undefined;
  if (remote !== undefined) {
    const built = jaegerRemoteSampler(
      remote.endpoint,
      remote.pollingIntervalMs ?? 60_000,
      serviceName,
      base,
    );
    base = built.sampler;
    stop = built.stop;
  }
  const perSecond = options?.maxTracesPerSecond ?? (chosen ? undefined : DEFAULT_TRACES_PER_SECOND);
  const limiter = perSecond === undefined ? undefined : new RateLimiter(perSecond, now);
  const rules = options?.alwaysSample ?? [];
  // nothing to add to the base decision: one sampler less on every new trace
  const ruled =
    rules.length === 0 && limiter === undefined ? undefined : new RuleSampler(rules, base, limiter);
  const root = new FollowUnsampledRequest(ruled ?? base);
  return {
    sampler: parentBased ? new ParentBasedSampler({ root }) : root,
    stop,
    ...(ruled !== undefined && limiter !== undefined
      ? { closedToNewTraces: (name: string, path: string) => ruled.closedTo(name, path) }
      : {}),
  };
}
