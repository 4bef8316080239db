// Node.js runtime metrics: prom-client's default metrics, less the three gauges whose `_total`
// suffix says "counter" to Prometheus (promtool flags them). Each is the sum of its by-type gauge.
import { collectDefaultMetrics } from 'prom-client';
import type { AnyRegistry } from './types.js';

/** prom-client gauges named like counters; `sum without (type) (<name minus _total>)` replaces each. */
export const DROPPED_RUNTIME_METRICS = [
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
] as const;

/**
 * Registers prom-client's default metrics labelled with `service`, unless the registry has them.
 *
 * @example
 * collectRuntimeMetrics(registry, 'gateway');
 */
export function collectRuntimeMetrics(registry: AnyRegistry, service: string): void {
  // Someone (the app, or another createMetrics) already collects them on this registry.
  if (registry.getSingleMetric('process_cpu_user_seconds_total')) return;
  collectDefaultMetrics({ register: registry, labels: { service } });
  for (const name of DROPPED_RUNTIME_METRICS) registry.removeSingleMetric(name);
}
