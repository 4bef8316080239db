// Fault injection, so every alert of the seed can be provoked on purpose: an error rate, added
// latency, and a stalled queue. Set from FAULT_* variables at start and from POST /admin/faults.
import { numberEnv } from './env.js';

export interface Faults {
  /** Share of requests answered with a 500, 0..1. */
  readonly errorRate: number;
  /** Milliseconds added to every request. */
  readonly latencyMs: number;
  /** Workers stop taking work from the queue. */
  readonly queueStall: boolean;
}

function check(input: unknown): Partial<Faults> {
  if (typeof input !== 'object' || input === null) {
    throw new TypeError(
      `faults must be an object { errorRate?, latencyMs?, queueStall? }, got ${JSON.stringify(input)}`,
    );
  }
  const f = input as Record<string, unknown>;
  const out: { errorRate?: number; latencyMs?: number; queueStall?: boolean } = {};
  if (f.errorRate !== undefined) {
    if (typeof f.errorRate !== 'number' || !(f.errorRate >= 0 && f.errorRate <= 1)) {
      throw new TypeError(
        `errorRate must be a number from 0 to 1, got ${JSON.stringify(f.errorRate)}`,
      );
    }
    out.errorRate = f.errorRate;
  }
  if (f.latencyMs !== undefined) {
    if (typeof f.latencyMs !== 'number' || !(f.latencyMs >= 0 && f.latencyMs <= 60_000)) {
      throw new TypeError(
        `latencyMs must be a number from 0 to 60000, got ${JSON.stringify(f.latencyMs)}`,
      );
    }
    out.latencyMs = f.latencyMs;
  }
  if (f.queueStall !== undefined) {
    if (typeof f.queueStall !== 'boolean') {
      throw new TypeError(`queueStall must be a boolean, got ${JSON.stringify(f.queueStall)}`);
    }
    out.queueStall = f.queueStall;
  }
  return out;
}

export class FaultState {
  #faults: Faults;

  constructor() {
    this.#faults = {
      errorRate: numberEnv('FAULT_ERROR_RATE', 0),
      latencyMs: numberEnv('FAULT_LATENCY_MS', 0),
      queueStall: process.env.FAULT_QUEUE_STALL === 'true',
    };
    check(this.#faults);
  }

  get current(): Faults {
    return this.#faults;
  }

  /** Applies a partial update from the admin endpoint; throws a TypeError naming a bad field. */
  update(input: unknown): Faults {
    this.#faults = { ...this.#faults, ...check(input) };
    return this.#faults;
  }

  /** True when this request should fail by injection. */
  shouldFail(): boolean {
    return this.#faults.errorRate > 0 && Math.random() < this.#faults.errorRate;
  }
}
