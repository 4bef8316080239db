// Store calls bounded in time: the caller has an answer by the deadline while the call may run on.
import { StoreTimeoutError, toError } from './reason.js';

export type Outcome<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: Error };

export interface StoreCall<T> {
  /** The outcome, or a StoreTimeoutError after `ms` (the call's signal is then aborted). Never rejects. */
  readonly result: Promise<Outcome<T>>;
  /** The outcome once the store itself answers; never rejects. Until then the call is in flight. */
  readonly settled: Promise<Outcome<T>>;
}

/**
 * Runs `run` with an AbortSignal that fires after `ms`. Whatever `run` does (throw, reject with a
 * non-Error, hang) both promises resolve, so nothing is ever left to reject unobserved.
 */
export function callStore<T>(
  what: string,
  ms: number,
  run: (signal: AbortSignal) => PromiseLike<T> | T,
): StoreCall<T> {
  const controller = new AbortController();
  const ok = (value: T): Outcome<T> => ({ ok: true, value });
  const failed = (error: unknown): Outcome<T> => ({ ok: false, error: toError(error) });
  let settled: Promise<Outcome<T>>;
  try {
    settled = Promise.resolve(run(controller.signal)).then(ok, failed);
  } catch (error) {
    settled = Promise.resolve(failed(error));
  }
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<Outcome<T>>((resolve) => {
    timer = setTimeout(() => {
      const error = new StoreTimeoutError(what, ms);
      resolve({ ok: false, error });
      controller.abort(error);
    }, ms);
  });
  const result = Promise.race([settled, late]).then((outcome) => {
    clearTimeout(timer);
    return outcome;
  });
  return { result, settled };
}

/**
 * Waiters on something in flight, each for at most its own deadline. A wait that times out leaves
 * nothing behind, so a call that never ends does not collect callbacks from every scrape.
 */
export class Waiters {
  readonly #waiting = new Set<() => void>();
  #released = false;

  /** True once `release()` was called, false when `ms` passed first. */
  wait(ms: number): Promise<boolean> {
    if (this.#released) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (released: boolean): void => {
        clearTimeout(timer);
        this.#waiting.delete(wake);
        resolve(released);
      };
      const wake = (): void => done(true);
      const timer = setTimeout(() => done(false), Math.max(0, ms));
      this.#waiting.add(wake);
    });
  }

  release(): void {
    this.#released = true;
    for (const wake of [...this.#waiting]) wake();
  }
}
