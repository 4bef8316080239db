import { execFile, execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import {
  requireBinary,
  startRedis,
  startRedisCluster,
  startRedisSentinel,
  type RedisCluster,
  type RedisSentinel,
  type RedisServer,
} from '@ai-orchestrator/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const example = (name: string): string =>
  fileURLToPath(new URL(`../examples/${name}`, import.meta.url));
const mauOf = (line: string): number => Number(/mau=(\d+) stale=false/.exec(line)?.[1]);

/** Runs an example three times as three replicas: a (users 0-999), b (500-1499), c (reads only). */
async function threeReplicas(file: string, env: Record<string, string>) {
  const replica = async (...args: string[]): Promise<string> =>
    (
      await run(process.execPath, [example(file), ...args], { env: { ...process.env, ...env } })
    ).stdout.trim();
  const a = await replica('a', '0', '999');
  const b = await replica('b', '500', '1499'); // 500 users overlap with a's
  const c = await replica('c'); // records nothing, reads the shared state
  return { a, b, c };
}

/** Lines of `block` (blank ones aside) appear in `source` in the same order. */
function inOrder(block: string, source: string): boolean {
  let from = 0;
  for (const line of block.split('\n').filter((l) => l.trim() !== '')) {
    const at = source.indexOf(line, from);
    if (at < 0) return false;
    from = at + line.length;
  }
  return true;
}

// Runs the README examples against the built package, as a user would.
describe('README examples', () => {
  it('quickstart: records every KPI with the memory store', () => {
    const out = execFileSync(process.execPath, [example('quickstart.mjs')], { encoding: 'utf8' });
    const [json = '{}', ...lines] = out.trim().split('\n');
    expect(JSON.parse(json)).toMatchObject({
      dau: 2,
      wau: 2,
      mau: 2,
      mrr: { USD: 199 },
      csat: 0.5,
      csatResponses: 2,
      workflowSuccessRate: 1,
      averageResponseTimeSeconds: null,
      stale: false,
    });
    expect(lines).toContain('business_active_users{service="quickstart",window="30d"} 2');
    expect(lines).toContain(
      'business_monthly_recurring_revenue{service="quickstart",currency="USD"} 199',
    );
    expect(lines).toContain('business_api_requests_total{service="quickstart",plan="pro"} 1');
  });

  const bin = requireBinary('redis-server');
  describe.skipIf(!bin)('replica: several processes share one Redis', () => {
    let redis: RedisServer;
    beforeAll(async () => {
      redis = await startRedis(bin!);
    });
    afterAll(async () => {
      await redis.stop();
    });

    it('reports the users of every replica from each of them', async () => {
      const { a, b, c } = await threeReplicas('replica.mjs', { REDIS_URL: redis.url });
      expect(Math.abs(mauOf(a) - 1000) / 1000).toBeLessThan(0.02);
      const mau = mauOf(b);
      expect(Math.abs(mau - 1500) / 1500).toBeLessThan(0.02);
      expect(c).toBe(`c: mau=${mau} stale=false`);
    });
  });

  const cli = requireBinary('redis-cli');
  describe.skipIf(!bin || !cli)('cluster: replicas share a Redis Cluster', () => {
    let cluster: RedisCluster;
    beforeAll(async () => {
      cluster = await startRedisCluster(bin!, cli!);
    });
    afterAll(async () => {
      await cluster?.stop();
    });

    it('reports the users of every replica from each of them', async () => {
      const nodes = cluster.startupNodes.map((n) => `${n.host}:${n.port}`).join(',');
      const { a, b, c } = await threeReplicas('cluster.mjs', { REDIS_CLUSTER_NODES: nodes });
      expect(Math.abs(mauOf(a) - 1000) / 1000).toBeLessThan(0.02);
      expect(Math.abs(mauOf(b) - 1500) / 1500).toBeLessThan(0.02);
      expect(c).toBe(`c: mau=${mauOf(b)} stale=false`);
    });
  });

  describe.skipIf(!bin || !cli)('sentinel: replicas share a Sentinel-managed master', () => {
    let setup: RedisSentinel;
    beforeAll(async () => {
      setup = await startRedisSentinel(bin!, cli!);
    });
    afterAll(async () => {
      await setup?.stop();
    });

    it('reports the users of every replica from each of them', async () => {
      const sentinels = setup.sentinels.map((s) => `${s.host}:${s.port}`).join(',');
      const env = { REDIS_SENTINELS: sentinels, REDIS_MASTER_NAME: setup.name };
      const { a, b, c } = await threeReplicas('sentinel.mjs', env);
      expect(Math.abs(mauOf(a) - 1000) / 1000).toBeLessThan(0.02);
      expect(Math.abs(mauOf(b) - 1500) / 1500).toBeLessThan(0.02);
      expect(c).toBe(`c: mau=${mauOf(b)} stale=false`);
    });
  });

  it('shows in the README only code that an example file runs', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const dir = new URL('../examples/', import.meta.url);
    const sources = readdirSync(dir).map((f) => readFileSync(new URL(f, dir), 'utf8'));
    const blocks = [...readme.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]!);
    expect(blocks.length).toBeGreaterThanOrEqual(4);
    for (const block of blocks)
      expect(
        sources.some((s) => inOrder(block, s)),
        block,
      ).toBe(true);
  });
});
