// ioredis is patched when installed: a real redis-server, a real client, spans under the caller.
import { createRequire } from 'node:module';
import { requireBinary, startRedis, type RedisServer } from '@ai-orchestrator/testkit';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace';
import type { Redis as RedisClient } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TracingService } from './index.js';

const binary = requireBinary('redis-server');

describe.skipIf(binary === undefined)('ioredis instrumentation', () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await startRedis(binary!);
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it('traces commands as children of the active span, without the stored values', async () => {
    const exporter = new InMemorySpanExporter();
    const tracing = new TracingService({
      serviceName: 'cache-user',
      exporter,
      scheduledDelayMs: 0,
      instrumentations: { http: false, undici: false, express: false, koa: false, fastify: false },
    }).initialize();
    expect(tracing.loadedInstrumentations).toContain('ioredis');
    // required after initialize(), as an app would
    const Redis = createRequire(import.meta.url)('ioredis') as new (url: string) => RedisClient;
    const client = new Redis(redis.url);
    try {
      await tracing.traceFunction('cache.write', async () => {
        await client.set('user:1', 'secret-value');
      });
      await tracing.forceFlush();
      const spans = exporter.getFinishedSpans();
      const parent = spans.find((s) => s.name === 'cache.write')!;
      const set = spans.find((s) => s.name === 'set')!;
      expect(set.parentSpanContext?.spanId).toBe(parent.spanContext().spanId);
      expect(set.attributes).toMatchObject({
        'db.system.name': 'redis',
        'db.operation.name': 'set',
        'db.query.text': 'set user:1 [1 other arguments]',
      });
      expect(JSON.stringify(set.attributes)).not.toContain('secret-value');
    } finally {
      await client.quit();
      await tracing.shutdown();
    }
  });
});
