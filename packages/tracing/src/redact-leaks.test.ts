// The leak corpus on the real OTLP wire: every secret shape in every place a span carries text
// reaches the collector masked, and the keep-list reaches it unchanged.
import { SpanStatusCode, type Link } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { KEEP, LEAK_SHAPES, SECRET_KEYS } from '../test/leak-corpus.js';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from '../test/otlp-receiver.js';
import { Redactor, RedactingSpanProcessor, TracingService } from './index.js';
import { NO_INSTRUMENTATIONS } from '../test/no-instrumentations.js';

const OFF = NO_INSTRUMENTATIONS;

/** Spans carrying `text` in every place a span has text. */
function spanEverywhere(provider: TracerProvider, text: string, tag: string): void {
  const tracer = provider.getTracer('leaks');
  const other = tracer.startSpan('linked');
  other.end();
  const link: Link = {
    context: other.spanContext(),
    attributes: { note: text, [`note ${text}`]: tag },
  };
  const span = tracer.startSpan(`op ${text}`, {
    attributes: {
      tag,
      note: text,
      list: ['ok', text, `prefix ${text}`],
      [`key ${text}`]: 'value',
      'url.full': `https://svc.example/cb?${text}`,
      'url.query': text,
      'url.fragment': text,
      'http.url': `https://svc.example/cb#${text}`,
    },
    links: [link],
  });
  span.addEvent(`event ${text}`, { note: text, list: [text] });
  span.recordException(new Error(`failed: ${text}`));
  span.setStatus({ code: SpanStatusCode.ERROR, message: `Incorrect value provided: ${text}` });
  span.end();
}

/** Every 12-character piece of a long secret (a secret cut short still leaks). */
function pieces(secret: string): string[] {
  if (secret.length < 16) return [secret];
  return Array.from({ length: secret.length - 11 }, (_, i) => secret.slice(i, i + 12));
}

/** A provider like a user's own SDK setup: redaction in front of a batch processor and OTLP. */
function redactingProvider(url: string): TracerProvider {
  const texts = LEAK_SHAPES.map((shape) => shape.text);
  return new TracerProvider({
    resource: resourceFromAttributes({
      'service.name': 'leaks',
      'process.command_args': ['node', 'app.js', '--password', 'Cli-pass-66', ...texts],
      'process.command_line': `node app.js ${texts.join(' ')}`,
      ...Object.fromEntries(SECRET_KEYS.map((key, i) => [key, `v4lue-${i}-resource`])),
    }),
    spanProcessors: [
      new RedactingSpanProcessor(
        new BatchSpanProcessor({
          exporter: new OTLPTraceExporter({ url }),
          maxQueueSize: 10_000,
          maxExportBatchSize: 200,
        }),
        new Redactor(),
      ),
    ],
  });
}

/** The corpus and the keep-list in every place, and the secret keys with values to hide. */
function spanCorpus(provider: TracerProvider): void {
  LEAK_SHAPES.forEach((shape, i) => spanEverywhere(provider, shape.text, `leak-${i}`));
  KEEP.forEach((text, i) => spanEverywhere(provider, text, `keep-${i}`));
  const keyed = provider.getTracer('leaks').startSpan('secret keys', {
    attributes: Object.fromEntries(SECRET_KEYS.map((key, i) => [key, `v4lue-${i}-attribute`])),
  });
  keyed.addEvent(
    'keys',
    Object.fromEntries(SECRET_KEYS.map((key, i) => [key, [`v4lue-${i}-event`]])),
  );
  keyed.end();
}

