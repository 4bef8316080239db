// Input checks for the record APIs: a TypeError names the call, the field, the value and what is allowed.

function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') {
    return String(value);
  }
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}

export function invalid(where: string, field: string, value: unknown, allowed: string): TypeError {
  return new TypeError(`${where}: ${field} must be ${allowed}, got ${show(value)}`);
}

export function requireName(where: string, field: string, value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw invalid(where, field, value, 'a non-empty string');
  }
  return value;
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

export function optionalName(where: string, field: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  return requireName(where, field, value);
}
