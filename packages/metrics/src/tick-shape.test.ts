import { executionAsyncResource } from 'node:async_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type * as TickShapeModule from './tick-shape.js';

// V8's own view: whether two objects have one hidden class, and a full collection on demand.
setFlagsFromString('--allow-natives-syntax');
setFlagsFromString('--expose-gc');
const sameMap = new Function('a', 'b', 'return %HaveSameMap(a, b)') as (
  a: object,
  b: object,
) => boolean;
const gc = runInNewContext('gc') as () => void;

type TickShape = typeof TickShapeModule;

/** A fresh copy of the module (its once-per-process state included). */
async function fresh(): Promise<TickShape> {
  vi.resetModules();
  return import('./tick-shape.js');
}

/** The tick object of a callback run by process.nextTick. */
function nextTickObject(): Promise<object> {
  return new Promise((resolve) => process.nextTick(() => resolve(executionAsyncResource())));
}

const ticked = (): Promise<void> => new Promise((resolve) => process.nextTick(resolve));

afterEach(() => {
  vi.restoreAllMocks();
});

describe('keepTickShape', () => {
  it('keeps the tick it scheduled, whose hidden class later ticks share', async () => {
    const { keepTickShape, keptTick } = await fresh();
    expect(keptTick()).toBeUndefined();
    keepTickShape();
    await ticked();
    const kept = keptTick();
    expect(kept).toBeTypeOf('object');
    // a tick: its callback is the module's, and its async ids are symbol-keyed numbers
    expect(typeof (kept as { callback?: unknown }).callback).toBe('function');
    const ids = Object.getOwnPropertySymbols(kept).map(
      (key) => (kept as Record<symbol, unknown>)[key],
    );
    expect(ids.filter((id) => typeof id === 'number').length).toBeGreaterThanOrEqual(2);
    expect(sameMap(await nextTickObject(), kept as object)).toBe(true);
  });

  it('keeps that hidden class through full collections run while no tick is queued', async () => {
    const { keepTickShape, keptTick } = await fresh();
    keepTickShape();
    await ticked();
    // from a timer, with the tick queue empty, as V8's memory reducer collects an idle process
    await new Promise<void>((resolve) =>
      setTimeout(() => {
        for (let i = 0; i < 4; i++) gc();
        resolve();
      }, 1),
    );
    expect(sameMap(await nextTickObject(), keptTick() as object)).toBe(true);
  });

  it('schedules once per process, however often it is called', async () => {
    const { keepTickShape, keptTick } = await fresh();
    const nextTick = vi.spyOn(process, 'nextTick');
    keepTickShape();
    keepTickShape();
    keepTickShape();
    expect(nextTick).toHaveBeenCalledTimes(1);
    nextTick.mockRestore();
    await ticked();
    const kept = keptTick();
    keepTickShape();
    await ticked();
    expect(keptTick()).toBe(kept);
  });

  it('never throws, and keeps nothing, when nextTick refuses', async () => {
    const { keepTickShape, keptTick } = await fresh();
    vi.spyOn(process, 'nextTick').mockImplementation(() => {
      throw new Error('refused');
    });
    expect(() => keepTickShape()).not.toThrow();
    vi.restoreAllMocks();
    await ticked();
    expect(keptTick()).toBeUndefined();
  });

  it('keeps nothing that is not its own tick', async () => {
    const { keepTickShape, keptTick } = await fresh();
    // a nextTick that runs the callback somewhere else than in a tick of its own
    vi.spyOn(process, 'nextTick').mockImplementation(((callback: () => void) => {
      setImmediate(callback);
    }) as typeof process.nextTick);
    keepTickShape();
    vi.restoreAllMocks();
    await new Promise((resolve) => setImmediate(resolve));
    expect(keptTick()).toBeUndefined();
  });

  it('is what createMetrics keeps', async () => {
    vi.resetModules();
    const { createMetrics } = await import('./metrics.js');
    const { keptTick } = await import('./tick-shape.js');
    const { Registry } = await import('prom-client');
    createMetrics({
      serviceName: 'tick-shape',
      registry: new Registry(),
      collectDefaultMetrics: false,
    });
    await ticked();
    expect(keptTick()).toBeTypeOf('object');
  });
});
