// Idempotent registration: asking twice for a contract metric returns the one already registered.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { AnyRegistry } from './types.js';
import type { MetricDefinition } from './contract.js';

type PromMetric = Counter | Gauge | Histogram;

function sameLabels(found: readonly string[], wanted: readonly string[]): boolean {
  return found.length === wanted.length && found.every((name, i) => name === wanted[i]);
}

/** True for a prom-client `Registry` (of either content type), checked by shape. */
export function isRegistry(value: unknown): value is AnyRegistry {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as AnyRegistry).registerMetric === 'function' &&
    typeof (value as AnyRegistry).getSingleMetric === 'function'
  );
}

/** The metric of `def` in `registry`, registering it on first use. */
export function ensureMetric(
  registry: AnyRegistry,
  def: MetricDefinition,
  options: { exemplars?: boolean } = {},
): PromMetric {
  const existing = registry.getSingleMetric(def.name) as
    (PromMetric & { labelNames?: string[]; type?: string }) | undefined;
  if (existing) {
    const labelNames = existing.labelNames ?? [];
    if (existing.type !== def.type || !sameLabels(labelNames, def.labelNames)) {
      throw new TypeError(
        `registry: metric ${def.name} is already registered as a ${String(existing.type)} ` +
          `with labels [${labelNames.join(', ')}]; the contract needs a ${def.type} ` +
          `with labels [${def.labelNames.join(', ')}]`,
      );
    }
    return existing;
  }
  const config = {
    name: def.name,
    help: def.help,
    labelNames: [...def.labelNames],
    registers: [registry as Registry],
  };
  switch (def.type) {
    case 'counter':
      return new Counter(config);
    case 'gauge':
      return new Gauge(config);
    case 'histogram': {
      // prom-client refuses exemplars on a text-format registry at construction; our renderer
      // serves both formats from one registry, so register after construction instead.
      const histogram = new Histogram({
        ...config,
        registers: [],
        buckets: [...(def.buckets ?? [])],
        enableExemplars: options.exemplars === true,
      });
      registry.registerMetric(histogram);
      return histogram;
    }
  }
}

export function ensureCounter(registry: AnyRegistry, def: MetricDefinition): Counter {
  return ensureMetric(registry, def) as Counter;
}

export function ensureGauge(registry: AnyRegistry, def: MetricDefinition): Gauge {
  return ensureMetric(registry, def) as Gauge;
}

export function ensureHistogram(
  registry: AnyRegistry,
  def: MetricDefinition,
  exemplars = false,
): Histogram {
  return ensureMetric(registry, def, { exemplars }) as Histogram;
}
