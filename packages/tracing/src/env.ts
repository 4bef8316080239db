// Configuration from environment variables: the standard OTEL_* ones plus a few AIO_TRACING_* for
// what OpenTelemetry has no variable for. Used by the `register` entry point.
import { defaultServiceName } from '@ai-orchestrator/metrics/shared';
import type { SamplerOptions, TracingOptions, TracingProfile } from './types.js';
import { warnOnce } from './warn.js';

/**
 * A whole-number variable from `min` to `max`, or undefined when unset; a malformed or out-of-range
 * value warns once, naming the variable and its value, and gives undefined so the default applies.
 */
export function intFromEnv(
  name: string,
  env: NodeJS.ProcessEnv = process.env,
  min = 0,
  max?: number,
): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return undefined;
  const value = Number(raw);
  if (Number.isSafeInteger(value) && value >= min && (max === undefined || value <= max)) {
    return value;
  }
  const range = max === undefined ? `>= ${min}` : `from ${min} to ${max}`;
  warnOnce(
    `AIO_TRACING_ENV_${name}`,
    `${name}=${raw} is not a whole number ${range}; using the default`,
  );
  return undefined;
}

/** Whether `raw` (set) is a finite number > 0, as OpenTelemetry reads a timeout. */
function positive(raw: string): boolean {
  const value = Number(raw);
  return raw.trim() !== '' && Number.isFinite(value) && value > 0;
}

// What our exporter can do with each OTLP variable: it always sends protobuf over HTTP, and
// OpenTelemetry ignores a value it cannot use with no more than a diag line nobody sees.
const OTLP_VARIABLES: readonly { suffix: string; usable: (raw: string) => boolean; why: string }[] =
  [
    {
      suffix: 'PROTOCOL',
      usable: (raw) => raw.trim() === 'http/protobuf',
      why: 'is not supported; sending http/protobuf',
    },
    {
      suffix: 'COMPRESSION',
      usable: (raw) => ['gzip', 'none'].includes(raw.trim()),
      why: "is not 'gzip' or 'none'; ignored",
    },
    { suffix: 'TIMEOUT', usable: positive, why: 'is not a number of ms > 0; ignored' },
  ];

/**
 * Warns once per `OTEL_EXPORTER_OTLP_(TRACES_)PROTOCOL`, `…_COMPRESSION` or `…_TIMEOUT` whose
 * value our OTLP exporter cannot use, naming the variable and its value.
 *
 * @example
 * warnUnusableOtlpVariables({ OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }); // one warning
 */
export function warnUnusableOtlpVariables(env: NodeJS.ProcessEnv = process.env): void {
  for (const { suffix, usable, why } of OTLP_VARIABLES) {
    for (const name of [`OTEL_EXPORTER_OTLP_TRACES_${suffix}`, `OTEL_EXPORTER_OTLP_${suffix}`]) {
      const raw = env[name];
      if (raw === undefined || raw.trim() === '' || usable(raw)) continue;
      warnOnce(`AIO_TRACING_ENV_${name}`, `${name}=${raw} ${why}`);
    }
  }
}

function list(raw: string | undefined): string[] | undefined {
  const items = (raw ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  return items.length > 0 ? items : undefined;
}

function profileFromEnv(raw: string | undefined): TracingProfile | undefined {
  const value = raw?.trim().toLowerCase();
  if (value === undefined || value === '') return undefined;
  if (value === 'lean' || value === 'full') return value;
  warnOnce('AIO_TRACING_PROFILE', `AIO_TRACING_PROFILE=${raw} is not 'full' or 'lean'; using full`);
  return undefined;
}

/**
 * The options `register` starts with, from the environment: the service name as the metrics take it
 * (`OTEL_SERVICE_NAME`, `SERVICE_NAME`, the npm package name), `JAEGER_ENDPOINT` (legacy, when no
 * `OTEL_EXPORTER_OTLP_*ENDPOINT` is set), `AIO_TRACING_ALWAYS_SAMPLE` (comma list),
 * `AIO_TRACING_MAX_TRACES_PER_SECOND`, `AIO_TRACING_REDACT=false`, `AIO_TRACING_IGNORE_PATHS`,
 * `AIO_TRACING_PROFILE=lean`.
 *
 * @example
 * const tracing = new TracingService({ ...optionsFromEnv(), registry }).initialize();
 */
export function optionsFromEnv(env: NodeJS.ProcessEnv = process.env): TracingOptions {
  const alwaysSample = list(env.AIO_TRACING_ALWAYS_SAMPLE);
  const rawRate = env.AIO_TRACING_MAX_TRACES_PER_SECOND;
  const rate = rawRate !== undefined && positive(rawRate) ? Number(rawRate) : 0;
  if (rawRate !== undefined && rawRate.trim() !== '' && rate === 0) {
    warnOnce(
      'AIO_TRACING_ENV_AIO_TRACING_MAX_TRACES_PER_SECOND',
      `AIO_TRACING_MAX_TRACES_PER_SECOND=${rawRate} is not a number > 0; using the default`,
    );
  }
  const sampler: SamplerOptions | undefined =
    alwaysSample !== undefined || rate > 0
      ? {
          ...(alwaysSample !== undefined ? { alwaysSample } : {}),
          ...(rate > 0 ? { maxTracesPerSecond: rate } : {}),
        }
      : undefined;
  const otlpSet =
    env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT !== undefined ||
    env.OTEL_EXPORTER_OTLP_ENDPOINT !== undefined;
  const ignorePaths = list(env.AIO_TRACING_IGNORE_PATHS);
  const profile = profileFromEnv(env.AIO_TRACING_PROFILE);
  return {
    serviceName: defaultServiceName(env),
    ...(env.npm_package_version !== undefined ? { serviceVersion: env.npm_package_version } : {}),
    ...(!otlpSet && env.JAEGER_ENDPOINT ? { jaegerEndpoint: env.JAEGER_ENDPOINT } : {}),
    ...(sampler !== undefined ? { sampler } : {}),
    ...(env.AIO_TRACING_REDACT?.trim().toLowerCase() === 'false' ? { redact: false } : {}),
    ...(ignorePaths !== undefined ? { ignorePaths } : {}),
    ...(profile !== undefined ? { profile } : {}),
  };
}
