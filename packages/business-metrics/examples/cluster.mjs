// One replica of a service sharing its KPI state in a Redis Cluster. Run it several times: each run
// records its own users, and every run reports the MAU of all of them.
// Usage: REDIS_CLUSTER_NODES=127.0.0.1:7000,127.0.0.1:7001 node cluster.mjs <name> <first user> <last user>
import { createMetrics } from '@ai-orchestrator/metrics';
import { createBusinessMetrics } from '@ai-orchestrator/business-metrics';
import { redisStore } from '@ai-orchestrator/business-metrics/redis';

const [name = 'replica', first = '0', last = '-1'] = process.argv.slice(2);
const metrics = createMetrics({ serviceName: 'api' });
const business = createBusinessMetrics({
  metrics,
  store: redisStore({
    // Startup nodes: one reachable node is enough, the client discovers the others.
    cluster: { nodes: (process.env.REDIS_CLUSTER_NODES ?? '127.0.0.1:7000').split(',') },
    // Every key of this service on one slot: the {hash tag} of the prefix.
    keyPrefix: '{kpi:api}:',
  }),
  salt: process.env.BUSINESS_METRICS_SALT ?? 'example-salt-shared-by-all-replicas',
});

for (let id = Number(first); id <= Number(last); id++) business.recordUserActivity(`user-${id}`);
await business.flush();

const { mau, stale } = await business.getKpis();
console.log(`${name}: mau=${mau} stale=${stale}`);
await business.close();
