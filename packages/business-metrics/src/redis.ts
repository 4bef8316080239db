// Entry `@ai-orchestrator/business-metrics/redis`: only this entry imports ioredis.
export { redisStore } from './redis-store.js';
export type { RedisStoreOptions } from './redis-types.js';
