import { createServer, connect, type AddressInfo, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import { createMetrics } from '@ai-orchestrator/metrics';
import { requireBinary, startRedis, type RedisServer } from '@ai-orchestrator/testkit';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createBusinessMetrics } from './business.js';
import { DEFAULT_PREFIX } from './redis-options.js';
import { redisStore } from './redis.js';
import type { BusinessMetrics, BusinessMetricsOptions } from './types.js';
import { storeErrors } from '../test/store-errors.js';

const bin = requireBinary('redis-server');
const open: BusinessMetrics[] = [];
const warnings: string[] = [];
const onWarning = (warning: Error): void => {
  if (warning.name === 'BusinessMetricsWarning') warnings.push(warning.message);
};
const DAY = '2026-03-10';

const now = (): Date => new Date(`${DAY}T12:00:00Z`);

/** A TCP proxy to Redis that, when told, cuts the connection as the next reply arrives. */
async function replyDropper(port: number) {
  let drop = false;
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(port, '127.0.0.1');
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => (client.destroy(), upstream.destroy()));
    }
    client.pipe(upstream);
    upstream.on('data', (data: Buffer) => {
      if (!drop) return void client.write(data);
      drop = false;
      client.destroy(); // the commands ran; their reply is lost
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port: own } = server.address() as AddressInfo;
  return {
    url: `redis://127.0.0.1:${own}`,
    dropNextReply: () => void (drop = true),
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function replica(url: string, extra: Partial<BusinessMetricsOptions> = {}) {
  const registry = new Registry();
  const metrics = createMetrics({ serviceName: 'api', registry, collectDefaultMetrics: false });
  const business = createBusinessMetrics({
    metrics,
    store: redisStore({ url }),
    salt: 's',
    now,
    flushIntervalMs: 100,
    ...extra,
  });
  open.push(business);
  return { business, registry };
}

describe.skipIf(!bin)('redisStore when part of a write fails', () => {
  let redis: RedisServer;
  let admin: Redis;

  beforeAll(async () => {
    redis = await startRedis(bin!);
    admin = new Redis(redis.url);
  });
  afterAll(async () => {
    admin.disconnect();
    await redis.stop();
  });
  beforeEach(async () => {
    warnings.length = 0;
    process.on('warning', onWarning);
    await admin.flushall();
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((b) => b.close()));
    process.off('warning', onWarning);
  });

  // The reviewer's repro: on e9725ba each retry of the batch applied its HINCRBYs again
  // (responses 13 for one response after 2.5 s), and the bad key was retried forever.
  it('counts satisfaction once and drops only the events of a key of the wrong type', async () => {
    const bad = `${DEFAULT_PREFIX}users:${DAY}`;
    await admin.set(bad, 'not a hyperloglog');
    const { business, registry } = replica(redis.url);
    business.recordSatisfaction(5);
    business.recordLogin('user-1');
    business.recordSubscription({ customerId: 'c', plan: 'p', monthlyAmount: 5, currency: 'EUR' });
    await sleep(1000); // ten flush ticks
    await business.flush();
    expect(await admin.hgetall(`${DEFAULT_PREFIX}csat:${DAY}`)).toEqual({
      responses: '1',
      satisfied: '1',
    });
    expect(await admin.hgetall(`${DEFAULT_PREFIX}mrr`)).toEqual({ EUR: '50000' });
    expect(await storeErrors(registry, 'drop', 'rejected')).toBe(1);
    expect(await storeErrors(registry, 'write', 'error')).toBe(0);
    const refused = warnings.filter((w) => w.includes('refused'));
    expect(refused).toHaveLength(1);
    expect(refused[0]).toContain(`refused a write to ${bad}: WRONGTYPE`);
    expect(await admin.get(bad)).toBe('not a hyperloglog');
  });

  it('counts a batch once when its write reached Redis but the reply was lost', async () => {
    const proxy = await replyDropper(redis.port);
    const { business, registry } = replica(proxy.url, { flushIntervalMs: 60_000 });
    await business.getKpis(); // connected through the proxy
    proxy.dropNextReply();
    business.recordSatisfaction(5);
    business.recordSatisfaction(1);
    await business.flush(); // applied by Redis, but the connection dies before its reply arrives
    expect(await admin.hgetall(`${DEFAULT_PREFIX}csat:${DAY}`)).toEqual({
      responses: '2',
      satisfied: '1',
    });
    for (let i = 0; i < 20 && (await storeErrors(registry, 'write', 'unreachable')) === 0; i++) {
      await sleep(50);
    }
    expect(await storeErrors(registry, 'write', 'unreachable')).toBeGreaterThan(0);
    await sleep(300); // reconnected
    await business.flush(); // the batch again, with the same id
    expect(await business.getKpis()).toMatchObject({ stale: false, csatResponses: 2, csat: 0.5 });
    expect(await admin.hgetall(`${DEFAULT_PREFIX}csat:${DAY}`)).toEqual({
      responses: '2',
      satisfied: '1',
    });
    await proxy.close();
  });

  // On e9725ba one such key failed every read: all KPIs, MRR included, stayed stale.
  it('reads every KPI around a key of the wrong type, and names the key once', async () => {
    const bad = `${DEFAULT_PREFIX}users:${DAY}`;
    await admin.set(bad, 'not a hyperloglog');
    await admin.pfadd(`${DEFAULT_PREFIX}users:2026-03-09`, 'a', 'b');
    await admin.set(`${DEFAULT_PREFIX}csat:2026-03-08`, 'not a hash');
    const { business, registry } = replica(redis.url);
    business.recordSatisfaction(5);
    business.recordSatisfaction(1);
    business.recordSubscription({ customerId: 'c', plan: 'p', monthlyAmount: 5, currency: 'EUR' });
    expect(await business.getKpis()).toMatchObject({
      stale: false,
      dau: 0,
      wau: 2,
      mau: 2,
      mrr: { EUR: 5 },
      csatResponses: 2,
      csat: 0.5,
    });
    expect(await storeErrors(registry, 'read', 'rejected')).toBe(2); // one per key per read
    await new Promise((resolve) => setImmediate(resolve)); // warnings are emitted on the next tick
    const refused = warnings.filter((w) => w.includes('refused to read'));
    expect(refused).toEqual([
      expect.stringContaining(`refused to read ${bad}: WRONGTYPE`),
      expect.stringContaining(`refused to read ${DEFAULT_PREFIX}csat:2026-03-08: WRONGTYPE`),
    ]);
  });
});
