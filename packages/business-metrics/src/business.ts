// createBusinessMetrics: the public object over its parts — options, record calls, the store writer
// (buffer, flush, health) and the KPI reader (snapshot, TTL, gauges).
import { METRICS } from '@ai-orchestrator/metrics';
import { ensureGauge } from '@ai-orchestrator/metrics/adapter';
import { callStore } from './call.js';
import { onCollect } from './collect.js';
import { readCoreKpis } from './core-kpis.js';
import { StoreHealth } from './health.js';
import { resolveOptions } from './options.js';
import { KpiReader } from './reader.js';
import { createRecorders } from './recorders.js';
import type { BusinessKpis, BusinessMetrics, BusinessMetricsOptions } from './types.js';
import { StoreWriter } from './writer.js';

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
  const resolved = resolveOptions(options);
  const { service, registry, store, storeTimeoutMs: timeoutMs } = resolved;
  const health = new StoreHealth(registry, service, resolved.maxBufferedEvents);
  const writer = new StoreWriter({ ...resolved, health, timeoutMs });
  const activeUsers = ensureGauge(registry, METRICS.businessActiveUsers);
  const mrr = ensureGauge(registry, METRICS.businessMonthlyRecurringRevenue);
  const reader = new KpiReader({ ...resolved, writer, health, timeoutMs, activeUsers, mrr });

  let closed = false;
  const scrape = (): Promise<void> => (closed ? Promise.resolve() : reader.refresh(false));
  const lastSuccess = ensureGauge(registry, METRICS.businessKpiLastSuccess);
  const detach = [activeUsers, mrr, lastSuccess].map((gauge) => onCollect(gauge, scrape));
  let storeClosed: Promise<void> | undefined;
  // Bounded like every store call: quitting a frozen Redis must not hang the caller's shutdown.
  const closeStore = (): Promise<void> =>
    (storeClosed ??= callStore('store close', timeoutMs, (signal) =>
      store.close({ signal }),
    ).result.then((outcome) => {
      if (!outcome.ok) health.closeFailed(outcome.error);
    }));

  return {
    ...createRecorders(resolved, writer),
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
        for (const stop of detach) stop();
      }
      await writer.close();
      await closeStore();
    },
  };
}
