// Input checks: a TypeError names the call, the field, the value and the rule actually enforced.
import { invalid } from '@ai-orchestrator/metrics/adapter';
import { isCurrency } from './currency.js';

// The toolkit's own checks, so every package reports bad input alike.
export { invalid, requireName } from '@ai-orchestrator/metrics/adapter';

/** Longest delay Node's timers accept (2^31 - 1 ms); past it Node fires after 1 ms instead. */
export const MAX_TIMER_MS = 2_147_483_647;

/** Amounts are kept as integers of ten-thousandths; this is the largest that stays exact. */
export const MAX_AMOUNT = Math.floor(Number.MAX_SAFE_INTEGER / 10_000);

export function requireObject<T>(where: string, field: string, value: unknown): T {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalid(where, field, value, 'an object (not null, not an array)');
  }
  return value as T;
}

export function requireScore(where: string, field: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 5) {
    throw invalid(where, field, value, 'an integer from 1 to 5');
  }
  return value;
}

export function requireCurrency(where: string, field: string, value: unknown): string {
  if (typeof value !== 'string' || !isCurrency(value)) {
    throw invalid(where, field, value, 'an ISO 4217 currency code in upper case (USD, EUR, …)');
  }
  return value;
}

/** Money as an exact integer of ten-thousandths: every ISO 4217 currency has at most 4 decimals. */
export function requireAmountUnits(where: string, field: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > MAX_AMOUNT) {
    throw invalid(
      where,
      field,
      value,
      `a number from 0 to ${MAX_AMOUNT} (kept to 4 decimal places)`,
    );
  }
  return Math.round(value * 10_000);
}

export function optionalInteger(
  where: string,
  field: string,
  value: unknown,
  fallback: number,
  max = Number.MAX_SAFE_INTEGER,
): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > max) {
    throw invalid(where, field, value, `an integer from 1 to ${max}`);
  }
  return value;
}
