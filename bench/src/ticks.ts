// What one `process.nextTick` costs before and after full collections that ran while no tick
// was queued, as V8's memory reducer runs them in an idle process: in a process that keeps no
// tick alive, and in one that does (`keepTickShape`, which `createMetrics` and the tracing
// package call). Each setup runs in a fresh worker process (started with --expose-gc), as the
// kept tick is once per process.
import { keepTickShape } from '@ai-orchestrator/metrics/shared';
import type { TickResult } from './results.js';
import { median } from './stats.js';

// Collections in a row: V8 keeps an unused hidden class through two full collections
// (`--retain-maps-for-n-gc`), the memory reducer through none.
const COLLECTIONS = 4;

/** Nanoseconds per tick over a chain of `ticks` ticks, each scheduling the next. */
function chain(ticks: number): Promise<number> {
  return new Promise((resolve) => {
    let left = ticks;
    const started = process.hrtime.bigint();
    const step = (): void => {
      if (--left > 0) process.nextTick(step);
      else resolve(Number(process.hrtime.bigint() - started) / ticks);
    };
    step();
  });
}

async function chains(ticks: number, reps: number): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < reps; i++) times.push(await chain(ticks));
  return median(times);
}

export async function measureTicks(
  keep: boolean,
  ticks: number,
  reps: number,
): Promise<TickResult> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('ticks: the worker needs --expose-gc');
  if (keep) {
    keepTickShape();
    await new Promise((resolve) => process.nextTick(resolve));
  }
  // warm: every function on the path optimized
  await chains(ticks, 2);
  const beforeNs = await chains(ticks, reps);
  // from a timer, with the tick queue empty
  await new Promise<void>((resolve) =>
    setTimeout(() => {
      for (let i = 0; i < COLLECTIONS; i++) gc();
      resolve();
    }, 10),
  );
  const afterNs = await chains(ticks, reps);
  return { keep, ticks, reps, collections: COLLECTIONS, beforeNs, afterNs };
}
