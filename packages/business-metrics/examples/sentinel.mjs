// One replica of a service sharing its KPI state in a Redis master managed by Sentinel: the store
// asks the sentinels where the master is and follows it through failovers.
// Usage: REDIS_SENTINELS=127.0.0.1:26379,127.0.0.1:26380 REDIS_MASTER_NAME=kpi node sentinel.mjs <name> <first> <last>
import { createMetrics } from '@ai-orchestrator/metrics';
import { createBusinessMetrics } from '@ai-orchestrator/business-metrics';
import { redisStore } from '@ai-orchestrator/business-metrics/redis';

const [name = 'replica', first = '0', last = '-1'] = process.argv.slice(2);
const sentinels = (process.env.REDIS_SENTINELS ?? '127.0.0.1:26379').split(',').map((address) => {
  const [host, port] = address.split(':');
  return { host, port: Number(port) };
});
const metrics = createMetrics({ serviceName: 'api' });
const business = createBusinessMetrics({
  metrics,
  store: redisStore({ sentinel: { sentinels, name: process.env.REDIS_MASTER_NAME ?? 'kpi' } }),
  salt: process.env.BUSINESS_METRICS_SALT ?? 'example-salt-shared-by-all-replicas',
});

for (let id = Number(first); id <= Number(last); id++) business.recordUserActivity(`user-${id}`);
await business.flush();

const { mau, stale } = await business.getKpis();
console.log(`${name}: mau=${mau} stale=${stale}`);
await business.close();
