// Why a store call failed, as a closed set (the `reason` label): the real cause, not just "timed out".
import type { StoreFailureReason } from './types.js';

const REASONS: ReadonlySet<string> = new Set(['timeout', 'unreachable', 'auth', 'tls', 'error']);

/** A store call that did not answer in time; `createBusinessMetrics` aborts the call with it. */
export class StoreTimeoutError extends Error {
  readonly reason = 'timeout';

  constructor(what: string, ms: number, detail = '') {
    super(`${what} timed out after ${ms} ms${detail ? ` (${detail})` : ''}`);
    this.name = 'StoreTimeoutError';
  }
}

// Redis replies NOAUTH/WRONGPASS/NOPERM; other stores say it in words.
const AUTH = /\b(NOAUTH|WRONGPASS|NOPERM)\b|authenticat|invalid password/i;
// Node's TLS errors carry OpenSSL's verify codes (SELF_SIGNED_CERT_IN_CHAIN, CERT_HAS_EXPIRED, …).
const TLS = /CERT|^UNABLE_TO_|^ERR_TLS_|^ERR_SSL_|HOSTNAME_MISMATCH/;
const NETWORK = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  'ETIMEDOUT',
]);
const GONE = /connection is closed|isn't writeable|max retries per request|not ready|aborted/i;
// A master failing over (Cluster or Sentinel): the data is unreachable for writes until it ends.
const FAILOVER =
  /^(CLUSTERDOWN|READONLY|TRYAGAIN|MASTERDOWN|LOADING)\b|Cluster isn't ready|Too many Cluster redirections|startup nodes|refresh slots cache/;

// Replies about the data, not the connection: the same command fails the same way every time.
const REFUSED =
  /^(WRONGTYPE|INVALIDOBJ)\b|^ERR (value is not an integer|hash value is not an integer|increment or decrement would overflow|increment would produce NaN)/;

/** True when a command's error says retrying it cannot succeed (a key of the wrong type, …). */
export function isRefused(error: Error): boolean {
  return REFUSED.test(error.message);
}

interface Described {
  readonly reason?: unknown;
  readonly code?: unknown;
  readonly message?: unknown;
  readonly cause?: unknown;
}

function classifyOne(error: Described): StoreFailureReason | undefined {
  if (typeof error.reason === 'string' && REASONS.has(error.reason)) {
    return error.reason as StoreFailureReason;
  }
  const code = typeof error.code === 'string' ? error.code : '';
  const message = typeof error.message === 'string' ? error.message : '';
  if (TLS.test(code)) return 'tls';
  if (AUTH.test(message)) return 'auth';
  if (NETWORK.has(code)) return 'unreachable';
  return undefined;
}

/** The reason of `error`, looking through its `cause` chain; `error` when nothing is recognised. */
export function classify(error: unknown): StoreFailureReason {
  let current: unknown = error;
  let fallback: StoreFailureReason = 'error';
  for (let depth = 0; depth < 8 && typeof current === 'object' && current !== null; depth++) {
    const described = current as Described;
    const found = classifyOne(described);
    if (found) return found;
    const message = typeof described.message === 'string' ? described.message : '';
    if (fallback === 'error' && (GONE.test(message) || FAILOVER.test(message))) {
      fallback = 'unreachable';
    }
    current = described.cause;
  }
  return fallback;
}

/** Any thrown value as an Error, without trusting its `toString`. */
export function toError(value: unknown): Error {
  if (value instanceof Error) return value;
  let text: string;
  try {
    text = String(value);
  } catch {
    text = `an unprintable ${typeof value}`;
  }
  return new Error(`store failed with a non-Error value: ${text}`);
}
