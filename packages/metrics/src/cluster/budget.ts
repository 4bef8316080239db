// The series budget after aggregation. Each worker holds at most `maxSeries` label sets of a
// metric group, but together they may hold more: the primary admits label sets to the same
// budget (first seen, for good, so series never flap) and folds the rest into the overflow
// series, which keeps `service` and the closed-set labels, as a worker's own overflow does.
import { CLOSED_LABELS, CONTRACT, OVERFLOW_VALUE, type MetricDefinition } from '../contract.js';
import { valuesKey } from './accumulators.js';

/** Each contract metric's group: the first contract metric with the same label names. */
const LEADERS = new Map<string, MetricDefinition>();
for (const def of CONTRACT) {
  const same = CONTRACT.find((other) => other.labelNames.join() === def.labelNames.join());
  LEADERS.set(def.name, same ?? def);
}

/** The label sets one metric group may hold at the primary. */
export class SeriesBudget {
  /** The group's label names, in the order label sets are keyed by. */
  readonly names: readonly string[];
  /** Labels the overflow series keeps (`service` and closed sets). */
  readonly keep: readonly boolean[];
  readonly #admitted = new Set<string>();
  max: number;

  constructor(def: MetricDefinition, max: number) {
    this.names = def.labelNames;
    const closed: readonly string[] = CLOSED_LABELS;
    this.keep = def.labelNames.map((name, i) => i === 0 || closed.includes(name));
    this.max = max;
  }

  /**
   * True when the label set `values[from…]` (in `names` order, keyed `key` by valuesKey) keeps
   * its own series: it is admitted already, the budget admits it now, or it is an overflow
   * series (a worker's own, or ours), which never takes a place.
   */
  admits(key: string, values: readonly (string | null)[], from: number): boolean {
    let overflow = true;
    for (let i = 0; i < this.keep.length && overflow; i++) {
      if (!this.keep[i] && values[from + i] !== OVERFLOW_VALUE) overflow = false;
    }
    if (overflow || this.#admitted.has(key)) return true;
    if (this.#admitted.size >= this.max) return false;
    this.#admitted.add(key);
    return true;
  }

  /** The values of the overflow series `values[from…]` folds into. */
  folded(values: readonly (string | null)[], from: number): (string | null)[] {
    return this.keep.map((kept, i) => (kept ? (values[from + i] ?? null) : OVERFLOW_VALUE));
  }

  /** `labels`, or its overflow labels when the budget is spent; `onFold` hears of each fold. */
  fold<L extends Readonly<Record<string, string | number>>>(
    labels: L,
    onFold: (key: string) => void,
  ): L {
    const values = this.names.map((name) => (name in labels ? String(labels[name]) : null));
    const key = valuesKey(values, 0, values.length);
    if (this.admits(key, values, 0)) return labels;
    onFold(key);
    const folded: Record<string, string | number> = { ...labels };
    this.names.forEach((name, i) => {
      if (!this.keep[i] && name in folded) folded[name] = OVERFLOW_VALUE;
    });
    return folded as L;
  }
}

/** The budgets of the contract's metric groups, at the largest size any worker reported. */
export class Budgets {
  readonly #budgets = new Map<string, SeriesBudget>();

  /** Takes the budgets one worker reported (by group leader). */
  report(budgets: Readonly<Record<string, number>>): void {
    for (const [name, max] of Object.entries(budgets)) {
      const def = LEADERS.get(name);
      if (!def || typeof max !== 'number' || !(max >= 1)) continue;
      const found = this.#budgets.get(def.name);
      if (!found) this.#budgets.set(def.name, new SeriesBudget(def, max));
      else found.max = Math.max(found.max, max);
    }
  }

  /** The budget the family `name` counts against, if a worker reported one for its group. */
  of(name: string): SeriesBudget | undefined {
    const leader = LEADERS.get(name);
    return leader === undefined ? undefined : this.#budgets.get(leader.name);
  }
}
