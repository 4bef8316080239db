// UTC day keys: one HyperLogLog sketch per day, windows are the last 1, 7 and 30 days.
import type { DayKey, StoreQuery } from './types.js';

const DAY_MS = 86_400_000;
export const MONTH_DAYS = 30;

let cachedDay = NaN;
let cachedKey = '';

export function dayKey(date: Date): DayKey {
  // Called on every recorded event: format a day once, not once per event.
  const day = Math.floor(date.getTime() / DAY_MS);
  if (day !== cachedDay) {
    cachedKey = new Date(day * DAY_MS).toISOString().slice(0, 10);
    cachedDay = day;
  }
  return cachedKey;
}

/** The day windows ending today, newest day first. */
export function windows(now: Date): StoreQuery {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const month: DayKey[] = [];
  for (let i = 0; i < MONTH_DAYS; i++) month.push(dayKey(new Date(today - i * DAY_MS)));
  return { day: month.slice(0, 1), week: month.slice(0, 7), month };
}
