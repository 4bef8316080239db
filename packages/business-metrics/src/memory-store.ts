// The single-process store: day sketches, subscriptions and satisfaction counts in this process.
import { MONTH_DAYS } from './days.js';
import { HyperLogLog } from './hll.js';
import type { BusinessStore, DayKey, StoreBatch, StoreQuery, StoreSnapshot } from './types.js';

interface Plan {
  readonly currency: string;
  readonly amountUnits: number;
}

/**
 * The default store: no server needed, state lives and dies with the process. Replicas each count
 * their own users, so use `redisStore()` when a service runs more than one.
 *
 * @example
 * const business = createBusinessMetrics({ metrics, store: memoryStore() });
 */
export function memoryStore(): BusinessStore {
  const sketches = new Map<DayKey, HyperLogLog>();
  const subscriptions = new Map<string, Plan>();
  const mrr = new Map<string, number>();
  const satisfaction = new Map<DayKey, { responses: number; satisfied: number }>();

  // Keep a month and a little more: the newest day written bounds what is still needed.
  const prune = (newest: DayKey): void => {
    const cutoff = new Date(Date.parse(newest) - (MONTH_DAYS + 1) * 86_400_000)
      .toISOString()
      .slice(0, 10);
    for (const day of sketches.keys()) if (day < cutoff) sketches.delete(day);
    for (const day of satisfaction.keys()) if (day < cutoff) satisfaction.delete(day);
  };

  const addMrr = (currency: string, units: number): void => {
    mrr.set(currency, (mrr.get(currency) ?? 0) + units);
  };

  const union = (days: readonly DayKey[]): number =>
    HyperLogLog.union(days.flatMap((day) => sketches.get(day) ?? [])).count();

  const apply = (batch: StoreBatch): void => {
    let newest = '';
    for (const [day, users] of batch.users) {
      let sketch = sketches.get(day);
      if (!sketch) sketches.set(day, (sketch = new HyperLogLog()));
      for (const user of users) sketch.add(user);
      if (day > newest) newest = day;
    }
    for (const change of batch.subscriptions) {
      const old = subscriptions.get(change.customer);
      if (old) addMrr(old.currency, -old.amountUnits);
      if (change.type === 'set') {
        subscriptions.set(change.customer, change);
        addMrr(change.currency, change.amountUnits);
      } else {
        subscriptions.delete(change.customer);
      }
    }
    for (const [day, counts] of batch.satisfaction) {
      const total = satisfaction.get(day) ?? { responses: 0, satisfied: 0 };
      total.responses += counts.responses;
      total.satisfied += counts.satisfied;
      satisfaction.set(day, total);
      if (day > newest) newest = day;
    }
    if (newest) prune(newest);
  };

  return {
    shared: false,
    // Applied at once: events never wait in the bounded buffer, so the memory store drops none.
    writeSync: apply,
    write(batch: StoreBatch): Promise<void> {
      apply(batch);
      return Promise.resolve();
    },
    read(query: StoreQuery): Promise<StoreSnapshot> {
      let csatResponses = 0;
      let csatSatisfied = 0;
      for (const day of query.month) {
        csatResponses += satisfaction.get(day)?.responses ?? 0;
        csatSatisfied += satisfaction.get(day)?.satisfied ?? 0;
      }
      return Promise.resolve({
        dau: union(query.day),
        wau: union(query.week),
        mau: union(query.month),
        mrrUnits: Object.fromEntries(mrr),
        csatResponses,
        csatSatisfied,
      });
    },
    close: () => Promise.resolve(),
  };
}
