// The defaults of a normal answer: its text, its chunks and its token counts, all deterministic
// for a given request so tests can state exact sums.
import type { FakeOk, FakeRequest, FakeToolCall, FakeUsage } from './types.js';

export interface Answer {
  readonly model: string;
  readonly text: string;
  /** Output chunks of a stream, in order (their concatenation is `text`). */
  readonly chunks: readonly string[];
  readonly toolCall: (FakeToolCall & { readonly id: string }) | undefined;
  readonly usage: FakeUsage;
  readonly firstChunkMs: number;
  readonly chunkMs: number;
}

/** 4 characters a token, at least 1: the usual rule of thumb. */
export const estimateTokens = (text: string): number => Math.max(1, Math.ceil(text.length / 4));

function promptText(body: Readonly<Record<string, unknown>>): string {
  return JSON.stringify(body.messages ?? body.input ?? body.prompt ?? '');
}

/** The text split after each space: `'a b c'` streams as `'a '`, `'b '`, `'c'`. */
function split(text: string): string[] {
  const parts = text.match(/\S+\s*/g) ?? [];
  return parts.length > 0 ? parts : [text];
}

/** The answer `reply` gives to `request`, defaults filled in. */
export function answer(request: FakeRequest, reply: FakeOk): Answer {
  const model = reply.model ?? String(request.body.model ?? 'fake-model');
  const tool = reply.toolCall
    ? { id: reply.toolCall.id ?? 'call_1', ...reply.toolCall }
    : undefined;
  const text = tool
    ? JSON.stringify(tool.arguments)
    : (reply.text ??
      `A fake answer from ${model} to a prompt of ${promptText(request.body).length} characters.`);
  const usage = reply.usage ?? {
    input: estimateTokens(promptText(request.body)),
    output: request.api === 'openai.embeddings' ? 0 : estimateTokens(text),
  };
  return {
    model,
    text,
    // A tool call streams its arguments in two pieces, as the providers do.
    chunks: tool
      ? [text.slice(0, Math.ceil(text.length / 2)), text.slice(Math.ceil(text.length / 2))]
      : split(text),
    toolCall: tool,
    usage,
    firstChunkMs: reply.firstChunkMs ?? 0,
    chunkMs: reply.chunkMs ?? 0,
  };
}
