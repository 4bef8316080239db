// Figures for the capacity doc, measured on this machine against Debian's redis-server: bytes per
// day key, PFADD throughput and Redis CPU per add on one node and on a 3-master Cluster, and the
// latency of the scrape read (getKpis over 30 dense day keys). Writes redis-capacity.md beside it.
// Run: pnpm --filter @ai-orchestrator/business-metrics bench:redis   (not part of `pnpm test`)
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { format, resolveConfig } from 'prettier';
import { Cluster, Redis } from 'ioredis';
import { Registry } from 'prom-client';
import { createMetrics } from '@ai-orchestrator/metrics';
import {
  requireBinary,
  startRedis,
  startRedisCluster,
  type RedisCluster,
  type RedisServer,
} from '@ai-orchestrator/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBusinessMetrics } from '../src/business.js';
import { createHasher } from '../src/hash.js';
import { redisStore } from '../src/redis.js';
import type { RedisStoreOptions } from '../src/redis-types.js';
import type { BusinessMetrics } from '../src/types.js';

const server = requireBinary('redis-server');
const cli = requireBinary('redis-cli');
const DAY_MS = 86_400_000;
const START = Date.parse('2026-01-01T12:00:00Z');
const lines: string[] = [];
const say = (line = ''): void => void lines.push(line);

interface Target {
  readonly name: string;
  readonly store: (extra?: Partial<RedisStoreOptions>) => RedisStoreOptions;
  /** An admin connection to the node holding the KPI keys. */
  readonly node: () => Promise<Redis>;
  readonly client: () => Redis | Cluster;
}

function kpis(store: RedisStoreOptions, day = 0): BusinessMetrics {
  const metrics = createMetrics({
    serviceName: 'bench',
    registry: new Registry(),
    collectDefaultMetrics: false,
  });
  // Big buffers: the measure is the store's cost, not the buffer bound.
  return createBusinessMetrics({
    metrics,
    store: redisStore(store),
    salt: 'bench',
    now: () => new Date(START + day * DAY_MS),
    maxBufferedEvents: 1_000_000,
    flushBatchSize: 1_000_000,
    storeTimeoutMs: 30_000,
  });
}

async function record(business: BusinessMetrics, prefix: string, users: number): Promise<void> {
  for (let i = 0; i < users; i += 10_000) {
    for (let j = i; j < Math.min(users, i + 10_000); j++)
      business.recordUserActivity(`${prefix}${j}`);
    await business.flush();
  }
}

async function cpuSeconds(node: Redis): Promise<number> {
  const info = await node.info('cpu');
  const field = (name: string) => Number(new RegExp(`${name}:([\\d.]+)`).exec(info)?.[1]);
  return field('used_cpu_user') + field('used_cpu_sys');
}

