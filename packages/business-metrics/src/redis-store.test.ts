import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { Redis as Redis6 } from 'ioredis6';
import { Registry } from 'prom-client';
import { createMetrics } from '@ai-orchestrator/metrics';
import { freePort, requireBinary, startRedis, type RedisServer } from '@ai-orchestrator/testkit';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createBusinessMetrics } from './business.js';
import { redisStore } from './redis.js';
import type { BusinessMetrics, BusinessMetricsOptions } from './types.js';

const bin = requireBinary('redis-server');
const open: BusinessMetrics[] = [];

function replica(url: string, extra: Partial<BusinessMetricsOptions> = {}) {
  const registry = new Registry();
  const metrics = createMetrics({ serviceName: 'api', registry, collectDefaultMetrics: false });
  const business = createBusinessMetrics({
    metrics,
    store: redisStore({ url }),
    salt: 'shared-secret',
    now: () => new Date('2026-03-10T12:00:00Z'),
    ...extra,
  });
  open.push(business);
  return { business, registry };
}

/** business_store_errors_total for one operation, summed over reasons (or for one reason). */
async function errorCount(registry: Registry, operation: string, reason?: string): Promise<number> {
  const metric = registry.getSingleMetric('business_store_errors_total');
  const data = await metric!.get();
  return data.values
    .filter((v) => v.labels.operation === operation && (!reason || v.labels.reason === reason))
    .reduce((sum, v) => sum + v.value, 0);
}

