// Input checks shared by every package of the toolkit: a TypeError names the call, the field, the
// value and the rule actually enforced. No prom-client here: the tracing package loads this too.

/** A value as an error message shows it: strings quoted, numbers as written, objects by kind. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === null || value === undefined) return String(value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') {
    return String(value);
  }
  if (typeof value === 'symbol') return value.toString();
  if (typeof value === 'function') return 'a function';
  if (Array.isArray(value)) return 'an array';
  if (value instanceof RegExp) return String(value);
  return 'an object';
}

/**
 * The TypeError for a bad input.
 *
 * @example
 * throw invalid('createMetrics', 'limits', 3, 'an object'); // "createMetrics: limits must be an object, got 3"
 */
export function invalid(where: string, field: string, value: unknown, allowed: string): TypeError {
  return new TypeError(`${where}: ${field} must be ${allowed}, got ${describeValue(value)}`);
}

/** A name, id or label value: a string with something other than whitespace in it. */
export function requireName(where: string, field: string, value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw invalid(where, field, value, 'a string with at least one non-whitespace character');
  }
  return value;
}

export function optionalName(where: string, field: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  return requireName(where, field, value);
}

export function requireOneOf<T extends string>(
  where: string,
  field: string,
  value: unknown,
  allowed: readonly T[],
): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw invalid(where, field, value, `one of ${allowed.join(', ')}`);
  }
  return value as T;
}

export function requireNonNegative(where: string, field: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw invalid(where, field, value, 'a finite number >= 0');
  }
  return value;
}

export function requireNonNegativeInteger(where: string, field: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw invalid(where, field, value, 'an integer >= 0');
  }
  return value;
}

export function requirePositiveInteger(where: string, field: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw invalid(where, field, value, 'an integer >= 1');
  }
  return value;
}
