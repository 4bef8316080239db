// OpenAI's wire format, as the openai SDK (4.x to 6.x) parses it: chat completions (JSON and
// SSE, with the usage chunk only when stream_options.include_usage asks), the Responses API and
// embeddings (base64 little-endian float32 when the SDK asks, as it does by default).
import type { Answer } from './answer.js';
import { message, type Frames } from './sse.js';
import type { FakeRequest, FakeUsage } from './types.js';

const CREATED = 1_700_000_000;

export function chatUsage(u: FakeUsage): Record<string, unknown> {
  return {
    prompt_tokens: u.input,
    completion_tokens: u.output,
    total_tokens: u.input + u.output,
    prompt_tokens_details: {
      cached_tokens: u.cacheRead ?? 0,
      ...(u.cacheWrite === undefined ? {} : { cache_write_tokens: u.cacheWrite }),
    },
    completion_tokens_details: { reasoning_tokens: u.reasoning ?? 0 },
  };
}

/** OpenAI's error body: the SDK reads `type`, `code` and `message` from inside `error`. */
export function openaiError(status: number, text: string): Record<string, unknown> {
  const type =
    status === 429 ? 'requests' : status >= 500 ? 'server_error' : 'invalid_request_error';
  const code = status === 429 ? 'rate_limit_exceeded' : null;
  return { error: { message: text, type, param: null, code } };
}

function toolCall(a: Answer): Record<string, unknown> | undefined {
  const t = a.toolCall;
  return t && { id: t.id, type: 'function', function: { name: t.name, arguments: a.text } };
}

export function chatJson(a: Answer): unknown {
  const call = toolCall(a);
  return {
    id: 'chatcmpl-fake',
    object: 'chat.completion',
    created: CREATED,
    model: a.model,
    system_fingerprint: 'fp_fake',
    choices: [
      {
        index: 0,
        logprobs: null,
        finish_reason: call ? 'tool_calls' : 'stop',
        message: call
          ? { role: 'assistant', content: null, refusal: null, tool_calls: [call] }
          : { role: 'assistant', content: a.text, refusal: null },
      },
    ],
    usage: chatUsage(a.usage),
  };
}

export function chatFrames(request: FakeRequest, a: Answer): Frames {
  const chunk = (delta: unknown, finish: string | null = null) =>
    message({
      id: 'chatcmpl-fake',
      object: 'chat.completion.chunk',
      created: CREATED,
      model: a.model,
      system_fingerprint: 'fp_fake',
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
    });
  const t = a.toolCall;
  const head = t
    ? [
        chunk({
          role: 'assistant',
          content: null,
          tool_calls: [
            { index: 0, id: t.id, type: 'function', function: { name: t.name, arguments: '' } },
          ],
        }),
      ]
    : [chunk({ role: 'assistant', content: '' })];
  const output = a.chunks.map((piece) =>
    chunk(t ? { tool_calls: [{ index: 0, function: { arguments: piece } }] } : { content: piece }),
  );
  const tail = [chunk({}, t ? 'tool_calls' : 'stop')];
  const options = request.body.stream_options as { include_usage?: boolean } | undefined;
  if (options?.include_usage) {
    tail.push(
      message({
        id: 'chatcmpl-fake',
        object: 'chat.completion.chunk',
        created: CREATED,
        model: a.model,
        choices: [],
        usage: chatUsage(a.usage),
      }),
    );
  }
  tail.push(message('[DONE]'));
  return {
    head,
    output,
    tail,
    error: (type) =>
      message({ error: { message: 'The server had an error', type: type ?? 'server_error' } }),
  };
}

function responseUsage(u: FakeUsage): Record<string, unknown> {
  return {
    input_tokens: u.input,
    input_tokens_details: { cached_tokens: u.cacheRead ?? 0 },
    output_tokens: u.output,
    output_tokens_details: { reasoning_tokens: u.reasoning ?? 0 },
    total_tokens: u.input + u.output,
  };
}

export function responseJson(
  a: Answer,
  status = 'completed',
  usage = true,
): Record<string, unknown> {
  const t = a.toolCall;
  const item = t
    ? {
        id: 'fc_fake',
        type: 'function_call',
        status: 'completed',
        call_id: t.id,
        name: t.name,
        arguments: a.text,
      }
    : {
        id: 'msg_fake',
        type: 'message',
        status: 'completed',
        role: 'assistant',
        content: [{ type: 'output_text', text: a.text, annotations: [] }],
      };
  return {
    id: 'resp_fake',
    object: 'response',
    created_at: CREATED,
    status,
    model: a.model,
    output: status === 'completed' ? [item] : [],
    usage: usage ? responseUsage(a.usage) : null,
    error: null,
    incomplete_details: null,
    instructions: null,
    parallel_tool_calls: true,
    tool_choice: 'auto',
    tools: [],
    temperature: 1,
    top_p: 1,
    metadata: {},
  };
}

export function responseFrames(a: Answer): Frames {
  let n = 0;
  const event = (type: string, fields: Record<string, unknown>) =>
    message({ type, ...fields, sequence_number: n++ }, type);
  const head = [
    event('response.created', { response: responseJson(a, 'in_progress', false) }),
    event('response.output_item.added', {
      output_index: 0,
      item: {
        id: 'msg_fake',
        type: 'message',
        status: 'in_progress',
        role: 'assistant',
        content: [],
      },
    }),
    event('response.content_part.added', {
      item_id: 'msg_fake',
      output_index: 0,
      content_index: 0,
      part: { type: 'output_text', text: '', annotations: [] },
    }),
  ];
  const output = a.chunks.map((delta) =>
    event('response.output_text.delta', {
      item_id: 'msg_fake',
      output_index: 0,
      content_index: 0,
      delta,
      logprobs: [],
    }),
  );
  const tail = [
    event('response.output_text.done', {
      item_id: 'msg_fake',
      output_index: 0,
      content_index: 0,
      text: a.text,
      logprobs: [],
    }),
    event('response.completed', { response: responseJson(a) }),
  ];
  return {
    head,
    output,
    tail,
    error: (type) =>
      event('error', {
        code: type ?? 'server_error',
        message: 'The server had an error',
        param: null,
      }),
  };
}

/** Embeddings: one vector of 8 floats per input, base64 when the SDK asks for it. */
export function embeddingsJson(request: FakeRequest, a: Answer): unknown {
  const inputs = Array.isArray(request.body.input) ? request.body.input : [request.body.input];
  const vector = Float32Array.from({ length: 8 }, (_, i) => (i + 1) / 8);
  const base64 = request.body.encoding_format === 'base64';
  const embedding = base64 ? Buffer.from(vector.buffer).toString('base64') : [...vector];
  return {
    object: 'list',
    model: a.model,
    data: inputs.map((_, index) => ({ object: 'embedding', index, embedding })),
    usage: { prompt_tokens: a.usage.input, total_tokens: a.usage.input },
  };
}
