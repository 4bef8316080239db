import { describe, expect, it } from 'vitest';
import { intFromEnv, optionsFromEnv } from './env.js';

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
