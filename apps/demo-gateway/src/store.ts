// The business store: Redis when REDIS_URL is set (replicas share one count), memory otherwise.
import type { BusinessStore } from '@ai-orchestrator/business-metrics';

export async function businessStore(memoryStore: () => BusinessStore): Promise<BusinessStore> {
  const url = process.env.REDIS_URL;
  if (!url) return memoryStore();
  const { redisStore } = await import('@ai-orchestrator/business-metrics/redis');
  console.log(`business metrics in Redis at ${url}`);
  return redisStore({ url });
}
