// createBusinessMetrics: records KPIs locally, buffers what belongs in the store, and refreshes the
// gauges from the store when Prometheus scrapes.
import { performance } from 'node:perf_hooks';
import {
  ACTIVE_USER_WINDOWS,
  LabelLimiter,
  METRICS,
  ensureCounter,
  ensureGauge,
  ensureHistogram,
  type AnyRegistry,
  type Metrics,
} from '@ai-orchestrator/metrics';
import { EventBuffer } from './buffer.js';
import { firstFor, onCollect, withTimeout } from './collect.js';
import { readCoreKpis } from './core-kpis.js';
import { dayKey, windows } from './days.js';
import { PUBLIC_SALT, createHasher, randomSalt } from './hash.js';
import { memoryStore } from './memory-store.js';
import type {
  ApiRequest,
  BusinessKpis,
  BusinessMetrics,
  BusinessMetricsOptions,
  BusinessStore,
  StoreSnapshot,
  Subscription,
} from './types.js';
import {
  invalid,
  optionalPositiveInteger,
  requireAmountUnits,
  requireCurrency,
  requireId,
  requireObject,
  requireScore,
} from './validate.js';

const UNITS = 10_000;
const MAX_PLAN_LENGTH = 64;

function attempt<T>(call: () => Promise<T>): Promise<T> {
  try {
    return call();
  } catch (error) {
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
}

function checkStore(value: unknown): BusinessStore {
  const store = value as BusinessStore;
  if (
    typeof value !== 'object' ||
    value === null ||
    typeof store.write !== 'function' ||
    typeof store.read !== 'function' ||
    typeof store.close !== 'function'
  ) {
    throw invalid(
      'createBusinessMetrics',
      'store',
      value,
      'a store (memoryStore() or redisStore())',
    );
  }
  return store;
}

function chooseSalt(salt: unknown, store: BusinessStore): string {
  if (salt !== undefined) return requireId('createBusinessMetrics', 'salt', salt);
  const fromEnv = process.env.BUSINESS_METRICS_SALT;
  if (fromEnv) return fromEnv;
  if (!store.shared) return randomSalt();
  // Replicas must hash alike to count a user once; a public salt still keeps raw ids out of the store.
  process.emitWarning(
    '@ai-orchestrator/business-metrics: no salt given for a shared store; set the salt option ' +
      'or BUSINESS_METRICS_SALT to a secret shared by the replicas',
    'BusinessMetricsWarning',
  );
  return PUBLIC_SALT;
}

/**
 * Business KPIs for one service: active users (HyperLogLog), MRR, CSAT and API usage.
 *
 * @example
 * import { createMetrics } from '@ai-orchestrator/metrics';
 * import { createBusinessMetrics } from '@ai-orchestrator/business-metrics';
 * const business = createBusinessMetrics({ metrics: createMetrics({ serviceName: 'gateway' }) });
 * business.recordLogin('user-42');
 * const { dau, mrr } = await business.getKpis();
 */
export function createBusinessMetrics(options: BusinessMetricsOptions): BusinessMetrics {
  const where = 'createBusinessMetrics';
  const o = requireObject<BusinessMetricsOptions>(where, 'options', options);
  const metrics = requireObject<Metrics>(where, 'metrics', o.metrics);
  const service = requireId(where, 'metrics.serviceName', metrics.serviceName);
  const registry: AnyRegistry = metrics.registry;
  const store = checkStore(o.store ?? memoryStore());
  if (o.now !== undefined && typeof o.now !== 'function') {
    throw invalid(where, 'now', o.now, 'a function returning a Date');
  }
  const now = o.now ?? (() => new Date());
  const cacheTtlMs = optionalPositiveInteger(where, 'cacheTtlMs', o.cacheTtlMs, 5000);
  const flushIntervalMs = optionalPositiveInteger(
    where,
    'flushIntervalMs',
    o.flushIntervalMs,
    1000,
  );
  const flushBatchSize = optionalPositiveInteger(where, 'flushBatchSize', o.flushBatchSize, 1000);
  const maxBuffered = optionalPositiveInteger(
    where,
    'maxBufferedEvents',
    o.maxBufferedEvents,
    100_000,
  );
  const storeTimeoutMs = optionalPositiveInteger(where, 'storeTimeoutMs', o.storeTimeoutMs, 2000);
  const maxPlans = optionalPositiveInteger(where, 'maxPlans', o.maxPlans, 20);
  const hash = createHasher(chooseSalt(o.salt, store));

  const activeUsers = ensureGauge(registry, METRICS.businessActiveUsers);
  const logins = ensureCounter(registry, METRICS.businessUserLogins);
  const workflowsCreated = ensureCounter(registry, METRICS.businessWorkflowsCreated);
  const mrrGauge = ensureGauge(registry, METRICS.businessMonthlyRecurringRevenue);
  const satisfaction = ensureHistogram(registry, METRICS.businessCustomerSatisfaction);
  const apiRequests = ensureCounter(registry, METRICS.businessApiRequests);
  const storeErrors = ensureCounter(registry, METRICS.businessStoreErrors);
  const lastSuccess = ensureGauge(registry, METRICS.businessKpiLastSuccess);
  const overflow = ensureCounter(registry, METRICS.labelOverflow);
  const plans = new LabelLimiter(maxPlans, MAX_PLAN_LENGTH, () =>
    overflow.inc({ service, metric: METRICS.businessApiRequests.name, label: 'plan' }),
  );

  // Series exist from the start, so rate() and staleness alerts see them before the first event.
  logins.inc({ service }, 0);
  workflowsCreated.inc({ service }, 0);
  for (const operation of ['write', 'read', 'drop']) storeErrors.inc({ service, operation }, 0);
  if (firstFor(lastSuccess, service)) lastSuccess.set({ service }, 0);

  let reported = false;
  const fail = (operation: 'write' | 'read' | 'drop', error: unknown, count = 1): void => {
    storeErrors.inc({ service, operation }, count);
    if (reported) return;
    reported = true; // one warning per instance: a dead store must not flood the service's logs
    const message = error instanceof Error ? error.message : String(error);
    process.emitWarning(
      `@ai-orchestrator/business-metrics: store ${operation} failed (${message}); ` +
        `events are buffered up to maxBufferedEvents and retried`,
      'BusinessMetricsWarning',
    );
  };

  const buffer = new EventBuffer(maxBuffered, (n) =>
    fail('drop', 'the buffer is full, events dropped', n),
  );
  let writing: Promise<void> | undefined;
  let healthy = true;
  let closed = false;

  async function writeOnce(): Promise<void> {
    const batch = buffer.take();
    if (!batch) return;
    try {
      await withTimeout(
        attempt(() => store.write(batch)),
        storeTimeoutMs,
        'store write',
      );
      healthy = true;
    } catch (error) {
      healthy = false;
      fail('write', error);
      buffer.restore(batch);
    }
  }

  function startWrite(): Promise<void> {
    writing ??= writeOnce().finally(() => (writing = undefined));
    return writing;
  }

  async function flush(): Promise<void> {
    if (writing) await writing;
    if (buffer.size > 0) await startWrite();
  }

  const maybeFlush = (): void => {
    if (healthy && !writing && buffer.size >= flushBatchSize) void startWrite();
  };
  const timer = setInterval(() => void flush(), flushIntervalMs);
  timer.unref();

  let snapshot: StoreSnapshot | undefined;
  let snapshotAt: Date | null = null;
  let stale = false;
  let attemptedAt = -Infinity;
  let reading: Promise<void> | undefined;
  const currencies = new Set<string>();

  function publish(s: StoreSnapshot): void {
    const [day, week, month] = ACTIVE_USER_WINDOWS;
    activeUsers.set({ service, window: day }, s.dau);
    activeUsers.set({ service, window: week }, s.wau);
    activeUsers.set({ service, window: month }, s.mau);
    for (const currency of Object.keys(s.mrrUnits)) currencies.add(currency);
    // A currency whose last subscription ended reads 0 rather than its last amount.
    for (const currency of currencies) {
      mrrGauge.set({ service, currency }, (s.mrrUnits[currency] ?? 0) / UNITS);
    }
    lastSuccess.set({ service }, (snapshotAt?.getTime() ?? 0) / 1000);
  }

  async function readOnce(): Promise<void> {
    if (writing) await writing;
    // Write before read on the same connection: a scrape sees this process's latest events in one trip.
    const written = flush();
    const read = withTimeout(
      attempt(() => store.read(windows(now()))),
      storeTimeoutMs,
      'store read',
    );
    await written;
    try {
      snapshot = await read;
      snapshotAt = now();
      stale = false;
      publish(snapshot);
    } catch (error) {
      stale = true;
      fail('read', error);
    }
    attemptedAt = performance.now();
  }

  function refresh(force: boolean): Promise<void> {
    if (reading) return reading;
    if (!force && performance.now() - attemptedAt < cacheTtlMs) return Promise.resolve();
    reading = readOnce().finally(() => (reading = undefined));
    return reading;
  }

  const scrape = (): Promise<void> => (closed ? Promise.resolve() : refresh(false));
  const detach = [activeUsers, mrrGauge, lastSuccess].map((g) => onCollect(g, scrape));

  function active(userId: string): void {
    buffer.addUser(dayKey(now()), hash(userId));
    maybeFlush();
  }

  return {
    recordLogin(userId) {
      requireId('recordLogin', 'userId', userId);
      logins.inc({ service });
      active(userId);
    },
    recordUserActivity(userId) {
      requireId('recordUserActivity', 'userId', userId);
      active(userId);
    },
    recordWorkflowCreated() {
      workflowsCreated.inc({ service });
    },
    recordSubscription(subscription: Subscription) {
      const at = 'recordSubscription';
      const s = requireObject<Subscription>(at, 'subscription', subscription);
      const customer = hash(requireId(at, 'customerId', s.customerId));
      requireId(at, 'plan', s.plan);
      const amountUnits = requireAmountUnits(at, 'monthlyAmount', s.monthlyAmount);
      const currency = requireCurrency(at, 'currency', s.currency);
      buffer.addSubscription({ type: 'set', customer, currency, amountUnits });
      maybeFlush();
    },
    cancelSubscription(customerId) {
      const customer = hash(requireId('cancelSubscription', 'customerId', customerId));
      buffer.addSubscription({ type: 'cancel', customer });
      maybeFlush();
    },
    recordSatisfaction(score) {
      requireScore('recordSatisfaction', 'score', score);
      satisfaction.observe({ service }, score);
      buffer.addSatisfaction(dayKey(now()), 1, score >= 4 ? 1 : 0);
      maybeFlush();
    },
    recordApiRequest(request: ApiRequest) {
      const r = requireObject<ApiRequest>('recordApiRequest', 'request', request);
      const plan = requireId('recordApiRequest', 'plan', r.plan);
      apiRequests.inc({ service, plan: plans.admit(plan) });
    },
    flush,
    async getKpis(): Promise<BusinessKpis> {
      await refresh(true);
      const core = await readCoreKpis(registry, service);
      const s = snapshot;
      const mrr: Record<string, number> = {};
      for (const [currency, units] of Object.entries(s?.mrrUnits ?? {})) {
        if (units !== 0) mrr[currency] = units / UNITS;
      }
      return {
        dau: s?.dau ?? 0,
        wau: s?.wau ?? 0,
        mau: s?.mau ?? 0,
        mrr,
        csat: s && s.csatResponses > 0 ? s.csatSatisfied / s.csatResponses : null,
        csatResponses: s?.csatResponses ?? 0,
        ...core,
        asOf: snapshotAt,
        stale,
      };
    },
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(timer);
      for (const d of detach) d();
      await flush();
      await store.close();
    },
  };
}
