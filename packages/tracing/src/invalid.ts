// Errors for bad setup input: they name the field, the value (secrets masked) and what is allowed.
const WHERE = 'TracingService';

/** A value as an error message shows it. */
export function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === null || value === undefined || typeof value !== 'object') return String(value);
  if (Array.isArray(value)) return 'an array';
  if (value instanceof RegExp) return String(value);
  return 'an object';
}

/**
 * A TypeError for a bad option or variable.
 *
 * @example
 * throw invalid('maxQueueSize', 0, 'an integer >= 1'); // "TracingService: maxQueueSize must be an integer >= 1, got 0"
 */
export function invalid(field: string, value: unknown, allowed: string): TypeError {
  return new TypeError(`${WHERE}: ${field} must be ${allowed}, got ${show(value)}`);
}

/** A secret as an error message may show it: a few leading characters, its length, and where it goes wrong. */
export function masked(value: string, badAt?: number): string {
  const keep = Math.min(4, Math.floor(value.length / 4));
  const bad =
    badAt === undefined ? '' : `, ${JSON.stringify(value.charAt(badAt))} at index ${badAt}`;
  return `${JSON.stringify(`${value.slice(0, keep)}…`)} (${value.length} characters${bad})`;
}

/** A TypeError for a bad secret value (a header, a URL with credentials): the value is masked. */
export function invalidSecret(
  field: string,
  value: string,
  allowed: string,
  badAt?: number,
): TypeError {
  return new TypeError(`${WHERE}: ${field} must be ${allowed}, got ${masked(value, badAt)}`);
}
