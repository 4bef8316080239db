import { execFile, execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { requireBinary, startRedis, type RedisServer } from '@ai-orchestrator/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const example = (name: string): string =>
  fileURLToPath(new URL(`../examples/${name}`, import.meta.url));

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
      const replica = async (...args: string[]): Promise<string> =>
        (
          await run(process.execPath, [example('replica.mjs'), ...args], {
            env: { ...process.env, REDIS_URL: redis.url },
          })
        ).stdout.trim();
      const mauOf = (line: string): number => Number(/mau=(\d+) stale=false/.exec(line)?.[1]);
      const a = await replica('a', '0', '999');
      expect(Math.abs(mauOf(a) - 1000) / 1000).toBeLessThan(0.02);
      const b = await replica('b', '500', '1499'); // 500 users overlap with a's
      const reader = await replica('c'); // records nothing, reads the shared state
      const mau = mauOf(b);
      expect(Math.abs(mau - 1500) / 1500).toBeLessThan(0.02);
      expect(reader).toBe(`c: mau=${mau} stale=false`);
    });
  });
});
