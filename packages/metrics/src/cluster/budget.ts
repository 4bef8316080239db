// The series budget after aggregation. Each worker holds at most `maxSeries` label sets of a
// metric group, but together they may hold more: the primary admits label sets to the same
// budget (first seen, for good, so series never flap) and folds the rest into the overflow
// series, which keeps `service` and the closed-set labels, as a worker's own overflow does.
import { CLOSED_LABELS, CONTRACT, OVERFLOW_VALUE, type MetricDefinition } from '../contract.js';

/** Each contract metric's group: the first contract metric with the same label names. */
const LEADERS = new Map<string, MetricDefinition>();
for (const def of CONTRACT) {
  const same = CONTRACT.find((other) => other.labelNames.join() === def.labelNames.join());
  LEADERS.set(def.name, same ?? def);
}

/** The label sets one metric group may hold at the primary. */
export class SeriesBudget {
  readonly #names: readonly string[];
  readonly #keep: readonly boolean[];
  readonly #admitted = new Set<string>();
  max: number;

  constructor(def: MetricDefinition, max: number) {
    this.#names = def.labelNames;
    const closed: readonly string[] = CLOSED_LABELS;
    this.#keep = def.labelNames.map((name, i) => i === 0 || closed.includes(name));
    this.max = max;
  }

  /** `labels`, or its overflow labels when the budget is spent; `onFold` hears of each fold. */
  fold<L extends Readonly<Record<string, string | number>>>(
    labels: L,
    onFold: (key: string) => void,
  ): L {
    const names = this.#names;
    let overflow = true;
    let key = '';
    for (let i = 0; i < names.length; i++) {
      const value = labels[names[i] as string];
      if (!this.#keep[i] && value !== OVERFLOW_VALUE) overflow = false;
      key += `${JSON.stringify(value ?? null)},`;
    }
    // An overflow series (a worker's own, or ours) never takes a place in the budget.
    if (overflow || this.#admitted.has(key)) return labels;
    if (this.#admitted.size < this.max) {
      this.#admitted.add(key);
      return labels;
    }
    onFold(key);
    const folded: Record<string, string | number> = { ...labels };
    names.forEach((name, i) => {
      if (!this.#keep[i] && name in folded) folded[name] = OVERFLOW_VALUE;
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