const percentile = (sorted: number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
const ms = (value: number): string => value.toFixed(2);
const round = (value: number): string => Math.round(value).toLocaleString('en-US');

describe.skipIf(!server || !cli)('KPI store capacity on Redis', () => {
  let single: RedisServer;
  let cluster: RedisCluster;
  let targets: Target[];
  beforeAll(async () => {
    single = await startRedis(server!);
    cluster = await startRedisCluster(server!, cli!);
    const slot = await cluster.keySlot('ai-orchestrator:business');
    targets = [
      {
        name: 'one node',
        store: (extra) => ({ url: single.url, ...extra }),
        node: async () => new Redis(single.url),
        client: () => new Redis(single.url),
      },
      {
        name: 'Cluster (3 masters)',
        store: (extra) => ({ cluster: { nodes: cluster.startupNodes }, ...extra }),
        node: async () => new Redis((await cluster.masterOf(slot)).port, '127.0.0.1'),
        client: () => new Cluster([...cluster.startupNodes]),
      },
    ];
    say('# KPI store on Redis: measured figures');
    say();
    say(
      `Measured ${new Date().toISOString().slice(0, 10)} by \`bench/redis-capacity.measure.ts\` on`,
    );
    say(
      `this machine (2 shared cores, Node ${process.versions.node}, ${await redisVersion()}), loopback.`,
    );
    const load = loadavg()
      .map((l) => l.toFixed(1))
      .join(', ');
    say(`Load average at the start: ${load}. Throughput and latency are noisy on shared cores:`);
    say(
      'compare rows of one run, not runs; the bytes and the Redis CPU per add are the stable figures.',
    );
  });
  afterAll(async () => {
    await single?.stop();
    await cluster?.stop();
    // Formatted like every markdown file of the repo, so `pnpm lint` passes on the committed output.
    const file = fileURLToPath(new URL('./redis-capacity.md', import.meta.url));
    const options = await resolveConfig(file);
    writeFileSync(file, await format(lines.join('\n'), { ...options, filepath: file }));
    console.info(lines.join('\n'));
  });

  async function redisVersion(): Promise<string> {
    const node = new Redis(single.url);
    const version = /redis_version:(\S+)/.exec(await node.info('server'))?.[1];
    node.disconnect();
    return `redis-server ${version}`;
  }

  it('bytes per day key (MEMORY USAGE) at 100 to 1M users', async () => {
    say();
    say('## Memory per key');
    say();
    say('One HyperLogLog key per UTC day, filled through the store (salted 128-bit user hashes).');
    say('`MEMORY USAGE` counts the value, the key and the allocator overhead; `STRLEN` the value.');
    say();
    say('| users in the day | STRLEN bytes | MEMORY USAGE bytes | encoding | PFCOUNT error |');
    say('| ---: | ---: | ---: | --- | ---: |');
    const node = new Redis(single.url);
    const sizes = [100, 1000, 10_000, 100_000, 1_000_000];
    for (const [day, users] of sizes.entries()) {
      const business = kpis({ url: single.url, keyPrefix: '{mem}:' }, day);
      await record(business, `m${users}-`, users);
      await business.close();
      const key = `{mem}:users:${new Date(START + day * DAY_MS).toISOString().slice(0, 10)}`;
      const bytes = Number(await node.call('MEMORY', 'USAGE', key, 'SAMPLES', '0'));
      const length = await node.strlen(key);
      const dense = (await node.getrangeBuffer(key, 4, 4))[0] === 0;
      const error = ((await node.pfcount(key)) - users) / users;
      expect(Math.abs(error)).toBeLessThan(0.02);
      say(
        `| ${round(users)} | ${round(length)} | ${round(bytes)} | ${dense ? 'dense' : 'sparse'} | ${(error * 100).toFixed(2)}% |`,
      );
    }
    const customers = 10_000;
    const business = kpis({ url: single.url, keyPrefix: '{subs}:' });
    for (let i = 0; i < customers; i++) {
      business.recordSubscription({
        customerId: `c${i}`,
        plan: 'p',
        monthlyAmount: 49.99,
        currency: 'USD',
      });
    }
    await business.close();
    const subscriptions = Number(
      await node.call('MEMORY', 'USAGE', '{subs}:subscriptions', 'SAMPLES', '0'),
    );
    node.disconnect();
    say();
    say(
      `Subscriptions hash: ${round(subscriptions)} bytes for ${round(customers)} customers, ` +
        `${round(subscriptions / customers)} bytes per customer. A service's month of active-user keys: ` +
        '30 dense day keys, whatever the number of users.',
    );
  });

  interface Sample {
    readonly perSecond: number;
    readonly redisUs: number;
    readonly clientUs: number;
  }
  const median = (values: number[]): number => values.sort((a, b) => a - b)[values.length >> 1]!;
  const row = (name: string, path: string, samples: Sample[]): string => {
    const m = (pick: (s: Sample) => number) => median(samples.map(pick));
    perAdd.push({ path, redisUs: m((s) => s.redisUs), clientUs: m((s) => s.clientUs) });
    return (
      `| ${name} | ${path} | ${round(m((s) => s.perSecond))} | ` +
      `${m((s) => s.redisUs).toFixed(3)} | ${m((s) => s.clientUs).toFixed(2)} |`
    );
  };
  const perAdd: { path: string; redisUs: number; clientUs: number }[] = [];
  let run = 0;

  /** 200,000 new users through a fresh store, in flushes of 10,000. */
  async function storeRun(target: Target, replay: boolean): Promise<Sample> {
    const tag = `w${++run}`;
    const extra = replay ? {} : { replayWindowMs: 0 };
    const business = kpis(target.store({ keyPrefix: `{${tag}}:`, ...extra }));
    await record(business, 'warm-', 10_000);
    const node = await nodeFor(target, tag);
    const sample = await measure(node, 200_000, () => record(business, `${tag}-`, 200_000));
    node.disconnect();
    await business.close();
    return sample;
  }

  /** 1,000,000 pre-hashed values in pipelines of 100 PFADDs of 1,000. */
  async function rawRun(target: Target): Promise<Sample> {
    const client = target.client();
    const hash = createHasher('raw');
    const values = Array.from({ length: 1_000_000 }, (_, i) => hash(`raw-${++run}-${i}`));
    const tag = `r${run}`;
    const node = await nodeFor(target, tag);
    const sample = await measure(node, values.length, async () => {
      for (let i = 0; i < values.length; i += 100_000) {
        const p = client.pipeline();
        for (let j = i; j < i + 100_000; j += 1000) {
          p.pfadd(`{${tag}}:users:raw`, ...values.slice(j, j + 1000));
        }
        await p.exec();
      }
    });
    node.disconnect();
    client.disconnect();
    return sample;
  }

  it('PFADD throughput and Redis CPU per add: one node vs the Cluster', async () => {
    say();
    say('## Writes');
    say();
    say(
      'Through the store: 200,000 new users recorded in flushes of 10,000 (hashing, a pipeline of',
    );
    say(
      '`PFADD` chunks of 1,000, the replay probe), replay on and off alternately, 3 runs each after',
    );
    say(
      'a warm-up run, median shown. Raw: pre-hashed values, pipelines of 100 `PFADD`s of 1,000 from',
    );
    say('one ioredis client, median of 3. Redis CPU is `used_cpu_user + used_cpu_sys` of the node');
    say('holding the keys (with the hash tag, one master of the Cluster holds them all; it also');
    say('feeds its replica). Client CPU is this process (`process.cpuUsage()`).');
    say();
    say('| target | path | users/s | Redis CPU µs per add | client CPU µs per user |');
    say('| --- | --- | ---: | ---: | ---: |');
    for (const target of targets) {
      await storeRun(target, true); // warm-up: JIT and connections
      const on: Sample[] = [];
      const off: Sample[] = [];
      for (let round = 0; round < 3; round++) {
        on.push(await storeRun(target, true));
        off.push(await storeRun(target, false));
      }
      say(row(target.name, 'store, replay on', on));
      say(row(target.name, 'store, replay off', off));
      const raw: Sample[] = [];
      for (let round = 0; round < 3; round++) raw.push(await rawRun(target));
      say(row(target.name, 'raw PFADD', raw));
    }
    const worstRedis = Math.max(...perAdd.map((p) => p.redisUs));
    const client = Math.max(
      ...perAdd.filter((p) => p.path.startsWith('store')).map((p) => p.clientUs),
    );
    say();
    say(
      `Derived: at ${worstRedis.toFixed(2)} µs of Redis CPU per add (the worst row), one Redis core ` +
        `absorbs about ${round(1 / worstRedis)} million user-adds a second; the store path is bound ` +
        `by the service's own CPU (up to ${client.toFixed(1)} µs per user, mostly the salted SHA-256), ` +
        'spread over its replicas. A user active in several flush intervals (1 s by default) is ' +
        'added once per interval per replica.',
    );
  });

  async function nodeFor(target: Target, tag: string): Promise<Redis> {
    if (target.name === 'one node') return target.node();
    return new Redis((await cluster.masterOf(await cluster.keySlot(tag))).port, '127.0.0.1');
  }

  async function measure(node: Redis, adds: number, work: () => Promise<void>): Promise<Sample> {
    const cpu0 = await cpuSeconds(node);
    const client0 = process.cpuUsage();
    const t0 = performance.now();
    await work();
    const seconds = (performance.now() - t0) / 1000;
    const client = process.cpuUsage(client0);
    const redisUs = ((await cpuSeconds(node)) - cpu0) * 1e6;
    return {
      perSecond: adds / seconds,
      redisUs: redisUs / adds,
      clientUs: (client.user + client.system) / adds,
    };
  }

  it('scrape read latency: getKpis over 30 dense day keys', async () => {
    say();
    say('## Reads');
    say();
    say(
      '30 day keys of 20,000 users each (dense). `getKpis()` is what a scrape costs: one pipeline of',
    );
    say('`PFCOUNT` over 1, 7 and 30 keys, the MRR hash, 30 `HMGET`s and the replay probe. 300');
    say('sequential calls after 20 warm-up calls; raw is `PFCOUNT` of the 30 keys alone.');
    say();
    say('| target | call | p50 ms | p95 ms | p99 ms |');
    say('| --- | --- | ---: | ---: | ---: |');
    for (const target of targets) {
      const days = Array.from({ length: 30 }, (_, day) =>
        kpis(target.store({ keyPrefix: '{read}:' }), day),
      );
      await Promise.all(days.map((business, day) => record(business, `r${day}-`, 20_000)));
      const reader = days.at(-1)!;
      const mau = (await reader.getKpis()).mau;
      expect(Math.abs(mau - 600_000) / 600_000).toBeLessThan(0.02);
      say(await latency(target.name, 'getKpis()', () => reader.getKpis()));
      const client = target.client();
      const keys = Array.from(
        { length: 30 },
        (_, day) => `{read}:users:${new Date(START + day * DAY_MS).toISOString().slice(0, 10)}`,
      );
      say(await latency(target.name, 'PFCOUNT of 30 keys', () => client.pfcount(...keys)));
      client.disconnect();
      await Promise.all(days.map((business) => business.close()));
    }
  });

  async function latency(name: string, call: string, run: () => Promise<unknown>): Promise<string> {
    for (let i = 0; i < 20; i++) await run();
    const samples: number[] = [];
    for (let i = 0; i < 300; i++) {
      const t0 = performance.now();
      await run();
      samples.push(performance.now() - t0);
    }
    samples.sort((a, b) => a - b);
    return `| ${name} | ${call} | ${ms(percentile(samples, 0.5))} | ${ms(percentile(samples, 0.95))} | ${ms(percentile(samples, 0.99))} |`;
  }
});
