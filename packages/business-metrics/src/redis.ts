// Entry `@ai-orchestrator/business-metrics/redis`: only this entry imports ioredis.
export { redisStore } from './redis-store.js';
export type { RedisClusterConfig, RedisSentinelConfig, RedisStoreOptions } from './redis-types.js';