describe.skipIf(!bin)('redisStore against a real redis-server', () => {
  let redis: RedisServer;
  let admin: Redis;

  beforeAll(async () => {
    redis = await startRedis(bin!);
    admin = new Redis(redis.url);
  });
  afterAll(async () => {
    await Promise.all(open.splice(0).map((b) => b.close()));
    admin.disconnect();
    await redis.stop();
  });
  beforeEach(async () => {
    await admin.flushall();
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((b) => b.close()));
  });

  it('counts 1,000,000 synthetic users within 2% and keeps a day sketch within 16 KiB', async () => {
    const { business } = replica(redis.url);
    const truth = 1_000_000;
    const started = performance.now();
    for (let i = 0; i < truth; i += 10_000) {
      for (let j = i; j < i + 10_000; j++) business.recordUserActivity(`user-${j}`);
      await business.flush();
    }
    const seconds = (performance.now() - started) / 1000;
    const { mau, stale } = await business.getKpis();
    const error = Math.abs(mau - truth) / truth;
    const keys = await admin.keys('*users:*');
    const bytes = await admin.strlen(keys[0]!);
    console.info(
      `redis: MAU ${mau} for ${truth} (error ${(error * 100).toFixed(2)}%), ` +
        `sketch ${bytes} bytes, ${Math.round(truth / seconds)} events/s`,
    );
    expect(stale).toBe(false);
    expect(error).toBeLessThan(0.02);
    expect(keys).toEqual(['{ai-orchestrator:business}:users:2026-03-10']);
    expect(bytes).toBeLessThanOrEqual(16 * 1024);
    expect(await admin.ttl(keys[0]!)).toBeGreaterThan(30 * 86_400);
  });

  it('reports the same MAU and MRR from two replicas sharing one Redis', async () => {
    const a = replica(redis.url);
    const b = replica(redis.url);
    for (let i = 0; i < 300; i++) a.business.recordUserActivity(`u${i}`);
    for (let i = 200; i < 500; i++) b.business.recordLogin(`u${i}`);
    a.business.recordSubscription({
      customerId: 'c1',
      plan: 'pro',
      monthlyAmount: 49.99,
      currency: 'USD',
    });
    await a.business.flush();
    b.business.recordSubscription({
      customerId: 'c1',
      plan: 'team',
      monthlyAmount: 99,
      currency: 'USD',
    });
    b.business.recordSubscription({
      customerId: 'c2',
      plan: 'pro',
      monthlyAmount: 40,
      currency: 'EUR',
    });
    await b.business.flush();
    a.business.cancelSubscription('c2');
    a.business.recordSatisfaction(5);
    b.business.recordSatisfaction(2);
    await Promise.all([a.business.flush(), b.business.flush()]);
    const [ka, kb] = await Promise.all([a.business.getKpis(), b.business.getKpis()]);
    expect(ka.mau).toBe(kb.mau);
    expect(Math.abs(ka.mau - 500) / 500).toBeLessThan(0.02);
    expect(ka.mrr).toEqual({ USD: 99 });
    expect(kb.mrr).toEqual({ USD: 99 });
    expect(kb).toMatchObject({ csat: 0.5, csatResponses: 2 });
    const line = /business_active_users\{service="api",window="30d"\} (\d+)/;
    const [ta, tb] = await Promise.all([a.registry.metrics(), b.registry.metrics()]);
    expect(ta.match(line)?.[1]).toBe(String(ka.mau));
    expect(tb.match(line)?.[1]).toBe(String(ka.mau));
  });

  it('works with an ioredis 6 client the caller owns', async () => {
    const client = new Redis6(redis.url);
    const registry = new Registry();
    const metrics = createMetrics({ serviceName: 'api6', registry, collectDefaultMetrics: false });
    const store = redisStore({ client: client as unknown as Redis, keyPrefix: 'v6:' });
    const business = createBusinessMetrics({ metrics, store, salt: 'shared-secret' });
    business.recordUserActivity('alice');
    business.recordSubscription({ customerId: 'c', plan: 'p', monthlyAmount: 5, currency: 'GBP' });
    expect(await business.getKpis()).toMatchObject({ dau: 1, mau: 1, mrr: { GBP: 5 } });
    await business.close();
    expect(await client.ping()).toBe('PONG'); // not closed: the caller owns it
    client.disconnect();
  });

  it('survives Redis dying under load and catches up after it returns on the same port', async () => {
    let server = await startRedis(bin!);
    const { port } = server;
    const url = `redis://127.0.0.1:${port}`;
    const { business, registry } = replica(url, {
      flushIntervalMs: 50,
      storeTimeoutMs: 500,
      cacheTtlMs: 1,
    });
    let n = 0;
    let running = true;
    // Load: 50 events every 5 ms, bounded to 10 s, through the kill and the restart.
    const load = (async () => {
      for (let round = 0; running && round < 2000; round++) {
        for (let i = 0; i < 50; i++) business.recordUserActivity(`load-${n++}`);
        await sleep(5);
      }
    })();
    try {
      await sleep(100);
      await business.flush();
      expect((await business.getKpis()).mau).toBeGreaterThan(0);
      const lastGood = (await registry.metrics()).match(/window="30d"\} (\d+)/)?.[1];

      await server.stop();
      const outageStart = n;
      await sleep(300);
      const during = await business.getKpis(); // bounded by storeTimeoutMs, never rejects
      expect(during.stale).toBe(true);
      expect(await errorCount(registry, 'write')).toBeGreaterThan(0);
      expect(await errorCount(registry, 'read')).toBeGreaterThan(0);
      const text = await registry.metrics();
      expect(text.match(/window="30d"\} (\d+)/)?.[1]).toBe(lastGood); // gauges keep their last value

      server = await startRedis(bin!, port); // empty again: no persistence in tests
      const outageEnd = n;
      let after = during;
      for (
        let i = 0;
        i < 100 && (after.stale || after.mau < (outageEnd - outageStart) * 0.98);
        i++
      ) {
        await sleep(100);
        after = await business.getKpis();
      }
      running = false;
      await load;
      after = await business.getKpis();
      // Everything recorded since the kill is in the new Redis, and what the old one held is
      // written again from the replay log (the test is shorter than replayWindowMs).
      expect(after.stale).toBe(false);
      expect(after.mau).toBeGreaterThan((n - outageStart) * 0.98);
      expect(after.mau).toBeLessThan(n * 1.02);
      expect(outageEnd - outageStart).toBeGreaterThan(50);
      expect(await errorCount(registry, 'drop')).toBe(0);
    } finally {
      running = false;
      await load;
      await business.close();
      await server.stop();
    }
  });

  it.each([
    ['writes the last batches again to a Redis restarted empty', {}, 100],
    ['leaves it empty with replayWindowMs: 0', { replayWindowMs: 0 }, 0],
  ])('%s', async (_, options, expected) => {
    const server = await startRedis(bin!);
    const registry = new Registry();
    const metrics = createMetrics({ serviceName: 'api', registry, collectDefaultMetrics: false });
    const store = redisStore({ url: server.url, ...options });
    const business = createBusinessMetrics({ metrics, store, salt: 's', cacheTtlMs: 1 });
    try {
      for (let i = 0; i < 100; i++) business.recordUserActivity(`u${i}`);
      expect((await business.getKpis()).dau).toBe(100);
      await server.restart(); // no persistence: empty, with a new replication id
      let kpis = await business.getKpis();
      for (let i = 0; i < 50 && (kpis.stale || kpis.dau !== expected); i++) {
        await sleep(100);
        kpis = await business.getKpis(); // the read that sees the new master writes the batch again
      }
      expect(kpis).toMatchObject({ stale: false, dau: expected });
      await sleep(10);
      expect(await business.getKpis()).toMatchObject({ stale: false, dau: expected });
    } finally {
      await business.close();
      await server.stop();
    }
  });

  it('drops past the buffer bound while Redis is unreachable, and counts the drops', async () => {
    const port = await freePort(); // nothing listens here
    const { business, registry } = replica(`redis://127.0.0.1:${port}`, {
      maxBufferedEvents: 100,
      storeTimeoutMs: 200,
    });
    for (let i = 0; i < 150; i++) business.recordUserActivity(`x${i}`);
    await business.flush();
    expect(await errorCount(registry, 'drop')).toBe(50);
    expect(await errorCount(registry, 'write')).toBeGreaterThan(0);
    expect((await business.getKpis()).stale).toBe(true);
  });

  it('never lets a raw user or customer id reach Redis keys or values', async () => {
    const { business, registry } = replica(redis.url);
    for (let i = 0; i < 50; i++) business.recordLogin(`secret-user-${i}@example.com`);
    business.recordSubscription({
      customerId: 'secret-customer-7',
      plan: 'pro',
      monthlyAmount: 20,
      currency: 'USD',
    });
    business.recordSatisfaction(4);
    await business.getKpis();
    const dump: string[] = [];
    let cursor = '0';
    do {
      const [next, keys] = await admin.scan(cursor, 'COUNT', 100);
      cursor = next;
      for (const key of keys) {
        dump.push(key);
        const type = await admin.type(key);
        if (type === 'string') dump.push((await admin.getBuffer(key))!.toString('latin1'));
        if (type === 'hash') dump.push(JSON.stringify(await admin.hgetall(key)));
      }
    } while (cursor !== '0');
    expect(dump.length).toBeGreaterThanOrEqual(8); // users, csat, subscriptions, mrr keys and values
    expect(dump.join('\n')).not.toMatch(/secret|example\.com/);
    expect(await registry.metrics()).not.toMatch(/secret|example\.com/);
  });
});
