// Provider request and response bodies in the conventions' message schema, for opt-in capture:
// `{ role, parts: [{ type: 'text', content } | { type: 'tool_call', id, name, arguments } |
// { type: 'tool_call_response', id, response }], finish_reason? }`.
import type { GenAiMessage, GenAiMessagePart } from './types.js';

export type Json = Readonly<Record<string, unknown>>;

export function obj(value: unknown): Json | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Json)
    : undefined;
}

export function list(value: unknown): readonly unknown[] {
  return Array.isArray(value) ? value : [];
}

export function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** JSON text parsed when it parses (tool arguments), the text itself otherwise. */
export function parsed(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** Text or multi-part content (`[{ type: 'text', text }, …]`) as text parts; other parts by type. */
export function contentParts(content: unknown): GenAiMessagePart[] {
  if (typeof content === 'string') return [{ type: 'text', content }];
  return list(content).flatMap((raw): GenAiMessagePart[] => {
    const part = obj(raw);
    if (!part) return [];
    const text = str(part.text);
    if (text !== undefined) return [{ type: 'text', content: text }];
    return [{ type: String(part.type ?? 'unknown') }];
  });
}

/** A message with the given parts, leaving out empty ones. */
export function message(
  role: string,
  parts: GenAiMessagePart[],
  finishReason?: string,
): GenAiMessage {
  return finishReason === undefined
    ? { role, parts }
    : { role, parts, finish_reason: finishReason };
}

/** A piece of a streamed tool call: its id and name come first, its arguments in fragments. */
export interface ToolPiece {
  readonly id?: string | undefined;
  readonly name?: string | undefined;
  readonly arguments?: string | undefined;
}

/** Accumulates streamed text and tool-call arguments per choice, for the output messages. */
export class StreamedOutput {
  readonly #text = new Map<number, string>();
  readonly #tools = new Map<
    string,
    { id?: string | undefined; name?: string | undefined; arguments: string }
  >();
  readonly #finish = new Map<number, string>();

  text(index: number, piece: string): void {
    this.#text.set(index, (this.#text.get(index) ?? '') + piece);
  }

  tool(index: number, call: number, piece: ToolPiece): void {
    const key = `${index}:${call}`;
    const t = this.#tools.get(key) ?? { arguments: '' };
    if (piece.id !== undefined) t.id = piece.id;
    if (piece.name !== undefined) t.name = piece.name;
    t.arguments += piece.arguments ?? '';
    this.#tools.set(key, t);
  }

  finish(index: number, reason: string): void {
    this.#finish.set(index, reason);
  }

  messages(): GenAiMessage[] {
    const indexes = new Set([...this.#text.keys(), ...this.#finish.keys()]);
    for (const key of this.#tools.keys()) indexes.add(Number(key.split(':')[0]));
    return [...indexes]
      .sort((a, b) => a - b)
      .map((i) => {
        const parts: GenAiMessagePart[] = [];
        const text = this.#text.get(i);
        if (text) parts.push({ type: 'text', content: text });
        for (const [key, t] of this.#tools) {
          if (Number(key.split(':')[0]) !== i) continue;
          parts.push({ type: 'tool_call', id: t.id, name: t.name, arguments: parsed(t.arguments) });
        }
        return message('assistant', parts, this.#finish.get(i));
      });
  }
}