describe('leak corpus on the OTLP wire', () => {
  let receiver: OtlpReceiver;
  let spans: ReceivedSpan[];
  let wire: string;

  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    const provider = redactingProvider(receiver.url);
    spanCorpus(provider);
    await provider.forceFlush();
    await provider.shutdown();
    spans = await receiver.waitFor((all) => all.some((s) => s.name === 'secret keys'));
    wire = Buffer.concat(receiver.bodies()).toString('latin1');
  });

  afterAll(async () => {
    await receiver.close();
  });

  it(`masks ${LEAK_SHAPES.length} secret shapes in name, attribute keys and values, arrays, events, exceptions, status, links and resource`, () => {
    expect(LEAK_SHAPES.length).toBeGreaterThanOrEqual(60);
    const leaked = LEAK_SHAPES.filter(({ secret }) =>
      pieces(secret).some((piece) => wire.includes(Buffer.from(piece).toString('latin1'))),
    ).map((shape) => shape.kind);
    expect(leaked).toEqual([]);
    // every span arrived, so the check above looked at all of them
    expect(spans.filter((s) => String(s.attributes.tag).startsWith('leak-'))).toHaveLength(
      LEAK_SHAPES.length,
    );
  });

  it('masks the whole value of secret attribute keys, in attributes, events and the resource', () => {
    for (const place of ['attribute', 'event', 'resource']) {
      for (let i = 0; i < SECRET_KEYS.length; i++)
        expect(wire).not.toContain(`v4lue-${i}-${place}`);
    }
    const keyed = spans.find((s) => s.name === 'secret keys')!;
    expect(keyed.attributes).toEqual(
      Object.fromEntries(SECRET_KEYS.map((key) => [key, '[REDACTED]'])),
    );
    expect(keyed.resource['process.command_args']).toContain('--password');
  });

  it('keeps ordinary text: ids, UUIDs, route templates, prose, numbers, versions', () => {
    KEEP.forEach((text, i) => {
      const span = spans.find((s) => s.attributes.tag === `keep-${i}`)!;
      expect(span.name).toBe(`op ${text}`);
      expect(span.attributes.note).toBe(text);
      expect(span.attributes.list).toEqual(['ok', text, `prefix ${text}`]);
      expect(span.attributes[`key ${text}`]).toBe('value');
      expect(span.events[0]).toEqual({
        name: `event ${text}`,
        attributes: { note: text, list: [text] },
      });
      expect(span.events[1]?.attributes['exception.message']).toBe(`failed: ${text}`);
      expect(span.status.message).toBe(`Incorrect value provided: ${text}`);
      expect(span.links[0]?.attributes.note).toBe(text);
    });
    // trace and span ids of the links are untouched
    const linkedIds = new Set(spans.filter((s) => s.name === 'linked').map((s) => s.spanId));
    expect(
      spans.filter((s) => s.links.length > 0).every((s) => linkedIds.has(s.links[0]!.spanId)),
    ).toBe(true);
  });
});

describe('TracingService redacts the issue reproductions on the wire', () => {
  it('span name, exception, status message, resource attributes and query parameters', async () => {
    const receiver = await startOtlpReceiver();
    vi.stubEnv('OTEL_RESOURCE_ATTRIBUTES', `deploy.token=ghp_${'a1B2'.repeat(9)},team=core`);
    const key = `sk-proj-${'Ab3dEf9h'.repeat(6)}`;
    const tracing = new TracingService({
      serviceName: 'repro',
      endpoint: receiver.url,
      instrumentations: OFF,
      scheduledDelayMs: 10,
    }).initialize();
    try {
      tracing.createSpan('login ann@example.com').end();
      tracing.createSpan('GET /reset?token=T0ps3cret').end();
      await tracing
        .traceFunction('chat', () =>
          Promise.reject(new Error(`Incorrect API key provided: ${key}`)),
        )
        .catch(() => undefined);
      tracing
        .createSpan('fetch', {
          attributes: {
            'url.full': `https://x.example/a?auth_token=A1&private_token=P1&api-key=K1&x-api-key=X1&jwt=J1&pass=S1&email=e%40x.io#access_token=F1`,
            'enduser.id': 'u-829173',
            'gen_ai.usage.input_tokens': 1200,
          },
        })
        .end();
      await tracing.shutdown();
      const spans = await receiver.waitFor((all) => all.length >= 4);
      const wire = Buffer.concat(receiver.bodies()).toString('latin1');
      for (const secret of ['ann@example.com', 'T0ps3cret', key, 'ghp_', 'u-829173']) {
        expect(wire).not.toContain(secret);
      }
      for (const value of ['A1', 'P1', 'K1', 'X1', 'J1', 'S1', 'e%40x.io', 'F1']) {
        expect(wire).not.toContain(`=${value}`);
      }
      const names = spans.map((s) => s.name);
      expect(names).toEqual(
        expect.arrayContaining(['login [REDACTED]', 'GET /reset?token=[REDACTED]', 'chat']),
      );
      const fetch = spans.find((s) => s.name === 'fetch')!;
      expect(fetch.attributes['gen_ai.usage.input_tokens']).toBe(1200);
      expect(fetch.resource.team).toBe('core');
    } finally {
      await tracing.shutdown();
      await receiver.close();
      vi.unstubAllEnvs();
    }
  });
});
