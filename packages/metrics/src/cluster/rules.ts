// Which rule combines a metric over the workers: the user's override, then the contract's, then
// the table for prom-client's default metrics, then prom-client's own `aggregator` of the metric.
import { CONTRACT, RUNTIME_AGGREGATION, type Aggregation } from '../contract.js';

const CONTRACT_RULES = new Map(
  CONTRACT.filter((def) => def.aggregation !== undefined).map((def) => [def.name, def.aggregation]),
);

/** prom-client's aggregator names (`aggregator` on a metric's config) that are also ours. */
const PROM_CLIENT_RULES: Readonly<Record<string, Aggregation>> = {
  sum: 'sum',
  first: 'first',
  min: 'min',
  max: 'max',
  average: 'average',
  omit: 'omit',
};

/** Every rule, for option checks. */
export const AGGREGATIONS: readonly Aggregation[] = [
  'sum',
  'max',
  'min',
  'average',
  'first',
  'worker',
  'process',
  'omit',
];

/** Rules that keep a counter's or histogram's totals when a worker exits. */
const CARRIED: ReadonlySet<Aggregation> = new Set(['sum', 'worker', 'process']);

/**
 * The rule of the family `name` of prom-client type `type`. A histogram's buckets only add up,
 * so a histogram takes `sum` unless its rule keeps it per worker or leaves it out.
 *
 * @example
 * ruleOf('workflow_queue_size', 'gauge', undefined, {}); // 'sum'
 */
export function ruleOf(
  name: string,
  type: string,
  promRule: string | undefined,
  overrides: Readonly<Record<string, Aggregation>>,
): Aggregation {
  const rule =
    overrides[name] ??
    CONTRACT_RULES.get(name) ??
    RUNTIME_AGGREGATION[name] ??
    (promRule === undefined ? undefined : PROM_CLIENT_RULES[promRule]) ??
    'sum';
  if (type === 'histogram' && rule !== 'worker' && rule !== 'omit') return 'sum';
  return rule;
}

/**
 * True when an exited worker's values of this family are kept (counted on) rather than dropped:
 * counters and histograms under an adding rule. A `process` family is kept only when the
 * worker's process is gone, not for a thread of the primary's own process.
 *
 * @example
 * carriesOver('counter', 'sum', true); // true
 */
export function carriesOver(type: string, rule: Aggregation, processGone: boolean): boolean {
  if (type !== 'counter' && type !== 'histogram') return false;
  if (rule === 'process') return processGone;
  return CARRIED.has(rule);
}
