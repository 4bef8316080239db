// Why an export failed, in words a log line can carry: the HTTP status, the network error code,
// or no answer at all. A CRLF in a header or a 413 must not read as "the collector is down".
import { NO_ANSWER } from './export-queue.js';

export interface Failure {
  /** A short, bounded key: one log line per kind of failure. */
  readonly kind: string;
  readonly text: string;
}

const NETWORK_CODE = /^(?:E[A-Z]+|ERR_[A-Z_]+|UND_ERR_[A-Z_]+)$/;
const NETWORK_HINTS: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'nothing listens at the OTLP endpoint',
  ENOTFOUND: 'the OTLP endpoint host does not resolve',
  ECONNRESET: 'the collector closed the connection',
  ETIMEDOUT: 'the collector did not answer in time',
  ERR_INVALID_CHAR: 'a header value is invalid',
};

/**
 * The kind and description of an export failure.
 *
 * @example
 * describeFailure({ code: 413, message: 'Payload Too Large' }).text; // 'the collector answered HTTP 413 Payload Too Large'
 */
export function describeFailure(cause: unknown): Failure {
  if (cause === NO_ANSWER) return { kind: 'no_answer', text: `the exporter gave ${NO_ANSWER}` };
  if (typeof cause !== 'object' || cause === null) {
    return { kind: 'unknown', text: 'the exporter reported a failure' };
  }
  const { code, message } = cause as { code?: unknown; message?: unknown };
  const said = typeof message === 'string' ? message.slice(0, 200) : '';
  if (typeof code === 'number' && Number.isInteger(code) && code >= 100 && code < 600) {
    return { kind: `http_${code}`, text: `the collector answered HTTP ${code} ${said}`.trim() };
  }
  if (typeof code === 'string' && NETWORK_CODE.test(code) && code.length <= 40) {
    const hint = NETWORK_HINTS[code];
    return { kind: code, text: `${said || code}${hint === undefined ? '' : ` (${hint})`}` };
  }
  if (/time(?:d)? ?out/i.test(said)) {
    return {
      kind: 'timeout',
      text: `${said} (the collector did not answer within exportTimeoutMs)`,
    };
  }
  return { kind: 'error', text: said || 'the exporter reported an error' };
}
