import { Registry } from 'prom-client';
import { createMetrics } from '@ai-orchestrator/metrics';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createBusinessMetrics } from './business.js';
import { memoryStore } from './memory-store.js';
import type { BusinessMetrics, BusinessMetricsOptions, BusinessStore } from './types.js';
import { storeErrors } from '../test/store-errors.js';

type Mode = 'ok' | 'hang' | 'throw' | 'reject-string' | 'reject-unprintable' | 'garbage';

/**
 * A store that misbehaves on demand, over a real memory store (without its synchronous path, so
 * every event goes through the bounded buffer as with Redis). Tracks calls in flight.
 */
function faultyStore() {
  const inner = memoryStore();
  const state = { mode: 'ok' as Mode, writes: 0, reads: 0, maxWrites: 0, maxReads: 0 };
  // Exactly which users reached the store, to check that nothing is lost without being counted.
  const written = new Set<string>();
  const hung: (() => void)[] = [];
  const misbehave = (): Promise<never> | undefined => {
    if (state.mode === 'throw') throw new Error('store exploded');
    if (state.mode === 'reject-string') return Promise.reject('a string, not an Error');
    if (state.mode === 'reject-unprintable') {
      return Promise.reject({
        toString() {
          throw new Error('unprintable');
        },
      });
    }
    return undefined;
  };
  const track = async <T>(kind: 'writes' | 'reads', run: () => Promise<T>): Promise<T> => {
    state[kind]++;
    state[kind === 'writes' ? 'maxWrites' : 'maxReads'] = Math.max(
      state[kind === 'writes' ? 'maxWrites' : 'maxReads'],
      state[kind],
    );
    try {
      // A hung call settles only when the test lets go, as a frozen server answers on SIGCONT.
      if (state.mode === 'hang') await new Promise<void>((resolve) => hung.push(resolve));
      return await run();
    } finally {
      state[kind]--;
    }
  };
  const store: BusinessStore = {
    shared: false,
    write: (batch) =>
      misbehave() ??
      track('writes', async () => {
        await inner.write(batch);
        for (const users of batch.users.values()) for (const u of users) written.add(u);
      }),
    read: (query) =>
      misbehave() ??
      track('reads', async () => (state.mode === 'garbage' ? ({} as never) : inner.read(query))),
    close: () => Promise.resolve(),
  };
  return { store, state, written, release: () => hung.splice(0).forEach((go) => go()) };
}

const open: BusinessMetrics[] = [];
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown): void => void unhandled.push(reason);

function setup(store: BusinessStore, extra: Partial<BusinessMetricsOptions> = {}) {
  const registry = new Registry();
  const metrics = createMetrics({ serviceName: 'svc', registry, collectDefaultMetrics: false });
  const business = createBusinessMetrics({ metrics, store, salt: 's', ...extra });
  open.push(business);
  return { registry, business };
}

const line = (text: string, pattern: RegExp): string | undefined => pattern.exec(text)?.[1];
const MAU = /business_active_users\{service="svc",window="30d"\} (\d+)/;
const LAST = /business_kpi_last_success_timestamp_seconds\{service="svc"\} (\S+)/;

beforeEach(() => {
  unhandled.length = 0;
  process.on('unhandledRejection', onUnhandled);
});

afterEach(async () => {
  vi.useRealTimers();
  await Promise.all(open.splice(0).map((b) => b.close()));
  process.off('unhandledRejection', onUnhandled);
  expect(unhandled).toEqual([]);
});

describe('a store that stops answering', () => {
  it('answers each scrape at storeTimeoutMs with the last values, one write and one read in flight', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'performance'] });
    const { store, state, written, release } = faultyStore();
    const timeout = 500;
    const { registry, business } = setup(store, {
      storeTimeoutMs: timeout,
      flushIntervalMs: 100,
      cacheTtlMs: 1,
      maxBufferedEvents: 200,
    });
    business.recordUserActivity('before');
    expect(await business.getKpis()).toMatchObject({ mau: 1, stale: false, storeError: null });
    const healthy = await registry.metrics();

    state.mode = 'hang';
    await vi.advanceTimersByTimeAsync(10); // past cacheTtlMs: the next scrape asks the store
    let users = 0;
    for (let scrape = 0; scrape < 6; scrape++) {
      for (let i = 0; i < 50; i++) business.recordUserActivity(`during-${users++}`);
      let text: string | undefined;
      void registry.metrics().then((t) => (text = t));
      await vi.advanceTimersByTimeAsync(timeout - 1);
      if (scrape === 0) expect(text).toBeUndefined(); // the first one waits for the store...
      await vi.advanceTimersByTimeAsync(1);
      expect(text).toBeDefined(); // ...and every one has its answer at storeTimeoutMs, not later
      expect(line(text!, MAU)).toBe('1'); // the last value
      expect(line(text!, LAST)).toBe(line(healthy, LAST)); // staleness is visible
      await vi.advanceTimersByTimeAsync(300);
    }
    const kpis = business.getKpis();
    await vi.advanceTimersByTimeAsync(timeout);
    expect(await kpis).toMatchObject({ mau: 1, stale: true });
    expect((await kpis).storeError).toMatch(/^store read failed \(timeout\): store read timed out/);
    expect(state.maxWrites).toBe(1); // a dead store holds one batch, not one per flush
    expect(state.maxReads).toBe(1);
    expect(await storeErrors(registry, 'write', 'timeout')).toBeGreaterThan(0);
    expect(await storeErrors(registry, 'read', 'timeout')).toBeGreaterThanOrEqual(6);

    state.mode = 'ok';
    release(); // the store answers again: the held write lands, the buffer follows
    vi.useRealTimers();
    await business.flush();
    await business.flush();
    const after = await business.getKpis();
    expect(after.stale).toBe(false);
    // 300 users while one batch was held and the buffer bound is 200: the rest were dropped,
    // counted, and every user not counted as dropped reached the store.
    const dropped = await storeErrors(registry, 'drop', 'buffer_full');
    expect(dropped).toBeGreaterThan(0);
    expect(written.size).toBe(1 + users - dropped);
    expect(Math.abs(after.mau - written.size) / written.size).toBeLessThan(0.02); // HLL error
  });
});

