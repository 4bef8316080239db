import { describe, expect, it, vi } from 'vitest';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace';
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

  it('warns once per OTEL_BSP_* variable below its least value, naming it, and uses the default', () => {
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    const env = {
      OTEL_BSP_MAX_QUEUE_SIZE: '0',
      OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '0',
      OTEL_BSP_EXPORT_TIMEOUT: '0',
      OTEL_BSP_SCHEDULE_DELAY: '-1',
    };
    try {
      expect(resolveTracingConfig({}, env).queue).toEqual({
        maxQueueSize: 2048,
        maxExportBatchSize: 512,
        scheduledDelayMs: 5000,
        exportTimeoutMs: 10_000,
        shutdownTimeoutMs: 5000,
      });
      resolveTracingConfig({}, env); // once per variable, not per call
      const lines = warn.mock.calls.map(([message]) => String(message));
      expect(lines).toEqual([
        '@ai-orchestrator/tracing: OTEL_BSP_MAX_QUEUE_SIZE=0 is not a whole number >= 1; using the default',
        '@ai-orchestrator/tracing: OTEL_BSP_MAX_EXPORT_BATCH_SIZE=0 is not a whole number >= 1; using the default',
        '@ai-orchestrator/tracing: OTEL_BSP_SCHEDULE_DELAY=-1 is not a whole number from 0 to 2147483647; using the default',
        '@ai-orchestrator/tracing: OTEL_BSP_EXPORT_TIMEOUT=0 is not a whole number from 1 to 2147483647; using the default',
      ]);
      // past what a Node timer holds (it would fire after 1 ms)
      expect(
        resolveTracingConfig({}, { OTEL_BSP_EXPORT_TIMEOUT: '3000000000' }).queue.exportTimeoutMs,
      ).toBe(10_000);
      // 0 ms between batches is allowed
      expect(
        resolveTracingConfig({}, { OTEL_BSP_SCHEDULE_DELAY: '0' }).queue.scheduledDelayMs,
      ).toBe(0);
    } finally {
      warn.mockRestore();
    }
  });

  it('warns about an OTLP variable our exporter cannot use, not when another exporter is given', () => {
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    const env = { OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' };
    try {
      resolveTracingConfig({ exporter: new InMemorySpanExporter() }, env);
      expect(warn).not.toHaveBeenCalled();
      resolveTracingConfig({}, env);
      expect(warn.mock.calls.map(([message]) => String(message))).toEqual([
        '@ai-orchestrator/tracing: OTEL_EXPORTER_OTLP_PROTOCOL=grpc is not supported; sending http/protobuf',
      ]);
    } finally {
      warn.mockRestore();
    }
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
