// Provider usage blocks in the conventions' terms: input includes cached tokens, output includes
// reasoning, the rest are subsets. Anthropic's input_tokens excludes cached tokens (v1.41.1
// anthropic.md), so its total is the sum of the three; OpenAI's prompt_tokens already includes them.
import { invalid, requireNonNegativeInteger } from '../validate.js';
import type { GenAiUsage } from './types.js';

type Json = Readonly<Record<string, unknown>>;

function obj(value: unknown): Json | undefined {
  return typeof value === 'object' && value !== null ? (value as Json) : undefined;
}

/** A count the provider sent: a non-negative integer, anything else unknown. */
function count(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : undefined;
}

function compact(usage: Record<keyof GenAiUsage, number | undefined>): GenAiUsage | undefined {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(usage)) if (v !== undefined) out[k] = v;
  return Object.keys(out).length > 0 ? (out as GenAiUsage) : undefined;
}

/** OpenAI chat/completions/embeddings `usage` (prompt_tokens, completion_tokens, details). */
export function openaiUsage(raw: unknown): GenAiUsage | undefined {
  const u = obj(raw);
  if (!u) return undefined;
  const prompt = obj(u.prompt_tokens_details);
  const completion = obj(u.completion_tokens_details);
  return compact({
    input: count(u.prompt_tokens),
    output: count(u.completion_tokens),
    cacheRead: count(prompt?.cached_tokens),
    cacheWrite: count(prompt?.cache_write_tokens),
    reasoning: count(completion?.reasoning_tokens),
  });
}

/** OpenAI Responses `usage` (input_tokens, output_tokens and their details). */
export function responsesUsage(raw: unknown): GenAiUsage | undefined {
  const u = obj(raw);
  if (!u) return undefined;
  const input = obj(u.input_tokens_details);
  const output = obj(u.output_tokens_details);
  return compact({
    input: count(u.input_tokens),
    output: count(u.output_tokens),
    cacheRead: count(input?.cached_tokens),
    cacheWrite: count(input?.cache_write_tokens),
    reasoning: count(output?.reasoning_tokens),
  });
}

/** Anthropic `usage`: input is input_tokens + cache reads + cache writes. */
export function anthropicUsage(raw: unknown): GenAiUsage | undefined {
  const u = obj(raw);
  if (!u) return undefined;
  const uncached = count(u.input_tokens);
  const cacheRead = count(u.cache_read_input_tokens);
  const cacheWrite = count(u.cache_creation_input_tokens);
  const input =
    uncached === undefined ? undefined : uncached + (cacheRead ?? 0) + (cacheWrite ?? 0);
  return compact({
    input,
    output: count(u.output_tokens),
    cacheRead,
    cacheWrite,
    reasoning: count(obj(u.output_tokens_details)?.thinking_tokens),
  });
}

/** A usage object given by a caller: non-negative integers, subsets not above their totals. */
export function checkUsage(where: string, usage: unknown): GenAiUsage {
  const u = obj(usage);
  if (!u) throw invalid(where, 'usage', usage, 'an object { input?, output?, cacheRead?, … }');
  for (const k of ['input', 'output', 'cacheRead', 'cacheWrite', 'reasoning'] as const) {
    if (u[k] !== undefined) requireNonNegativeInteger(where, `usage.${k}`, u[k]);
  }
  const g = u as GenAiUsage;
  const cached = (g.cacheRead ?? 0) + (g.cacheWrite ?? 0);
  if (g.input !== undefined && cached > g.input) {
    throw invalid(where, 'usage.input', g.input, `at least cacheRead + cacheWrite (${cached})`);
  }
  if (g.output !== undefined && (g.reasoning ?? 0) > g.output) {
    throw invalid(where, 'usage.output', g.output, `at least reasoning (${g.reasoning})`);
  }
  return g;
}