describe('a store that fails in odd ways', () => {
  it.each<[Mode, RegExp]>([
    ['throw', /store exploded/],
    ['reject-string', /non-Error value: a string, not an Error/],
    ['reject-unprintable', /non-Error value: an unprintable object/],
    ['garbage', /not a StoreSnapshot/],
  ])('counts %s as a failure and never rejects a call', async (mode, message) => {
    const { store, state } = faultyStore();
    const { registry, business } = setup(store, { storeTimeoutMs: 200, flushIntervalMs: 20 });
    business.recordLogin('alice');
    await business.flush();
    expect((await business.getKpis()).mau).toBe(1);
    state.mode = mode;
    business.recordLogin('bob');
    await business.flush();
    await new Promise((resolve) => setTimeout(resolve, 60)); // timer-driven flushes fail too
    const kpis = await business.getKpis();
    expect(kpis).toMatchObject({ mau: 1, stale: true });
    expect(kpis.storeError).toMatch(message);
    expect(await registry.metrics()).toContain(
      'business_active_users{service="svc",window="30d"} 1',
    );
    expect(await storeErrors(registry, 'read', 'error')).toBeGreaterThan(0);
    if (mode !== 'garbage')
      expect(await storeErrors(registry, 'write', 'error')).toBeGreaterThan(0);
    state.mode = 'ok';
    await business.flush();
    expect(await business.getKpis()).toMatchObject({ mau: 2, stale: false, storeError: null });
  });

  it('counts what close() could not write, and what is recorded after it, as dropped', async () => {
    const { store, state } = faultyStore();
    const { registry, business } = setup(store, { storeTimeoutMs: 100 });
    state.mode = 'throw';
    for (let i = 0; i < 7; i++) business.recordUserActivity(`u${i}`);
    business.recordSatisfaction(5);
    await business.close();
    await business.close(); // a second close resolves too
    business.recordUserActivity('late');
    expect(await storeErrors(registry, 'drop', 'closed')).toBe(9);
  });
});

describe('memoryStore under a synchronous burst', () => {
  it('keeps every one of 150,000 events recorded without yielding (a backfill)', async () => {
    const registry = new Registry();
    const metrics = createMetrics({ serviceName: 'svc', registry, collectDefaultMetrics: false });
    const business = createBusinessMetrics({ metrics, salt: 's' });
    open.push(business);
    const truth = 150_000;
    for (let i = 0; i < truth; i++) business.recordUserActivity(`backfill-${i}`);
    const { mau } = await business.getKpis();
    expect(Math.abs(mau - truth) / truth).toBeLessThan(0.02);
    expect(await storeErrors(registry, 'drop', 'buffer_full')).toBe(0);
  });
});

describe('a shared store holding what this package never writes', () => {
  it('publishes MRR only under ISO 4217 codes: other fields never become currency labels', async () => {
    const inner = memoryStore();
    // another writer put amounts under arbitrary names into the shared MRR
    const store: BusinessStore = {
      shared: true,
      write: (batch) => inner.write(batch),
      read: async (query) => {
        const snapshot = await inner.read(query);
        return {
          ...snapshot,
          mrrUnits: { ...snapshot.mrrUnits, 'x"} 1\nfake': 50_000, usd: 10_000, ZZZ: 1 },
        };
      },
      close: () => inner.close(),
    };
    const { registry, business } = setup(store);
    business.recordSubscription({
      customerId: 'c1',
      plan: 'pro',
      monthlyAmount: 49,
      currency: 'EUR',
    });
    await business.flush();
    const kpis = await business.getKpis();
    expect(kpis.mrr).toEqual({ EUR: 49 });
    const text = await registry.metrics();
    const currencies = [
      ...text.matchAll(/business_monthly_recurring_revenue\{[^}]*currency="([^"]*)"/g),
    ].map((m) => m[1]);
    expect([...new Set(currencies)]).toEqual(['EUR']);
  });
});
