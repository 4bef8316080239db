// createBusinessMetrics: the public object over its parts — options, the store writer (buffer,
// flush, health) and the KPI reader (snapshot, TTL, gauges).
import {
  LabelLimiter,
  METRICS,
  ensureCounter,
  ensureGauge,
  ensureHistogram,
} from '@ai-orchestrator/metrics';
import { callStore } from './call.js';
import { onCollect } from './collect.js';
import { readCoreKpis } from './core-kpis.js';
import { dayKey } from './days.js';
import { StoreHealth } from './health.js';
import { resolveOptions } from './options.js';
import { KpiReader } from './reader.js';
import type {
  ApiRequest,
  BusinessKpis,
  BusinessMetrics,
  BusinessMetricsOptions,
  Subscription,
} from './types.js';
import {
  requireAmountUnits,
  requireCurrency,
  requireId,
  requireObject,
  requireScore,
} from './validate.js';
import { StoreWriter } from './writer.js';

const MAX_PLAN_LENGTH = 64;

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
  const o = resolveOptions(options);
  const { service, registry, store, now, hash } = o;
  const logins = ensureCounter(registry, METRICS.businessUserLogins);
  const workflowsCreated = ensureCounter(registry, METRICS.businessWorkflowsCreated);
  const satisfaction = ensureHistogram(registry, METRICS.businessCustomerSatisfaction);
  const apiRequests = ensureCounter(registry, METRICS.businessApiRequests);
  const overflow = ensureCounter(registry, METRICS.labelOverflow);
  const plans = new LabelLimiter(o.maxPlans, MAX_PLAN_LENGTH, () =>
    overflow.inc({ service, metric: METRICS.businessApiRequests.name, label: 'plan' }),
  );
  // Series exist from the start, so rate() sees them before the first event.
  logins.inc({ service }, 0);
  workflowsCreated.inc({ service }, 0);

  const health = new StoreHealth(registry, service, o.maxBufferedEvents);
  const writer = new StoreWriter({ ...o, store, health, timeoutMs: o.storeTimeoutMs });
  const activeUsers = ensureGauge(registry, METRICS.businessActiveUsers);
  const mrr = ensureGauge(registry, METRICS.businessMonthlyRecurringRevenue);
  const reader = new KpiReader({
    ...o,
    writer,
    health,
    timeoutMs: o.storeTimeoutMs,
    activeUsers,
    mrr,
  });
  let closed = false;
  let storeClosed: Promise<void> | undefined;
  // Bounded like every store call: quitting a frozen Redis must not hang the caller's shutdown.
  const closeStore = (): Promise<void> =>
    (storeClosed ??= callStore('store close', o.storeTimeoutMs, (signal) =>
      store.close({ signal }),
    ).result.then((outcome) => {
      if (!outcome.ok) health.closeFailed(outcome.error);
    }));
  const scrape = (): Promise<void> => (closed ? Promise.resolve() : reader.refresh(false));
  const lastSuccess = ensureGauge(registry, METRICS.businessKpiLastSuccess);
  const detach = [activeUsers, mrr, lastSuccess].map((g) => onCollect(g, scrape));

  return {
    recordLogin(userId) {
      requireId('recordLogin', 'userId', userId);
      logins.inc({ service });
      writer.addUser(dayKey(now()), hash(userId));
    },
    recordUserActivity(userId) {
      requireId('recordUserActivity', 'userId', userId);
      writer.addUser(dayKey(now()), hash(userId));
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
      writer.addSubscription({ type: 'set', customer, currency, amountUnits });
    },
    cancelSubscription(customerId) {
      const customer = hash(requireId('cancelSubscription', 'customerId', customerId));
      writer.addSubscription({ type: 'cancel', customer });
    },
    recordSatisfaction(score) {
      requireScore('recordSatisfaction', 'score', score);
      satisfaction.observe({ service }, score);
      writer.addSatisfaction(dayKey(now()), score >= 4);
    },
    recordApiRequest(request: ApiRequest) {
      const r = requireObject<ApiRequest>('recordApiRequest', 'request', request);
      const plan = requireId('recordApiRequest', 'plan', r.plan);
      apiRequests.inc({ service, plan: plans.admit(plan) });
    },
    flush: () => writer.flush(),
    async getKpis(): Promise<BusinessKpis> {
      await reader.refresh(true);
      const { asOf, stale, storeError, ...kpis } = reader.kpis();
      const core = await readCoreKpis(registry, service);
      return { ...kpis, ...core, asOf, stale, storeError };
    },
    async close() {
      if (!closed) {
        closed = true;
        for (const d of detach) d();
      }
      await writer.close();
      await closeStore();
    },
  };
}
