// error.type of a failed GenAI call and the engine_* status it maps to. Derived from the HTTP
// status and the error's class chain, never from `err.name`: openai and @anthropic-ai/sdk 0.x
// leave it "Error", and the classes of one status differ by major (529 on anthropic 0.x vs 1.x).
import type { ExecutionStatus } from '../contract.js';

/** The error.type values this package reports besides HTTP status codes (README lists them). */
export const ERROR_TYPES = {
  timeout: 'timeout',
  cancelled: 'cancelled',
  connection: 'connection_error',
  incomplete: 'stream_incomplete',
  other: '_OTHER',
} as const;

export interface ClassifiedError {
  readonly errorType: string;
  readonly status: Exclude<ExecutionStatus, 'success'>;
  /** The provider answered with an error status: such calls are not billed. */
  readonly answered: boolean;
}

// Low-cardinality identifiers a provider sends inside a stream (`overloaded_error`).
const PROVIDER_TYPE = /^[a-z][a-z0-9_.]{0,63}$/;
// Node's socket and stream codes: undici's (openai 5+, anthropic) and node-fetch's (openai 4).
const CONNECTION_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'ERR_STREAM_PREMATURE_CLOSE',
]);

function classNames(error: object): string[] {
  const names: string[] = [];
  for (let p: unknown = Object.getPrototypeOf(error); p && names.length < 8;) {
    const ctor = (p as { constructor?: { name?: unknown } }).constructor;
    if (typeof ctor?.name === 'string') names.push(ctor.name);
    p = Object.getPrototypeOf(p);
  }
  return names;
}

function field(error: object, name: string): unknown {
  return (error as Record<string, unknown>)[name];
}

function code(error: unknown): unknown {
  if (typeof error !== 'object' || error === null) return undefined;
  return field(error, 'code') ?? code(field(error, 'cause'));
}

const result = (
  errorType: string,
  status: ClassifiedError['status'] = 'failure',
  answered = false,
): ClassifiedError => ({ errorType, status, answered });

/**
 * Classifies what a GenAI call failed with.
 *
 * @example
 * classifyError(Object.assign(new Error('429'), { status: 429 })); // { errorType: '429', status: 'failure', answered: true }
 */
export function classifyError(error: unknown): ClassifiedError {
  if (typeof error !== 'object' || error === null) return result(ERROR_TYPES.other);
  const names = classNames(error);
  const name = field(error, 'name');
  if (names.includes('APIUserAbortError') || name === 'AbortError') {
    return result(ERROR_TYPES.cancelled, 'cancelled');
  }
  if (names.includes('APIConnectionTimeoutError') || name === 'TimeoutError') {
    return result(ERROR_TYPES.timeout, 'timeout');
  }
  const status = field(error, 'status');
  if (typeof status === 'number' && Number.isInteger(status) && status >= 100 && status <= 599) {
    return result(String(status), 'failure', true);
  }
  if (names.includes('APIConnectionError') || CONNECTION_CODES.has(String(code(error)))) {
    return result(ERROR_TYPES.connection);
  }
  // undici ends a body whose socket closed with `TypeError: terminated`.
  if (error instanceof TypeError && (error.message === 'terminated' || code(error) !== undefined)) {
    return result(ERROR_TYPES.connection);
  }
  const providerType = field(error, 'type') ?? (field(error, 'error') as { type?: unknown })?.type;
  if (typeof providerType === 'string' && PROVIDER_TYPE.test(providerType)) {
    return result(providerType);
  }
  return result(ERROR_TYPES.other);
}

/** The engine_* status of an error.type given by the caller. */
export function statusOfErrorType(errorType: string): ClassifiedError['status'] {
  if (errorType === ERROR_TYPES.timeout) return 'timeout';
  if (errorType === ERROR_TYPES.cancelled) return 'cancelled';
  return 'failure';
}
