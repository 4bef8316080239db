import { describe, expect, it, vi } from 'vitest';
import { intFromEnv, optionsFromEnv, warnUnusableOtlpVariables } from './env.js';

describe('options from the environment (register entry)', () => {
  it('reads the service name, the legacy Jaeger URL and the AIO_TRACING_* variables', () => {
    expect(
      optionsFromEnv({
        OTEL_SERVICE_NAME: 'billing',
        JAEGER_ENDPOINT: 'http://jaeger:14268/api/traces',
        AIO_TRACING_ALWAYS_SAMPLE: 'workflow.execute, /checkout/:id',
        AIO_TRACING_MAX_TRACES_PER_SECOND: '20',
        AIO_TRACING_REDACT: 'false',
        AIO_TRACING_IGNORE_PATHS: '/metrics,/livez',
        AIO_TRACING_PROFILE: 'Lean',
      }),
    ).toEqual({
      serviceName: 'billing',
      jaegerEndpoint: 'http://jaeger:14268/api/traces',
      sampler: { alwaysSample: ['workflow.execute', '/checkout/:id'], maxTracesPerSecond: 20 },
      redact: false,
      ignorePaths: ['/metrics', '/livez'],
      profile: 'lean',
    });
  });

  it('lets the standard OTLP variables win over JAEGER_ENDPOINT and leaves sampling to OTEL_TRACES_SAMPLER', () => {
    expect(
      optionsFromEnv({
        JAEGER_ENDPOINT: 'http://jaeger:14268/api/traces',
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
      }),
    ).toEqual({ serviceName: 'unknown_service:node' });
  });

  it('keeps the full profile for an unknown AIO_TRACING_PROFILE', () => {
    expect(optionsFromEnv({ AIO_TRACING_PROFILE: 'skinny' }).profile).toBeUndefined();
  });

  it('ignores a malformed number', () => {
    expect(intFromEnv('OTEL_BSP_MAX_QUEUE_SIZE', { OTEL_BSP_MAX_QUEUE_SIZE: '12' })).toBe(12);
    expect(intFromEnv('X_TEST_SIZE', { X_TEST_SIZE: 'lots' })).toBeUndefined();
  });
});

describe('variables our exporter cannot use', () => {
  /** The warnings `fn` emits. */
  function warnings(fn: () => unknown): string[] {
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    try {
      fn();
      return warn.mock.calls.map(([message]) => String(message).replace(/^[^:]+: /, ''));
    } finally {
      warn.mockRestore();
    }
  }

  it('warns once for each OTLP protocol, compression or timeout it cannot use, naming it', () => {
    const env = {
      OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
      OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json',
      OTEL_EXPORTER_OTLP_COMPRESSION: 'zstd',
      OTEL_EXPORTER_OTLP_TIMEOUT: 'abc',
      OTEL_EXPORTER_OTLP_TRACES_TIMEOUT: '-5',
    };
    expect(warnings(() => warnUnusableOtlpVariables(env))).toEqual([
      'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL=http/json is not supported; sending http/protobuf',
      'OTEL_EXPORTER_OTLP_PROTOCOL=grpc is not supported; sending http/protobuf',
      "OTEL_EXPORTER_OTLP_COMPRESSION=zstd is not 'gzip' or 'none'; ignored",
      'OTEL_EXPORTER_OTLP_TRACES_TIMEOUT=-5 is not a number of ms > 0; ignored',
      'OTEL_EXPORTER_OTLP_TIMEOUT=abc is not a number of ms > 0; ignored',
    ]);
    expect(warnings(() => warnUnusableOtlpVariables(env))).toEqual([]);
  });

  it('is quiet about values it uses', () => {
    const env = {
      OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/protobuf',
      OTEL_EXPORTER_OTLP_TRACES_COMPRESSION: 'gzip',
      OTEL_EXPORTER_OTLP_TRACES_TIMEOUT: '2500',
    };
    expect(warnings(() => warnUnusableOtlpVariables(env))).toEqual([]);
  });

  it('warns for an AIO_TRACING_MAX_TRACES_PER_SECOND that is not a number > 0, and keeps the default', () => {
    const lines = warnings(() => {
      expect(optionsFromEnv({ AIO_TRACING_MAX_TRACES_PER_SECOND: 'abc' }).sampler).toBeUndefined();
    });
    expect(lines).toEqual([
      'AIO_TRACING_MAX_TRACES_PER_SECOND=abc is not a number > 0; using the default',
    ]);
  });
});
