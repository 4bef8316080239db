// redisStore on a real Redis Cluster: 3 masters with a replica each, on loopback.
import { Cluster, type Redis } from 'ioredis';
import { Cluster as Cluster6 } from 'ioredis6';
import { Registry } from 'prom-client';
import { createMetrics } from '@ai-orchestrator/metrics';
import {
  redisCli,
  requireBinary,
  startRedisCluster,
  type RedisCluster,
} from '@ai-orchestrator/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createBusinessMetrics } from './business.js';
import { redisStore } from './redis.js';
import type { RedisStoreOptions } from './redis-types.js';
import type { BusinessMetrics } from './types.js';

const server = requireBinary('redis-server');
const cli = requireBinary('redis-cli');
const HLL_ERROR = 0.03; // 2^14 registers: 0.81% standard error, so 3% is past 3 sigma
const DAY_MS = 86_400_000;
const open: BusinessMetrics[] = [];

function replica(store: RedisStoreOptions, now: () => Date = () => new Date()): BusinessMetrics {
  const registry = new Registry();
  const metrics = createMetrics({ serviceName: 'api', registry, collectDefaultMetrics: false });
  const business = createBusinessMetrics({ metrics, store: redisStore(store), salt: 's', now });
  open.push(business);
  return business;
}

/** Every key of every master, with the port of the master holding it. */
async function keysByMaster(cluster: RedisCluster): Promise<Map<string, number>> {
  const found = new Map<string, number>();
  for (const node of await cluster.topology()) {
    if (node.role !== 'master' || node.failing) continue;
    const keys = (await redisCli(cli!, node.port, ['keys', '*'])).split('\n').filter(Boolean);
    for (const key of keys) found.set(key, node.port);
  }
  return found;
}

/**
 * Day d (0..29) has users d*400 .. d*400+1999 active, plus 100 users active every day. Replica r of
 * `count` records user j when j % count === r, and also replica r+1 when j % 3 === 0 (overlap).
 */
function usersOf(day: number, r: number, count: number): number[] {
  const ids: number[] = [];
  for (let j = 0; j < 100; j++) ids.push(1_000_000 + j);
  for (let j = day * 400; j < day * 400 + 2000; j++) {
    if (j % count === r || (j % 3 === 0 && (j + 1) % count === r)) ids.push(j);
  }
  return ids;
}

