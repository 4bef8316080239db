import { describe, expect, it } from 'vitest';
import { resolveTracingConfig } from './config.js';

describe('resolveTracingConfig', () => {
  it('takes the options first, then the OTEL_* variables, then the defaults', () => {
    const env = { OTEL_BSP_MAX_QUEUE_SIZE: '100', OTEL_BSP_SCHEDULE_DELAY: '250' };
    expect(resolveTracingConfig({ maxQueueSize: 10, maxExportBatchSize: 50 }, env).queue).toEqual({
      maxQueueSize: 10,
      maxExportBatchSize: 10, // never more than the queue holds
      scheduledDelayMs: 250,
      exportTimeoutMs: 10_000,
      shutdownTimeoutMs: 5000,
    });
  });

  it('maps the options to the endpoint, redaction and resource', () => {
    const config = resolveTracingConfig(
      {
        jaegerEndpoint: 'http://jaeger:4318',
        serviceVersion: '1.2.0',
        environment: 'prod',
        redact: false,
      },
      {},
    );
    expect(config).toMatchObject({
      url: 'http://jaeger:4318/v1/traces',
      redact: false,
      ignorePaths: ['/metrics', '/healthz'],
      resource: { 'service.version': '1.2.0', 'deployment.environment.name': 'prod' },
    });
    expect(resolveTracingConfig({}, {}).redact).toEqual({});
  });
});
