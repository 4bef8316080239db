// What createMetrics keeps per registry, shared by every service recorded on it.
import type { LabelLimiter } from './labels.js';
import type { SeriesTable } from './series.js';
import type { AnyRegistry, LabelLimits, Metrics } from './types.js';

export interface RegistryState {
  /** By `metric\0label`. */
  readonly limiters: Map<string, LabelLimiter>;
  /** By the name of the first metric of a group of metrics sharing label sets. */
  readonly tables: Map<string, SeriesTable>;
  /** By service name. */
  readonly facades: Map<string, Metrics>;
  readonly limits: LabelLimits;
}

const states = new WeakMap<AnyRegistry, RegistryState>();

/** The registry's state; the first call's limits hold for the registry. */
export function stateOf(registry: AnyRegistry, limits: LabelLimits): RegistryState {
  let state = states.get(registry);
  if (!state) {
    state = { limiters: new Map(), tables: new Map(), facades: new Map(), limits };
    states.set(registry, state);
  }
  return state;
}

/** The first service createMetrics recorded on `registry`, if any. */
export function serviceOf(registry: AnyRegistry): string | undefined {
  const facades = states.get(registry)?.facades;
  return facades === undefined ? undefined : facades.keys().next().value;
}

/** The series budget of each metric group createMetrics made on `registry`, by the group's first metric. */
export function seriesBudgets(registry: AnyRegistry): Record<string, number> {
  const budgets: Record<string, number> = {};
  for (const [name, table] of states.get(registry)?.tables ?? []) {
    if (Number.isFinite(table.max)) budgets[name] = table.max;
  }
  return budgets;
}
