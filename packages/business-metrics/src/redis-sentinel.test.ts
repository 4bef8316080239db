// redisStore through Redis Sentinel: a master, 2 replicas and 3 sentinels on loopback.
import { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import { createMetrics } from '@ai-orchestrator/metrics';
import { requireBinary, startRedisSentinel, type RedisSentinel } from '@ai-orchestrator/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createBusinessMetrics } from './business.js';
import { redisStore } from './redis.js';
import type { RedisStoreOptions } from './redis-types.js';
import type { BusinessMetrics } from './types.js';

const server = requireBinary('redis-server');
const cli = requireBinary('redis-cli');
const open: BusinessMetrics[] = [];

function replica(store: RedisStoreOptions): BusinessMetrics {
  const registry = new Registry();
  const metrics = createMetrics({ serviceName: 'api', registry, collectDefaultMetrics: false });
  const business = createBusinessMetrics({ metrics, store: redisStore(store), salt: 's' });
  open.push(business);
  return business;
}

describe('redisStore sentinel options', () => {
  it.each<[string, RedisStoreOptions, string]>([
    [
      'no sentinels',
      { sentinel: { sentinels: [], name: 'kpi' } },
      'redisStore: sentinel.sentinels must list at least one of the sentinels { host, port }, got an empty array',
    ],
    [
      'a sentinel without a port',
      { sentinel: { sentinels: [{ host: 'a' } as { host: string; port: number }], name: 'kpi' } },
      'redisStore: sentinel.sentinels[0].port must be a port from 1 to 65535, got undefined',
    ],
    [
      'no master name',
      { sentinel: { sentinels: [{ host: 'a', port: 26379 }], name: ' ' } },
      'redisStore: sentinel.name must be the non-empty master name the sentinels monitor, got " "',
    ],
    [
      'a URL as well',
      { url: 'redis://a', sentinel: { sentinels: [{ host: 'a', port: 1 }], name: 'kpi' } },
      'redisStore: give one of url, cluster, sentinel or client, got url and sentinel',
    ],
    [
      'no cluster nodes',
      { cluster: { nodes: [] } },
      'redisStore: cluster.nodes must list at least one of the startup nodes, got an empty array',
    ],
  ])('refuses %s with a TypeError naming the field and the value', (_, options, message) => {
    expect(() => redisStore(options)).toThrow(new TypeError(message));
  });
});

describe.skipIf(!server || !cli)('redisStore through Redis Sentinel', () => {
  let setup: RedisSentinel;
  beforeAll(async () => {
    setup = await startRedisSentinel(server!, cli!);
  });
  afterAll(async () => {
    await setup?.stop();
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((b) => b.close()));
  });

  it('gives two replicas the same MAU and MRR from the master the sentinels name', async () => {
    const sentinel = { sentinels: setup.sentinels, name: setup.name };
    const a = replica({ sentinel });
    const b = replica({ sentinel });
    for (let i = 0; i < 300; i++) a.recordUserActivity(`u${i}`);
    for (let i = 200; i < 500; i++) b.recordLogin(`u${i}`);
    a.recordSubscription({ customerId: 'c1', plan: 'pro', monthlyAmount: 20, currency: 'EUR' });
    await Promise.all([a.flush(), b.flush()]);
    const [ka, kb] = await Promise.all([a.getKpis(), b.getKpis()]);
    expect(ka).toMatchObject({ stale: false, mrr: { EUR: 20 } });
    expect(kb.mau).toBe(ka.mau);
    expect(Math.abs(ka.mau - 500) / 500).toBeLessThan(0.02);
    const master = new Redis((await setup.master()).port, '127.0.0.1');
    expect(await master.wait(2, 5000)).toBe(2); // both replicas have every write so far
    master.disconnect();
    const found = await Promise.all(
      setup.servers.map(async (s) => {
        const node = new Redis(s.port, '127.0.0.1');
        const [role] = (await node.role()) as [string];
        const keys = await node.keys('*');
        node.disconnect();
        return { role, keys: keys.length };
      }),
    );
    // Written to the master, replicated to both replicas.
    expect(found.map((f) => f.role).sort()).toEqual(['master', 'slave', 'slave']);
    for (const f of found) expect(f.keys).toBeGreaterThanOrEqual(2);
  });

  it('works with a Sentinel client the caller owns, and leaves it open', async () => {
    const client = new Redis({ sentinels: [...setup.sentinels], name: setup.name });
    const business = replica({ client, keyPrefix: '{owned}:' });
    business.recordUserActivity('alice');
    expect(await business.getKpis()).toMatchObject({ dau: 1, stale: false });
    await business.close();
    open.splice(open.indexOf(business), 1);
    expect(await client.ping()).toBe('PONG');
    client.disconnect();
  });
});
