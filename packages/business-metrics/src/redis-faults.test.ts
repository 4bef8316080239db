import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { Registry } from 'prom-client';
import { createMetrics } from '@ai-orchestrator/metrics';
import {
  createCertificates,
  freePort,
  requireBinary,
  startRedis,
  tempDir,
} from '@ai-orchestrator/testkit';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createBusinessMetrics } from './business.js';
import { redisStore } from './redis.js';
import type { RedisStoreOptions } from './redis-types.js';
import type { BusinessMetrics, BusinessMetricsOptions } from './types.js';
import { storeErrors } from '../test/store-errors.js';

const bin = requireBinary('redis-server');
const openssl = requireBinary('openssl');
const open: BusinessMetrics[] = [];
const unhandled: unknown[] = [];
const warnings: string[] = [];
const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
const onWarning = (warning: Error): void => {
  if (warning.name === 'BusinessMetricsWarning') warnings.push(warning.message);
};

function replica(store: RedisStoreOptions, extra: Partial<BusinessMetricsOptions> = {}) {
  const registry = new Registry();
  const metrics = createMetrics({ serviceName: 'api', registry, collectDefaultMetrics: false });
  const business = createBusinessMetrics({
    metrics,
    store: redisStore(store),
    salt: 's',
    flushIntervalMs: 100,
    storeTimeoutMs: 700,
    ...extra,
  });
  open.push(business);
  return { business, registry };
}

beforeEach(() => {
  unhandled.length = 0;
  warnings.length = 0;
  process.on('unhandledRejection', onUnhandled);
  process.on('warning', onWarning);
});

afterEach(async () => {
  await Promise.all(open.splice(0).map((b) => b.close()));
  process.off('unhandledRejection', onUnhandled);
  process.off('warning', onWarning);
  expect(unhandled).toEqual([]);
});

describe('redisStore that cannot reach its Redis', () => {
  // The reproduction of issue 14: on 8190b0d the timed read rejected with nobody listening.
  it('answers getKpis() with stale values naming the cause, and nothing rejects unhandled', async () => {
    const { business, registry } = replica(
      { url: 'redis://127.0.0.1:1' },
      {
        flushIntervalMs: 200,
        storeTimeoutMs: 700,
      },
    );
    business.recordLogin('alice');
    await sleep(1200);
    const kpis = await business.getKpis();
    expect(kpis).toMatchObject({ mau: 0, stale: true, asOf: null });
    expect(kpis.storeError).toMatch(/^store read failed \(unreachable\): .*ECONNREFUSED/);
    expect(await storeErrors(registry, 'write', 'unreachable')).toBeGreaterThan(0);
    expect(await storeErrors(registry, 'read', 'unreachable')).toBe(1);
    await sleep(300); // nothing left to reject after the call returned
  });

  it('counts events past maxBufferedEvents as dropped and says so in the warning', async () => {
    const port = await freePort(); // nothing listens here
    const { business, registry } = replica(
      { url: `redis://127.0.0.1:${port}` },
      { maxBufferedEvents: 100, storeTimeoutMs: 200 },
    );
    for (let i = 0; i < 150; i++) business.recordUserActivity(`x${i}`);
    await business.flush();
    expect(await storeErrors(registry, 'drop', 'buffer_full')).toBe(50);
    await new Promise((resolve) => setImmediate(resolve)); // warnings are emitted on the next tick
    expect(warnings.filter((w) => w.includes('buffer is full'))).toEqual([
      expect.stringContaining(
        'new events are dropped, not retried, and counted in ' +
          'business_store_errors_total{operation="drop",reason="buffer_full"}',
      ),
    ]);
  });
});

describe.skipIf(!bin)('redisStore with the wrong credentials', () => {
  let redis: Awaited<ReturnType<typeof startRedis>>;
  beforeAll(async () => {
    redis = await startRedis(bin!, undefined, { password: 'right' });
  });
  afterAll(async () => {
    await redis.stop();
  });

  it.each([
    ['a wrong password', 'wrong', /WRONGPASS/],
    ['no password', '', /NOAUTH/],
  ])('with %s: counts reason="auth" and warns once with the server reply', async (_, pw, reply) => {
    const url = `redis://${pw ? `:${pw}@` : ''}127.0.0.1:${redis.port}`;
    const { business, registry } = replica({ url });
    for (let i = 0; i < 5; i++) {
      business.recordLogin(`u${i}`);
      await sleep(100);
    }
    const kpis = await business.getKpis();
    expect(kpis.stale).toBe(true);
    expect(kpis.storeError).toMatch(reply);
    expect(await storeErrors(registry, 'write', 'auth')).toBeGreaterThan(0);
    expect(await storeErrors(registry, 'write', 'timeout')).toBe(0); // not "store write timed out"
    const writes = warnings.filter((w) => w.includes('store write failed'));
    expect(writes).toEqual([
      expect.stringMatching(/store write failed \(auth\): .*(WRONGPASS|NOAUTH)/),
    ]);
    expect(warnings.join('\n')).not.toContain('right');
  });
});

describe.skipIf(!bin || !openssl)('redisStore against a TLS Redis it does not trust', () => {
  const dir = tempDir('certs');
  let redis: Awaited<ReturnType<typeof startRedis>>;
  let trusted: string;
  beforeAll(async () => {
    trusted = createCertificates(dir.path, 'trusted').ca;
    redis = await startRedis(bin!, undefined, { tls: createCertificates(dir.path, 'other') });
  });
  afterAll(async () => {
    await redis.stop();
    dir.remove();
  });

  it('counts reason="tls" and warns once with the certificate error', async () => {
    const { business, registry } = replica({
      url: redis.url,
      redisOptions: { tls: { ca: readFileSync(trusted) } },
    });
    for (let i = 0; i < 5; i++) {
      business.recordLogin(`u${i}`);
      await sleep(100);
    }
    const kpis = await business.getKpis();
    expect(kpis.storeError).toMatch(/^store read failed \(tls\): .*certificate/);
    expect(await storeErrors(registry, 'write', 'tls')).toBeGreaterThan(0);
    expect(warnings.filter((w) => w.includes('store write failed'))).toEqual([
      expect.stringMatching(/\(tls\): .*certificate/),
    ]);
  });
});
