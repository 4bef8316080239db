// Through the real OTLP/HTTP protobuf exporter to a loopback receiver that decodes the wire format.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOtlpReceiver, type OtlpReceiver } from '../test/otlp-receiver.js';
import { TracingService } from './index.js';
import { NO_INSTRUMENTATIONS } from '../test/no-instrumentations.js';

const OFF = NO_INSTRUMENTATIONS;

describe('OTLP export on the wire', () => {
  let receiver: OtlpReceiver;
  beforeAll(async () => {
    receiver = await startOtlpReceiver();
  });
  afterAll(async () => {
    await receiver.close();
  });

  it('sends resource attributes, span names and redacted attributes', async () => {
    const tracing = new TracingService({
      serviceName: 'wire-test',
      serviceVersion: '2.0.0',
      environment: 'staging',
      endpoint: receiver.url,
      headers: { 'x-tenant': 'acme' },
      instrumentations: OFF,
    }).initialize();
    await tracing.traceFunction('workflow.execute', async (span) => {
      span.setAttributes({
        'workflow.name': 'summarize',
        'http.request.header.authorization': ['Bearer abc.def'],
        'http.request.header.cookie': ['session=xyz'],
        'user.password': 'hunter2',
        'http.request.header.x-api-key': ['key-123'],
        'url.full': 'https://llm.example/v1/complete?api_key=sk-live-1&model=small',
        'enduser.contact': 'jane.doe@example.com',
      });
      const child = tracing.createSpan('engine.call', { attributes: { 'engine.type': 'openai' } });
      child.end();
    });
    await tracing.shutdown();

    const spans = await receiver.waitFor((s) => s.length >= 2);
    const root = spans.find((s) => s.name === 'workflow.execute')!;
    const child = spans.find((s) => s.name === 'engine.call')!;
    expect(root.resource).toMatchObject({
      'service.name': 'wire-test',
      'service.version': '2.0.0',
      'deployment.environment.name': 'staging',
      'telemetry.sdk.name': 'opentelemetry',
    });
    expect(child.parentSpanId).toBe(root.spanId);
    expect(child.traceId).toBe(root.traceId);
    expect(child.attributes).toEqual({ 'engine.type': 'openai' });
    expect(root.attributes).toEqual({
      'workflow.name': 'summarize',
      'http.request.header.authorization': ['[REDACTED]'],
      'http.request.header.cookie': ['[REDACTED]'],
      'user.password': '[REDACTED]',
      'http.request.header.x-api-key': ['[REDACTED]'],
      'url.full': 'https://llm.example/v1/complete?api_key=[REDACTED]&model=small',
      'enduser.contact': '[REDACTED]',
    });
    const wire = JSON.stringify(spans);
    for (const secret of ['abc.def', 'xyz', 'hunter2', 'key-123', 'sk-live-1', 'jane.doe']) {
      expect(wire).not.toContain(secret);
    }
  });
});
