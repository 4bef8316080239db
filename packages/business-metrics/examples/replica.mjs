// One replica of a service sharing its KPI state in Redis. Run it several times (as several pods
// would run): each run records its own users, and every run reports the MAU of all of them.
// Usage: REDIS_URL=redis://127.0.0.1:6379 node replica.mjs <name> <first user> <last user>
import { createMetrics } from '@ai-orchestrator/metrics';
import { createBusinessMetrics } from '@ai-orchestrator/business-metrics';
import { redisStore } from '@ai-orchestrator/business-metrics/redis';

const [name = 'replica', first = '0', last = '-1'] = process.argv.slice(2);
const metrics = createMetrics({ serviceName: 'api' });
const business = createBusinessMetrics({
  metrics,
  store: redisStore({ url: process.env.REDIS_URL }),
  salt: process.env.BUSINESS_METRICS_SALT ?? 'example-salt-shared-by-all-replicas',
});

for (let id = Number(first); id <= Number(last); id++) business.recordUserActivity(`user-${id}`);
await business.flush();

const { mau, stale } = await business.getKpis();
console.log(`${name}: mau=${mau} stale=${stale}`);
await business.close();
