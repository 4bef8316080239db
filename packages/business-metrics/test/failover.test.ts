// Failover suite: a service on the built package writes new users without pause while the master
// holding its keys fails over, in a real Redis Cluster (3 masters, 1 replica each) and in a
// Sentinel setup (1 master, 2 replicas, 3 sentinels). The service runs as a child process with
// Node's defaults, so an unhandled rejection or uncaught exception would end it with exit code 1.
// Afterwards MAU must equal what was sent minus what was counted as dropped (within HLL error).
import {
  requireBinary,
  startRedisCluster,
  startRedisSentinel,
  type RedisCluster,
  type RedisSentinel,
} from '@ai-orchestrator/testkit';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runChild, type ChildRun } from './child-service.js';

const server = requireBinary('redis-server');
const cli = requireBinary('redis-cli');

// 1000 new users a second, through the failover and for FAULT_MS after it.
const CONFIG = {
  storeTimeoutMs: 1000,
  flushIntervalMs: 100,
  cacheTtlMs: 100,
  maxBufferedEvents: 50_000,
  loadEveryMs: 50,
  usersPerTick: 50,
  scrapeEveryMs: 300,
};
const FAULT_MS = 2000;
const HLL_ERROR = 0.03; // 2^14 registers: 0.81% standard error, so 3% is past 3 sigma
// Each test has its own keys (the same user names are sent by every run of the child).
let runs = 0;
const nextTag = () => `failover-${++runs}`;

function check(name: string, { code, stderr, final, byPhase }: ChildRun): void {
  // Exit 0 after close(): no unhandled rejection, no uncaught exception, nothing left holding it.
  expect(stderr).not.toMatch(/Unhandled|uncaught|triggerUncaughtException/i);
  expect(code).toBe(0);
  expect(final.kpis.stale).toBe(false);
  // Nothing lost but what was counted: MAU is what was sent minus the counted drops.
  const kept = final.sent - final.dropped;
  expect(final.kpis.mau).toBeGreaterThanOrEqual(kept * (1 - HLL_ERROR));
  expect(final.kpis.mau).toBeLessThanOrEqual(kept * (1 + HLL_ERROR));
  const errors = byPhase.get('recovery')?.at(-1)?.errors ?? {};
  console.info(
    `${name}: sent ${final.sent}, dropped ${final.dropped}, MAU ${final.kpis.mau} ` +
      `(${(((final.kpis.mau - kept) / kept) * 100).toFixed(2)}%), errors ${JSON.stringify(errors)}`,
  );
}

describe.skipIf(!server || !cli)('failover: Redis Cluster', () => {
  let cluster: RedisCluster;
  let tag: string;
  let slot: number;
  beforeAll(async () => {
    cluster = await startRedisCluster(server!, cli!);
  });
  beforeEach(async () => {
    tag = nextTag();
    slot = await cluster.keySlot(tag); // the slot of every key of the run
  });
  afterAll(async () => {
    await cluster?.stop();
  });
  const config = () => ({
    ...CONFIG,
    store: { cluster: { nodes: cluster.startupNodes }, keyPrefix: `{${tag}}:` },
  });

  it('loses nothing when a replica takes over (CLUSTER FAILOVER) during writes', async () => {
    const before = await cluster.masterOf(slot);
    const result = await runChild(config(), {
      healthyStart: true,
      faultMs: FAULT_MS,
      start: () => cluster.failover(slot),
      heal: () => undefined,
    });
    expect((await cluster.masterOf(slot)).port).not.toBe(before.port);
    check('CLUSTER FAILOVER', result);
  });

  it('loses nothing when the master is killed and its replica promoted during writes', async () => {
    let killed: Awaited<ReturnType<RedisCluster['killMaster']>> | undefined;
    const result = await runChild(config(), {
      healthyStart: true,
      faultMs: FAULT_MS,
      start: async () => (killed = await cluster.killMaster(slot)),
      // The killed node comes back as a replica of the promoted one.
      heal: async () => {
        await killed!.restart();
        await cluster.waitHealthy();
      },
    });
    check('master killed (Cluster)', result);
  });
});

describe.skipIf(!server || !cli)('failover: Redis Sentinel', () => {
  let setup: RedisSentinel;
  let tag: string;
  beforeAll(async () => {
    setup = await startRedisSentinel(server!, cli!);
  });
  beforeEach(async () => {
    tag = nextTag();
    await setup.waitStable(); // the last test's old master demoted, every replica following
  });
  afterAll(async () => {
    await setup?.stop();
  });
  const config = () => ({
    ...CONFIG,
    store: { sentinel: { sentinels: setup.sentinels, name: setup.name }, keyPrefix: `${tag}:` },
  });

  it('loses nothing on SENTINEL FAILOVER during writes', async () => {
    const before = await setup.master();
    const result = await runChild(config(), {
      healthyStart: true,
      faultMs: FAULT_MS,
      start: () => setup.failover(),
      heal: () => undefined,
    });
    expect((await setup.master()).port).not.toBe(before.port);
    check('SENTINEL FAILOVER', result);
  });

  // Why the replay log exists: the old master acknowledges writes until the sentinels demote it,
  // and those never reach the promoted replica.
  it('without replay (replayWindowMs: 0) loses what the old master took after the promotion', async () => {
    const { final } = await runChild(
      { ...config(), store: { ...config().store, replayWindowMs: 0 } },
      {
        healthyStart: true,
        faultMs: FAULT_MS,
        start: () => setup.failover(),
        heal: () => undefined,
      },
    );
    const kept = final.sent - final.dropped;
    console.info(`SENTINEL FAILOVER without replay: sent ${final.sent}, MAU ${final.kpis.mau}`);
    expect(final.kpis.mau).toBeLessThan(kept * (1 - HLL_ERROR));
  });

  it('loses nothing when the master is killed and a replica promoted during writes', async () => {
    let killed: Awaited<ReturnType<RedisSentinel['killMaster']>> | undefined;
    const result = await runChild(config(), {
      healthyStart: true,
      faultMs: FAULT_MS,
      start: async () => (killed = await setup.killMaster()),
      heal: () => killed!.restart(),
    });
    check('master killed (Sentinel)', result);
  });
});
