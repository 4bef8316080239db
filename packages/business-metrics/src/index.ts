export { createBusinessMetrics } from './business.js';
export { memoryStore } from './memory-store.js';
export type {
  ApiRequest,
  BusinessKpis,
  BusinessMetrics,
  BusinessMetricsOptions,
  BusinessStore,
  DayKey,
  StoreBatch,
  StoreCallOptions,
  StoreDropReason,
  StoreFailureReason,
  StoreQuery,
  StoreRejection,
  StoreSnapshot,
  StoreWriteResult,
  Subscription,
  SubscriptionChange,
} from './types.js';
