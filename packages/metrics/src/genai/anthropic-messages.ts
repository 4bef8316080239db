// messages.create in the conventions' terms (v1.41.1 anthropic.md): operation `chat`, finish
// reason = stop_reason, input tokens = input_tokens + cache reads + cache writes. In a stream the
// input counts come in message_start and the cumulative output count in message_delta.
import { list, message, obj, str, StreamedOutput, contentParts, type Json } from './messages.js';
import { pick, type Protocol, type RequestInfo, type StreamReader } from './protocol.js';
import type { GenAiCallResult, GenAiMessage, GenAiMessagePart } from './types.js';
import { anthropicUsage } from './usage.js';

function blocks(content: unknown): GenAiMessagePart[] {
  if (typeof content === 'string') return contentParts(content);
  return list(content).flatMap((raw): GenAiMessagePart[] => {
    const b = obj(raw);
    if (b?.type === 'tool_use')
      return [{ type: 'tool_call', id: str(b.id), name: str(b.name), arguments: b.input }];
    if (b?.type === 'tool_result')
      return [{ type: 'tool_call_response', id: str(b.tool_use_id), response: b.content }];
    return contentParts([raw]);
  });
}

function inputMessages(messages: unknown): GenAiMessage[] {
  return list(messages).flatMap((raw) => {
    const m = obj(raw);
    return m ? [message(str(m.role) ?? 'user', blocks(m.content))] : [];
  });
}

function request(body: unknown, capture: boolean): RequestInfo {
  const b = obj(body) ?? {};
  return {
    model: str(b.model),
    stream: b.stream === true,
    attributes: pick(b, {
      max_tokens: 'gen_ai.request.max_tokens',
      temperature: 'gen_ai.request.temperature',
      top_p: 'gen_ai.request.top_p',
      top_k: 'gen_ai.request.top_k',
      stop_sequences: 'gen_ai.request.stop_sequences',
    }),
    content: capture
      ? {
          messages: inputMessages(b.messages),
          ...(b.system === undefined ? {} : { systemInstructions: blocks(b.system) }),
          toolDefinitions: list(b.tools),
        }
      : undefined,
  };
}

function response(data: unknown, capture: boolean): GenAiCallResult {
  const d = obj(data) ?? {};
  const reason = str(d.stop_reason);
  return {
    responseModel: str(d.model),
    responseId: str(d.id),
    finishReasons: reason === undefined ? [] : [reason],
    usage: anthropicUsage(d.usage),
    ...(capture ? { outputMessages: [message('assistant', blocks(d.content), reason)] } : {}),
  };
}

class MessagesStream implements StreamReader {
  complete = false;
  readonly failure = undefined;
  #message: Json = {};
  #usage: Record<string, unknown> = {};
  #reason: string | undefined;
  readonly #output: StreamedOutput | undefined;

  constructor(capture: boolean) {
    this.#output = capture ? new StreamedOutput() : undefined;
  }

  event(value: unknown): boolean {
    const e = obj(value);
    switch (e?.type) {
      case 'message_start':
        this.#message = obj(e.message) ?? {};
        this.#usage = { ...obj(this.#message.usage) };
        return false;
      case 'content_block_start': {
        const block = obj(e.content_block);
        if (block?.type === 'tool_use')
          this.#output?.tool(0, Number(e.index ?? 0), { id: str(block.id), name: str(block.name) });
        return false;
      }
      case 'content_block_delta': {
        const delta = obj(e.delta);
        const json = str(delta?.partial_json);
        if (json !== undefined) this.#output?.tool(0, Number(e.index ?? 0), { arguments: json });
        else this.#output?.text(0, str(delta?.text) ?? '');
        return true;
      }
      case 'message_delta': {
        // 1.x repeats the input counts here, null when unchanged: keep the non-null ones.
        for (const [k, v] of Object.entries(obj(e.usage) ?? {})) if (v !== null) this.#usage[k] = v;
        this.#reason = str(obj(e.delta)?.stop_reason) ?? this.#reason;
        if (this.#reason) {
          // The answer is whole once its stop reason came; message_stop only closes the stream.
          this.complete = true;
          this.#output?.finish(0, this.#reason);
        }
        return false;
      }
      case 'message_stop':
        this.complete = true;
        return false;
      default:
        return false;
    }
  }

  result(): GenAiCallResult {
    return {
      responseModel: str(this.#message.model),
      responseId: str(this.#message.id),
      finishReasons: this.#reason === undefined ? [] : [this.#reason],
      usage: anthropicUsage(this.#usage),
      ...(this.#output ? { outputMessages: this.#output.messages() } : {}),
    };
  }
}

export const ANTHROPIC_MESSAGES: Protocol = {
  operation: 'chat',
  request,
  response,
  stream: (capture) => new MessagesStream(capture),
};
