// The settings `initialize()` starts with: the options, with the standard OTEL_* variables filling
// what they leave out. Inputs that would make every export fail are refused here, by name.
import type { Attributes } from '@opentelemetry/api';
import { ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import { resolveEndpoint } from './endpoint.js';
import { intFromEnv, warnUnusableOtlpVariables } from './env.js';
import type { ExportQueueOptions } from './export-queue.js';
import { checkUrl, headersFromEnv } from './http-inputs.js';
import type { RedactOptions, TracingOptions, TracingProfile } from './types.js';
import { MAX_TIMER_MS } from './validate.js';

// https://opentelemetry.io/docs/specs/semconv/resource/deployment-environment/
const ATTR_DEPLOYMENT_ENVIRONMENT_NAME = 'deployment.environment.name';
const DEFAULT_IGNORE_PATHS = ['/metrics', '/healthz'];
/** `shutdown()` gives up after this long unless told otherwise. */
export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 5000;

export interface TracingConfig {
  /** The OTLP traces URL, or undefined to let the exporter read the variables (checked here). */
  readonly url: string | undefined;
  readonly headers: Readonly<Record<string, string>> | undefined;
  readonly queue: ExportQueueOptions;
  /** `false`, or what to mask. */
  readonly redact: false | RedactOptions;
  readonly ignorePaths: readonly (string | RegExp)[];
  readonly profile: TracingProfile;
  /** Resource attributes from the options (the SDK adds the detected ones). */
  readonly resource: Attributes;
}

// each variable with the least value its option takes (see validate.ts): 0 spans per batch or in
// the queue, or 0 ms to export, would make every export fail; a delay Node's timers cannot hold
// fires after 1 ms
function queueOptions(options: TracingOptions, env: NodeJS.ProcessEnv): ExportQueueOptions {
  const maxQueueSize =
    options.maxQueueSize ?? intFromEnv('OTEL_BSP_MAX_QUEUE_SIZE', env, 1) ?? 2048;
  const batch =
    options.maxExportBatchSize ?? intFromEnv('OTEL_BSP_MAX_EXPORT_BATCH_SIZE', env, 1) ?? 512;
  return {
    maxQueueSize,
    maxExportBatchSize: Math.min(maxQueueSize, batch),
    scheduledDelayMs:
      options.scheduledDelayMs ??
      intFromEnv('OTEL_BSP_SCHEDULE_DELAY', env, 0, MAX_TIMER_MS) ??
      5000,
    exportTimeoutMs:
      options.exportTimeoutMs ??
      intFromEnv('OTEL_BSP_EXPORT_TIMEOUT', env, 1, MAX_TIMER_MS) ??
      10_000,
    shutdownTimeoutMs: options.shutdownTimeoutMs ?? DEFAULT_SHUTDOWN_TIMEOUT_MS,
  };
}

/** Throws a TypeError naming the variable when an OTLP endpoint or header variable cannot work. */
function checkOtlpVariables(env: NodeJS.ProcessEnv, urlFromOptions: boolean): void {
  if (!urlFromOptions) {
    for (const name of ['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', 'OTEL_EXPORTER_OTLP_ENDPOINT']) {
      const value = env[name];
      if (value !== undefined && value.trim() !== '') checkUrl(name, value);
    }
  }
  for (const name of ['OTEL_EXPORTER_OTLP_HEADERS', 'OTEL_EXPORTER_OTLP_TRACES_HEADERS']) {
    headersFromEnv(name, env[name]);
  }
}

/** The resource attributes the options name (assigned: no computed keys in a literal). */
function resourceAttributes(options: TracingOptions): Attributes {
  const attributes: Attributes = {};
  if (options.serviceVersion !== undefined)
    attributes[ATTR_SERVICE_VERSION] = options.serviceVersion;
  if (options.environment !== undefined)
    attributes[ATTR_DEPLOYMENT_ENVIRONMENT_NAME] = options.environment;
  return attributes;
}

/**
 * The settings for `options`, with the environment filling the gaps; throws a TypeError for an
 * OTLP endpoint or header variable that would make every export fail.
 *
 * @example
 * const config = resolveTracingConfig({ serviceName: 'api', maxQueueSize: 512 });
 * config.queue.maxQueueSize; // 512
 */
export function resolveTracingConfig(
  options: TracingOptions,
  env: NodeJS.ProcessEnv = process.env,
): TracingConfig {
  const url = resolveEndpoint(options.endpoint, options.jaegerEndpoint);
  checkOtlpVariables(env, url !== undefined);
  if (options.exporter === undefined) warnUnusableOtlpVariables(env);
  const redact = options.redact ?? true;
  return {
    url,
    headers: options.headers,
    queue: queueOptions(options, env),
    redact: redact === true ? {} : redact,
    ignorePaths: options.ignorePaths ?? DEFAULT_IGNORE_PATHS,
    profile: options.profile ?? 'full',
    resource: resourceAttributes(options),
  };
}
