// Cardinality guards: closed sets for methods, a per-metric limit of distinct values, a length cap.
import { createHash } from 'node:crypto';
import { HTTP_METHODS, OTHER_METHOD, OVERFLOW_VALUE, UNMATCHED_ROUTE } from './contract.js';

const STANDARD_METHODS: ReadonlySet<string> = new Set(HTTP_METHODS);

/** `GET` stays `GET`, `get` becomes `GET`, `PURGE` becomes `_OTHER` (OTel semconv rule). */
export function normalizeMethod(method: unknown): string {
  if (typeof method !== 'string') return OTHER_METHOD;
  if (STANDARD_METHODS.has(method)) return method;
  const upper = method.toUpperCase();
  return STANDARD_METHODS.has(upper) ? upper : OTHER_METHOD;
}

/** Status code label: the integer as sent, or `_OTHER` for anything outside 100..599. */
export function statusLabel(code: unknown): string {
  return typeof code === 'number' && Number.isInteger(code) && code >= 100 && code <= 599
    ? String(code)
    : OTHER_METHOD;
}

/** Cuts a label value to `max` UTF-16 units without leaving half a surrogate pair. */
export function capLength(value: string, max: number): string {
  if (value.length <= max) return value;
  let cut = value.slice(0, max);
  const last = cut.charCodeAt(cut.length - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut = cut.slice(0, -1);
  return cut;
}

// What a cut label value ends with: `~` and 12 hex digits (48 bits) of the whole value's SHA-256.
const DIGEST_CHARS = 12;
const SUFFIX_LENGTH = 1 + DIGEST_CHARS;

/**
 * A label value of at most `max` UTF-16 units. A longer one keeps its beginning and ends with `~`
 * and a digest of the whole value, so two long values that share a beginning (two route
 * templates under one long prefix) stay two series. With `max` too small for the digest, the
 * value is only cut.
 *
 * @example
 * fitLength('/a'.repeat(100), 64); // '/a/a…/a~3f0c2b9e1d7a' (64 units)
 */
export function fitLength(value: string, max: number): string {
  if (value.length <= max) return value;
  if (max <= SUFFIX_LENGTH) return capLength(value, max);
  const digest = createHash('sha256').update(value).digest('hex').slice(0, DIGEST_CHARS);
  return `${capLength(value, max - SUFFIX_LENGTH)}~${digest}`;
}

interface WellFormedString {
  isWellFormed(): boolean;
  toWellFormed(): string;
}

/**
 * The value as well-formed UTF-16: each lone surrogate becomes U+FFFD, as a UTF-8 encoder would
 * write it, so two values that print the same are the same series. Copies only when needed.
 */
export function wellFormed(value: string): string {
  const text = value as string & WellFormedString;
  return text.isWellFormed() ? value : text.toWellFormed();
}

const RESERVED: ReadonlySet<string> = new Set([UNMATCHED_ROUTE, OVERFLOW_VALUE]);

/**
 * Admits up to `max` distinct values of one label of one metric; later new values become
 * `__overflow__` and `onOverflow` is called for each of them.
 */
export class LabelLimiter {
  readonly #seen = new Set<string>();
  readonly #max: number;
  readonly #maxLength: number;
  readonly #onOverflow: () => void;

  constructor(max: number, maxLength: number, onOverflow: () => void) {
    this.#max = max;
    this.#maxLength = maxLength;
    this.#onOverflow = onOverflow;
  }

  admit(raw: string): string {
    // Admitted values are already cut and well-formed: the common case is this one lookup.
    if (this.#seen.has(raw)) return raw;
    const value = wellFormed(fitLength(raw, this.#maxLength));
    if (this.#seen.has(value) || RESERVED.has(value)) return value;
    if (this.#seen.size < this.#max) {
      this.#seen.add(value);
      return value;
    }
    this.#onOverflow();
    return OVERFLOW_VALUE;
  }

  get size(): number {
    return this.#seen.size;
  }
}
