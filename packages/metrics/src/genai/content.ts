// Opt-in content capture: messages as the JSON strings of the conventions' schemas
// (gen-ai-input-messages.json / gen-ai-output-messages.json), every string cut to a length, so
// the value stays valid JSON. The tracing package's redaction processor masks what is exported.
import type { Attributes } from '@opentelemetry/api';
import { capLength } from '../labels.js';
import { ATTR } from './semconv.js';
import type { GenAiInputContent, GenAiMessage } from './types.js';

/** Characters kept of one string inside captured content. */
export const DEFAULT_MAX_CONTENT_LENGTH = 4096;
const CUT = '…[truncated]';

function cut(value: unknown, max: number, depth = 0): unknown {
  if (typeof value === 'string') {
    return value.length > max ? capLength(value, max) + CUT : value;
  }
  if (depth > 8 || typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map((v) => cut(v, max, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = cut(v, max, depth + 1);
  return out;
}

function json(value: unknown, max: number): string | undefined {
  try {
    return JSON.stringify(cut(value, max));
  } catch {
    return undefined; // a cycle or a BigInt: the call is kept, its content is not
  }
}

function put(out: Attributes, key: string, value: unknown, max: number): void {
  if (value === undefined) return;
  const text = json(value, max);
  if (text !== undefined) out[key] = text;
}

/** gen_ai.input.messages, gen_ai.system_instructions and gen_ai.tool.definitions. */
export function inputContent(content: GenAiInputContent | undefined, max: number): Attributes {
  const out: Attributes = {};
  if (!content) return out;
  put(out, ATTR.inputMessages, content.messages, max);
  put(out, ATTR.systemInstructions, content.systemInstructions, max);
  put(out, ATTR.toolDefinitions, content.toolDefinitions, max);
  return out;
}

/** gen_ai.output.messages. */
export function outputContent(
  messages: readonly GenAiMessage[] | undefined,
  max: number,
): Attributes {
  const out: Attributes = {};
  put(out, ATTR.outputMessages, messages, max);
  return out;
}
