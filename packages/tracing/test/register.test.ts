// The register entry point on its own: configured by environment variables only.
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOtlpReceiver, type OtlpReceiver } from './otlp-receiver.js';
import { startService } from './services.js';

describe('--require @ai-orchestrator/tracing/register', () => {
  let receiver: OtlpReceiver;
  beforeAll(async () => {
    receiver = await startOtlpReceiver();
  });
  afterAll(async () => {
    await receiver.close();
  });

  it('on SIGTERM of an app without its own handler: flushes, then ends by the signal as before', async () => {
    const service = await startService('koa-service.cjs', {
      OTEL_SERVICE_NAME: 'sigterm-svc',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: receiver.url,
      OTEL_BSP_SCHEDULE_DELAY: '60000',
    });
    try {
      expect((await fetch(`${service.url}/items/9`)).status).toBe(200);
      const exited = once(service.proc.child, 'exit');
      service.proc.child.kill('SIGTERM');
      const [code, signal] = await exited;
      expect({ code, signal }).toEqual({ code: null, signal: 'SIGTERM' });
      const names = receiver
        .spans()
        .filter((s) => s.resource['service.name'] === 'sigterm-svc')
        .map((s) => s.name);
      expect(names).toContain('GET /items/:itemId');
    } finally {
      await service.proc.stop();
    }
  });

  it('OTEL_SDK_DISABLED=true: the app runs untraced', async () => {
    const service = await startService('koa-service.cjs', {
      OTEL_SERVICE_NAME: 'disabled-svc',
      OTEL_SDK_DISABLED: 'true',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: receiver.url,
    });
    try {
      expect((await fetch(`${service.url}/items/1`)).status).toBe(200);
      await service.proc.stop();
      expect(receiver.spans().some((s) => s.resource['service.name'] === 'disabled-svc')).toBe(
        false,
      );
    } finally {
      await service.proc.stop();
    }
  });

  it('a header variable with an encoded CR LF: one warning naming it, secret masked, the app runs untraced', async () => {
    const service = await startService('koa-service.cjs', {
      OTEL_SERVICE_NAME: 'crlf-svc',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: receiver.url,
      OTEL_EXPORTER_OTLP_HEADERS: 'authorization=Bearer%20s3cr3t-t0ken%0D%0AX-Injected%3A%201',
    });
    try {
      expect((await fetch(`${service.url}/items/3`)).status).toBe(200);
      await service.proc.stop();
      const output = service.proc.output();
      expect(output).toContain(
        'tracing not started: TypeError: TracingService: OTEL_EXPORTER_OTLP_HEADERS.authorization must be an HTTP header value without CR, LF or other control characters, got "Bear…"',
      );
      expect(output).not.toContain('s3cr3t');
      expect(receiver.spans().some((s) => s.resource['service.name'] === 'crlf-svc')).toBe(false);
    } finally {
      await service.proc.stop();
    }
  });
});
