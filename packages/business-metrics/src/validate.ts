// Input checks: a TypeError names the call, the field, the value and what is allowed.
import { invalid } from '@ai-orchestrator/metrics';
import { isCurrency } from './currency.js';

// The message shape is the core's, so every package of the toolkit reports bad input alike.
export { invalid, requireName as requireId } from '@ai-orchestrator/metrics';

export function requireObject<T>(where: string, field: string, value: unknown): T {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalid(where, field, value, 'an object');
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
  const units = typeof value === 'number' ? Math.round(value * 10_000) : NaN;
  if (
    typeof value !== 'number' ||
    !Number.isFinite(value) ||
    value < 0 ||
    !Number.isSafeInteger(units)
  ) {
    throw invalid(where, field, value, 'a finite number >= 0');
  }
  return units;
}

export function optionalPositiveInteger(
  where: string,
  field: string,
  value: unknown,
  fallback: number,
): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw invalid(where, field, value, 'an integer >= 1');
  }
  return value;
}
