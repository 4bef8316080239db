// How one SDK method's request, response and stream events read in the conventions' terms; the
// wrapper (wrap.ts) is the same for every method, a Protocol is what differs.
import type { GenAiAttributeValue, GenAiCallResult, GenAiInputContent } from './types.js';

export interface RequestInfo {
  readonly model: string | undefined;
  readonly stream: boolean;
  readonly attributes: Record<string, GenAiAttributeValue>;
  /** Built only when content is captured. */
  readonly content?: GenAiInputContent | undefined;
}

/** The state of one stream, fed each event. */
export interface StreamReader {
  /** Reads one event; true when it carries generated output (the chunks that are timed). */
  event(value: unknown): boolean;
  /** The provider's terminal event came (finish reason, response.completed, message_stop). */
  readonly complete: boolean;
  /** error.type of an in-band failure event (response.failed), if one came. */
  readonly failure: string | undefined;
  result(): GenAiCallResult;
}

export interface Protocol {
  /** gen_ai.operation.name */
  readonly operation: string;
  request(body: unknown, capture: boolean): RequestInfo;
  response(data: unknown, capture: boolean): GenAiCallResult;
  stream(capture: boolean): StreamReader;
}

/** Numbers and strings of a request body as span attributes, under the given names. */
export function pick(
  body: Readonly<Record<string, unknown>>,
  names: Readonly<Record<string, string>>,
): Record<string, GenAiAttributeValue> {
  const out: Record<string, GenAiAttributeValue> = {};
  for (const [field, attribute] of Object.entries(names)) {
    const v = body[field];
    if (typeof v === 'number' && Number.isFinite(v)) out[attribute] = v;
    else if (typeof v === 'string') out[attribute] = v;
    else if (Array.isArray(v) && v.every((x) => typeof x === 'string'))
      out[attribute] = v as string[];
  }
  return out;
}