describe.skipIf(!server || !cli)('redisStore on a Redis Cluster', () => {
  let cluster: RedisCluster;
  beforeAll(async () => {
    cluster = await startRedisCluster(server!, cli!);
  });
  afterAll(async () => {
    await cluster?.stop();
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((b) => b.close()));
    // From the topology, not the admin client's slot cache: a test may have failed a master over.
    const masters = (await cluster.topology()).filter((n) => n.role === 'master' && !n.failing);
    await Promise.all(masters.map((n) => redisCli(cli!, n.port, ['flushall'])));
  });
  const nodes = () => cluster.startupNodes;

  it('gives the same DAU, WAU and MAU on every replica after 30 days of distinct and overlapping users', async () => {
    const start = Date.parse('2026-11-01T12:00:00Z');
    let day = 0;
    const clock = () => new Date(start + day * DAY_MS);
    const replicas = [0, 1, 2, 3].map(() => replica({ cluster: { nodes: nodes() } }, clock));
    const truth = new Map<number, Set<number>>();
    for (day = 0; day < 30; day++) {
      replicas.forEach((r, i) => {
        for (const id of usersOf(day, i, replicas.length)) r.recordUserActivity(`user-${id}`);
      });
      await Promise.all(replicas.map((r) => r.flush()));
      truth.set(day, new Set(replicas.flatMap((_, i) => usersOf(day, i, replicas.length))));
    }
    day = 29;
    const union = (from: number) =>
      new Set([...truth].filter(([d]) => d >= from).flatMap(([, ids]) => [...ids])).size;
    const expected = { dau: union(29), wau: union(23), mau: union(0) };
    expect(expected).toEqual({ dau: 2100, wau: 4500, mau: 13_700 });

    const kpis = await Promise.all(replicas.map((r) => r.getKpis()));
    for (const k of kpis) {
      expect(k.stale).toBe(false);
      expect({ dau: k.dau, wau: k.wau, mau: k.mau }).toEqual({
        dau: kpis[0]!.dau,
        wau: kpis[0]!.wau,
        mau: kpis[0]!.mau,
      });
    }
    for (const window of ['dau', 'wau', 'mau'] as const) {
      expect(Math.abs(kpis[0]![window] - expected[window]) / expected[window]).toBeLessThan(
        HLL_ERROR,
      );
    }
  });

  it('keeps every key of the store on the one slot of its hash tag', async () => {
    const start = Date.parse('2026-11-01T12:00:00Z');
    let day = 0;
    const business = replica({ cluster: { nodes: nodes() } }, () => new Date(start + day * DAY_MS));
    for (day = 0; day < 3; day++) {
      business.recordLogin(`user-${day}`);
      business.recordSatisfaction(5);
      business.recordSubscription({
        customerId: `c${day}`,
        plan: 'p',
        monthlyAmount: 10,
        currency: 'USD',
      });
      await business.flush();
    }
    expect((await business.getKpis()).mrr).toEqual({ USD: 30 });

    const keys = await keysByMaster(cluster);
    // One marker per batch and day (satisfaction counted once per batch), expiring on its own.
    const markers = [...keys.keys()].filter((k) => k.includes(':csat-batch:'));
    expect(markers.map((k) => k.slice(-10)).sort()).toEqual([
      '2026-11-01',
      '2026-11-02',
      '2026-11-03',
    ]);
    expect([...keys.keys()].filter((k) => !markers.includes(k)).sort()).toEqual(
      [
        'csat:2026-11-01',
        'csat:2026-11-02',
        'csat:2026-11-03',
        'mrr',
        'subscriptions',
        'users:2026-11-01',
        'users:2026-11-02',
        'users:2026-11-03',
      ].map((k) => `{ai-orchestrator:business}:${k}`),
    );
    const tagSlot = await cluster.keySlot('ai-orchestrator:business');
    for (const key of keys.keys()) expect(await cluster.keySlot(key)).toBe(tagSlot);
    // One master holds them all: the one serving that slot.
    expect(new Set(keys.values())).toEqual(new Set([(await cluster.masterOf(tagSlot)).port]));
  });

  it('keeps the slot of a custom prefix tag, so services can spread over masters', async () => {
    const business = replica({ cluster: { nodes: nodes() }, keyPrefix: 'kpi:{billing}:' });
    business.recordUserActivity('alice');
    expect((await business.getKpis()).dau).toBe(1);
    const keys = [...(await keysByMaster(cluster)).keys()];
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys)
      expect(await cluster.keySlot(key)).toBe(await cluster.keySlot('billing'));
  });

  it('refuses a key prefix without a hash tag, naming the field and the value', () => {
    for (const keyPrefix of ['kpi:', 'kpi:{}:', 'kpi:{open:']) {
      expect(() => redisStore({ cluster: { nodes: nodes() }, keyPrefix })).toThrow(
        new TypeError(
          `redisStore: keyPrefix must be a prefix holding a non-empty {hash tag} (e.g. "{kpi:api}:") ` +
            `with a Redis Cluster, got ${JSON.stringify(keyPrefix)}`,
        ),
      );
    }
    const client = new Cluster([...nodes()], { lazyConnect: true });
    expect(() => redisStore({ client, keyPrefix: 'plain:' })).toThrow(
      /keyPrefix must be a prefix holding/,
    );
    client.disconnect();
  });

  it('writes and reads around a key of the wrong type, counting satisfaction once', async () => {
    const now = () => new Date('2026-11-01T12:00:00Z');
    const admin = new Cluster([...nodes()]);
    await admin.set('{bad}:users:2026-11-01', 'not a hyperloglog');
    const business = replica({ cluster: { nodes: nodes() }, keyPrefix: '{bad}:' }, now);
    business.recordSatisfaction(5);
    business.recordLogin('alice');
    business.recordSubscription({ customerId: 'c', plan: 'p', monthlyAmount: 5, currency: 'GBP' });
    for (let i = 0; i < 3; i++) await business.flush();
    expect(await business.getKpis()).toMatchObject({
      stale: false,
      dau: 0,
      mrr: { GBP: 5 },
      csatResponses: 1,
    });
    expect(await admin.hget('{bad}:csat:2026-11-01', 'responses')).toBe('1');
    admin.disconnect();
  });

  it('replays nothing after a failover that lost nothing: satisfaction is not counted twice', async () => {
    const business = replica({ cluster: { nodes: nodes() }, keyPrefix: '{csat}:' });
    for (let i = 0; i < 10; i++) business.recordSatisfaction(i < 7 ? 5 : 2);
    await business.flush();
    const before = await cluster.masterOf(await cluster.keySlot('csat'));
    // CLUSTER FAILOVER waits for the replica to catch up: the new master holds every write.
    const after = await cluster.failover(await cluster.keySlot('csat'));
    expect(after.port).not.toBe(before.port);
    let kpis = await business.getKpis();
    for (let i = 0; i < 50 && kpis.stale; i++) kpis = await business.getKpis();
    business.recordSatisfaction(5); // a write after the failover sees the new master's history
    await business.flush();
    kpis = await business.getKpis();
    expect(kpis).toMatchObject({ stale: false, csatResponses: 11, csat: 8 / 11 });
  });

  it.each([
    ['ioredis 5', () => new Cluster([...cluster.startupNodes])],
    ['ioredis 6', () => new Cluster6([...cluster.startupNodes]) as unknown as Cluster],
  ])('works with a %s Cluster the caller owns, and leaves it open', async (_, create) => {
    const client = create();
    const business = replica({ client: client as unknown as Redis });
    business.recordUserActivity('alice');
    business.recordSubscription({ customerId: 'c', plan: 'p', monthlyAmount: 5, currency: 'GBP' });
    expect(await business.getKpis()).toMatchObject({ dau: 1, mau: 1, mrr: { GBP: 5 } });
    await business.close();
    open.splice(open.indexOf(business), 1);
    expect(await client.set('{x}still-open', '1')).toBe('OK');
    client.disconnect();
  });
});
