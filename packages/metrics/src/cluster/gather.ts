// The primary's workers: who is linked, the last snapshot of each, and one round of requests per
// scrape in which every worker has its own deadline. A worker that misses it (hung, busy or dying)
// is served from its last snapshot and counted stale; it never holds the scrape up any longer.
import type { LinkEvents, WorkerLink } from './links.js';
import type { FamilySnapshot, Snapshot, SnapshotPart } from './protocol.js';

export interface WorkerState {
  readonly link: WorkerLink;
  /**
   * The `worker` label: the lowest slot free when it joined, so a replacement takes the place
   * (and the carried totals) of the worker it replaces.
   */
  readonly worker: string;
  last: Snapshot | undefined;
}

type Outcome = 'fresh' | 'timeout' | 'error' | 'gone';

interface Pending {
  readonly id: number;
  readonly families: FamilySnapshot[];
  finish(outcome: Outcome): void;
}

/** Workers that did not give a fresh snapshot in a round, by why. */
export interface RoundResult {
  readonly timeout: number;
  readonly error: number;
}

export class Gatherer implements LinkEvents {
  readonly #workers = new Map<string, WorkerState>();
  readonly #pending = new Map<string, Pending>();
  readonly #onLeave: (state: WorkerState) => void;
  readonly #onUnknownThread: (threadId: number) => void;
  // Two primaries in one process (or two copies of this package) never share request ids.
  #nextId = Math.floor(Math.random() * 2 ** 40);
  #round: Promise<RoundResult> | undefined;

  constructor(onLeave: (state: WorkerState) => void, onUnknownThread: (threadId: number) => void) {
    this.#onLeave = onLeave;
    this.#onUnknownThread = onUnknownThread;
  }

  /** Linked workers, in slot order. */
  get workers(): WorkerState[] {
    return [...this.#workers.values()].sort((a, b) => Number(a.worker) - Number(b.worker));
  }

  join(link: WorkerLink): void {
    if (this.#workers.has(link.key)) return;
    const taken = new Set([...this.#workers.values()].map((state) => state.worker));
    let slot = 0;
    while (taken.has(String(slot))) slot++;
    this.#workers.set(link.key, { link, worker: String(slot), last: undefined });
  }

  leave(key: string): void {
    const state = this.#workers.get(key);
    if (!state) return;
    this.#workers.delete(key);
    this.#pending.get(key)?.finish('gone');
    this.#onLeave(state);
  }

  part(key: string, part: SnapshotPart): void {
    const pending = this.#pending.get(key);
    if (!pending || pending.id !== part.id) return;
    if (part.error !== undefined) {
      pending.finish('error');
      return;
    }
    for (const family of part.families) pending.families.push(family);
    if (!part.last) return;
    const state = this.#workers.get(key);
    if (state) {
      state.last = {
        pid: part.pid ?? 0,
        takenAt: part.takenAt ?? Date.now(),
        families: pending.families,
        budgets: part.budgets ?? {},
      };
    }
    pending.finish('fresh');
  }

  /** Lets every worker go, as if it had exited: the primary stopped following them. */
  clear(): void {
    for (const key of [...this.#workers.keys()]) this.leave(key);
  }

  unknownThread(threadId: number): void {
    this.#onUnknownThread(threadId);
  }

  /** Asks every worker for a snapshot; concurrent scrapes share one round. */
  gather(timeoutMs: number): Promise<RoundResult> {
    this.#round ??= this.#gatherRound(timeoutMs).finally(() => {
      this.#round = undefined;
    });
    return this.#round;
  }

  async #gatherRound(timeoutMs: number): Promise<RoundResult> {
    const id = this.#nextId++;
    const outcomes = await Promise.all(
      [...this.#workers.values()].map((state) => this.#ask(state, id, timeoutMs)),
    );
    return {
      timeout: outcomes.filter((outcome) => outcome === 'timeout').length,
      error: outcomes.filter((outcome) => outcome === 'error').length,
    };
  }

  #ask(state: WorkerState, id: number, timeoutMs: number): Promise<Outcome> {
    return new Promise<Outcome>((resolve) => {
      const key = state.link.key;
      let done = false;
      const pending: Pending = {
        id,
        families: [],
        finish: (outcome) => {
          if (done) return;
          done = true;
          clearTimeout(timer);
          if (this.#pending.get(key) === pending) this.#pending.delete(key);
          resolve(outcome);
        },
      };
      const timer = setTimeout(() => pending.finish('timeout'), timeoutMs);
      this.#pending.set(key, pending);
      try {
        state.link.request(id);
      } catch {
        pending.finish('error');
      }
    });
  }
}
