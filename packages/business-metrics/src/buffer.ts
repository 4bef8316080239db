// Events waiting for the store: deduplicated, bounded, and put back in front when a write fails.
import { randomBytes } from 'node:crypto';
import type { DayKey, StoreBatch, SubscriptionChange } from './types.js';

/** A batch id unique across replicas and restarts (96 random bits). */
export const batchId = (): string => randomBytes(12).toString('base64url');

interface Satisfaction {
  responses: number;
  satisfied: number;
}

export class EventBuffer {
  #users = new Map<DayKey, Set<string>>();
  // Only the last change per customer matters, so the buffer keeps one and order between customers is free.
  #subscriptions = new Map<string, SubscriptionChange>();
  #satisfaction = new Map<DayKey, Satisfaction>();
  #size = 0;
  // Entries of a failed batch kept apart for its retry: they take room in the bound too.
  #held = 0;
  readonly #max: number;
  readonly #onDrop: (events: number) => void;

  constructor(max: number, onDrop: (events: number) => void) {
    this.#max = max;
    this.#onDrop = onDrop;
  }

  /** Distinct entries held: user-days, customers and satisfaction days. */
  get size(): number {
    return this.#size;
  }

  addUser(day: DayKey, user: string): void {
    let users = this.#users.get(day);
    if (users?.has(user)) return;
    if (!this.#room()) return;
    if (!users) this.#users.set(day, (users = new Set()));
    users.add(user);
    this.#size++;
  }

  addSubscription(change: SubscriptionChange, older = false): void {
    if (this.#subscriptions.has(change.customer)) {
      if (!older) this.#subscriptions.set(change.customer, change);
      return;
    }
    if (!this.#room()) return;
    this.#subscriptions.set(change.customer, change);
    this.#size++;
  }

  addSatisfaction(day: DayKey, responses: number, satisfied: number): void {
    const found = this.#satisfaction.get(day);
    if (found) {
      found.responses += responses;
      found.satisfied += satisfied;
      return;
    }
    if (!this.#room(responses)) return;
    this.#satisfaction.set(day, { responses, satisfied });
    this.#size++;
  }

  /** Reserves room for `entries` held outside the buffer (a batch waiting to be written again). */
  hold(entries: number): void {
    this.#held = entries;
  }

  /** Hands the buffered events over and starts an empty buffer; undefined when there are none. */
  take(): StoreBatch | undefined {
    if (this.#size === 0) return undefined;
    const batch: StoreBatch = {
      id: batchId(),
      users: new Map([...this.#users].map(([day, users]) => [day, [...users]])),
      subscriptions: [...this.#subscriptions.values()],
      satisfaction: this.#satisfaction,
    };
    this.#users = new Map();
    this.#subscriptions = new Map();
    this.#satisfaction = new Map();
    this.#size = 0;
    return batch;
  }

  /** Puts a failed batch back; events recorded since then win over its older subscription changes. */
  restore(batch: StoreBatch): void {
    for (const [day, users] of batch.users) for (const user of users) this.addUser(day, user);
    for (const change of batch.subscriptions) this.addSubscription(change, true);
    for (const [day, s] of batch.satisfaction) this.addSatisfaction(day, s.responses, s.satisfied);
  }

  #room(events = 1): boolean {
    if (this.#size + this.#held < this.#max) return true;
    this.#onDrop(events);
    return false;
  }
}

/** Events a batch stands for: users per day, subscription changes and satisfaction responses. */
export function batchEvents(batch: StoreBatch): number {
  let events = batch.subscriptions.length;
  for (const users of batch.users.values()) events += users.length;
  for (const day of batch.satisfaction.values()) events += day.responses;
  return events;
}
