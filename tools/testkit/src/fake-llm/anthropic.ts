// Anthropic's Messages wire format, as @anthropic-ai/sdk 0.x and 1.x parse it: every SSE message
// has an `event:` line; input counts come in message_start, the cumulative output in message_delta.
// input_tokens excludes cached tokens, so the fake subtracts them from the conventions' total.
import type { Answer } from './answer.js';
import { message, type Frames } from './sse.js';
import type { FakeUsage } from './types.js';

function usage(u: FakeUsage, output: number): Record<string, unknown> {
  const cacheRead = u.cacheRead ?? 0;
  const cacheWrite = u.cacheWrite ?? 0;
  return {
    input_tokens: u.input - cacheRead - cacheWrite,
    cache_read_input_tokens: cacheRead,
    cache_creation_input_tokens: cacheWrite,
    output_tokens: output,
    ...(u.reasoning === undefined
      ? {}
      : { output_tokens_details: { thinking_tokens: u.reasoning } }),
  };
}

export function anthropicError(status: number, text: string): Record<string, unknown> {
  const types: Record<number, string> = {
    400: 'invalid_request_error',
    401: 'authentication_error',
    404: 'not_found_error',
    429: 'rate_limit_error',
    529: 'overloaded_error',
  };
  return {
    type: 'error',
    error: { type: types[status] ?? 'api_error', message: text },
    request_id: 'req_fake',
  };
}

function content(a: Answer): unknown[] {
  const t = a.toolCall;
  return t
    ? [{ type: 'tool_use', id: t.id, name: t.name, input: t.arguments }]
    : [{ type: 'text', text: a.text }];
}

export function messageJson(a: Answer): unknown {
  return {
    id: 'msg_fake',
    type: 'message',
    role: 'assistant',
    model: a.model,
    content: content(a),
    stop_reason: a.toolCall ? 'tool_use' : 'end_turn',
    stop_sequence: null,
    usage: usage(a.usage, a.usage.output),
  };
}

export function messageFrames(a: Answer): Frames {
  const ev = (type: string, fields: Record<string, unknown>) => message({ type, ...fields }, type);
  const t = a.toolCall;
  const start = {
    id: 'msg_fake',
    type: 'message',
    role: 'assistant',
    model: a.model,
    content: [],
    stop_reason: null,
    stop_sequence: null,
    usage: usage(a.usage, 1),
  };
  const block = t
    ? { type: 'tool_use', id: t.id, name: t.name, input: {} }
    : { type: 'text', text: '' };
  const head = [
    ev('message_start', { message: start }),
    ev('content_block_start', { index: 0, content_block: block }),
    ev('ping', {}),
  ];
  const output = a.chunks.map((piece) =>
    ev('content_block_delta', {
      index: 0,
      delta: t
        ? { type: 'input_json_delta', partial_json: piece }
        : { type: 'text_delta', text: piece },
    }),
  );
  const tail = [
    ev('content_block_stop', { index: 0 }),
    ev('message_delta', {
      delta: { stop_reason: t ? 'tool_use' : 'end_turn', stop_sequence: null },
      usage: { output_tokens: a.usage.output },
    }),
    ev('message_stop', {}),
  ];
  return {
    head,
    output,
    tail,
    error: (type) =>
      ev('error', { error: { type: type ?? 'overloaded_error', message: 'Overloaded' } }),
  };
}
