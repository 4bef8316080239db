// chat.completions.create in the conventions' terms (v1.41.1 openai.md): operation `chat`,
// usage from `usage` (in a stream, the chunk stream_options.include_usage adds), finish reasons
// per choice; a stream is complete once a choice has a finish_reason.
import {
  list,
  message,
  obj,
  parsed,
  str,
  StreamedOutput,
  contentParts,
  type Json,
} from './messages.js';
import { pick, type Protocol, type RequestInfo, type StreamReader } from './protocol.js';
import type {
  GenAiAttributeValue,
  GenAiCallResult,
  GenAiMessage,
  GenAiMessagePart,
} from './types.js';
import { openaiUsage } from './usage.js';

const REQUEST_ATTRIBUTES = {
  max_tokens: 'gen_ai.request.max_tokens',
  max_completion_tokens: 'gen_ai.request.max_tokens',
  temperature: 'gen_ai.request.temperature',
  top_p: 'gen_ai.request.top_p',
  frequency_penalty: 'gen_ai.request.frequency_penalty',
  presence_penalty: 'gen_ai.request.presence_penalty',
  seed: 'gen_ai.request.seed',
  service_tier: 'openai.request.service_tier',
};

/** Request attributes every OpenAI body shares (chat, responses). */
export function openaiRequestAttributes(body: Json): Record<string, GenAiAttributeValue> {
  const attributes = pick(body, REQUEST_ATTRIBUTES);
  const stop = body.stop;
  if (typeof stop === 'string') attributes['gen_ai.request.stop_sequences'] = [stop];
  else if (Array.isArray(stop))
    Object.assign(attributes, pick(body, { stop: 'gen_ai.request.stop_sequences' }));
  if (typeof body.n === 'number' && body.n !== 1)
    attributes['gen_ai.request.choice.count'] = body.n;
  if (attributes['openai.request.service_tier'] === 'auto')
    delete attributes['openai.request.service_tier'];
  return attributes;
}

/** Response attributes of OpenAI's refinement of the conventions. */
export function openaiResponseAttributes(data: Json): Record<string, GenAiAttributeValue> {
  return pick(data, {
    service_tier: 'openai.response.service_tier',
    system_fingerprint: 'openai.response.system_fingerprint',
  });
}

function toolCalls(calls: unknown): GenAiMessagePart[] {
  return list(calls).map((raw) => {
    const call = obj(raw);
    const fn = obj(call?.function);
    const args = str(fn?.arguments);
    return {
      type: 'tool_call',
      id: str(call?.id),
      name: str(fn?.name),
      arguments: args === undefined ? undefined : parsed(args),
    };
  });
}

function inputMessages(messages: unknown): GenAiMessage[] {
  return list(messages).flatMap((raw) => {
    const m = obj(raw);
    if (!m) return [];
    const role = str(m.role) ?? 'user';
    if (role === 'tool') {
      return [
        message('tool', [
          { type: 'tool_call_response', id: str(m.tool_call_id), response: m.content },
        ]),
      ];
    }
    return [message(role, [...contentParts(m.content), ...toolCalls(m.tool_calls)])];
  });
}

function chatRequest(body: unknown, capture: boolean): RequestInfo {
  const b = obj(body) ?? {};
  return {
    model: str(b.model),
    stream: b.stream === true,
    attributes: openaiRequestAttributes(b),
    content: capture
      ? { messages: inputMessages(b.messages), toolDefinitions: list(b.tools) }
      : undefined,
  };
}

function chatResponse(data: unknown, capture: boolean): GenAiCallResult {
  const d = obj(data) ?? {};
  const choices = list(d.choices).map(obj);
  const finishReasons = choices.flatMap((c) =>
    typeof c?.finish_reason === 'string' ? [c.finish_reason] : [],
  );
  const result: GenAiCallResult = {
    responseModel: str(d.model),
    responseId: str(d.id),
    finishReasons,
    usage: openaiUsage(d.usage),
    attributes: openaiResponseAttributes(d),
  };
  if (!capture) return result;
  const outputMessages = choices.map((c) => {
    const m = obj(c?.message);
    return message(
      'assistant',
      [...contentParts(m?.content), ...toolCalls(m?.tool_calls)],
      str(c?.finish_reason),
    );
  });
  return { ...result, outputMessages };
}

class ChatStream implements StreamReader {
  complete = false;
  readonly failure = undefined;
  #model: string | undefined;
  #id: string | undefined;
  #usage: Json | undefined;
  #meta: Json = {};
  readonly #finish: string[] = [];
  readonly #output: StreamedOutput | undefined;

  constructor(capture: boolean) {
    this.#output = capture ? new StreamedOutput() : undefined;
  }

  event(value: unknown): boolean {
    const chunk = obj(value);
    if (!chunk) return false;
    this.#model ??= str(chunk.model);
    this.#id ??= str(chunk.id);
    if (obj(chunk.usage)) this.#usage = chunk.usage as Json;
    if (chunk.system_fingerprint !== undefined) this.#meta = chunk;
    let output = false;
    for (const raw of list(chunk.choices)) {
      const choice = obj(raw);
      const delta = obj(choice?.delta);
      const index = typeof choice?.index === 'number' ? choice.index : 0;
      const text = str(delta?.content) ?? str(delta?.refusal);
      if (text) {
        output = true;
        this.#output?.text(index, text);
      }
      const calls = list(delta?.tool_calls);
      for (let i = 0; i < calls.length; i++) {
        output = true;
        const c = obj(calls[i]);
        const fn = obj(c?.function);
        const at = typeof c?.index === 'number' ? c.index : i;
        this.#output?.tool(index, at, {
          id: str(c?.id),
          name: str(fn?.name),
          arguments: str(fn?.arguments),
        });
      }
      const finish = str(choice?.finish_reason);
      if (finish) {
        this.complete = true;
        this.#finish.push(finish);
        this.#output?.finish(index, finish);
      }
    }
    return output;
  }

  result(): GenAiCallResult {
    return {
      responseModel: this.#model,
      responseId: this.#id,
      finishReasons: this.#finish,
      usage: openaiUsage(this.#usage),
      attributes: openaiResponseAttributes(this.#meta),
      ...(this.#output ? { outputMessages: this.#output.messages() } : {}),
    };
  }
}

export const OPENAI_CHAT: Protocol = {
  operation: 'chat',
  request: chatRequest,
  response: chatResponse,
  stream: (capture) => new ChatStream(capture),
};
