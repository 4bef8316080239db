// Counter carry-over: the totals of workers that exited. Every later merge adds them, so a summed
// counter stays flat when a worker dies and grows again as its replacement counts from zero,
// instead of dropping (which rate() would read as a reset and count the survivors' totals anew).
import { Merger, type MergeOptions } from './merge.js';
import type { Snapshot } from './protocol.js';
import { carriesOver, ruleOf } from './rules.js';

export class Carry {
  readonly #merger: Merger;
  readonly #options: MergeOptions;

  constructor(options: MergeOptions) {
    this.#merger = new Merger(options);
    this.#options = options;
  }

  /**
   * Keeps the counters and histograms of `snapshot`, the last one of a worker that exited.
   * What it counted after that snapshot is lost: at most one scrape interval.
   */
  keep(snapshot: Snapshot, worker: string): void {
    // A worker thread's process is the primary's own, which is still running.
    const processGone = snapshot.pid !== process.pid;
    const origin = { worker, pid: snapshot.pid, takenAt: snapshot.takenAt };
    // Its label sets count against the budget like every worker's, even if it never was merged.
    this.#options.budgets.report(snapshot.budgets);
    for (const family of snapshot.families) {
      const type = family.kind === 'histogram' ? 'histogram' : family.type;
      const rule = ruleOf(family.name, type, family.rule, this.#options.overrides);
      if (carriesOver(type, rule, processGone)) this.#merger.add(family, origin);
    }
  }

  /** Adds the carried totals to a merge. */
  addTo(merger: Merger): void {
    merger.absorb(this.#merger);
  }
}
