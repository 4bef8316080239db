// responses.create in the conventions' terms: operation `chat` (as instrumentation-openai names
// it); usage always comes with the response, in a stream in response.completed; output chunks are
// the `*.delta` events, so the time to first chunk is not the early response.created.
import { openaiRequestAttributes, openaiResponseAttributes } from './openai-chat.js';
import {
  contentParts,
  list,
  message,
  obj,
  parsed,
  str,
  StreamedOutput,
  type Json,
} from './messages.js';
import { pick, type Protocol, type RequestInfo, type StreamReader } from './protocol.js';
import type { GenAiCallResult, GenAiMessage, GenAiMessagePart } from './types.js';
import { responsesUsage } from './usage.js';

function finishReason(r: Json): string | undefined {
  const status = str(r.status);
  if (status === 'incomplete') return str(obj(r.incomplete_details)?.reason) ?? 'incomplete';
  if (status !== 'completed') return status;
  return list(r.output).some((o) => obj(o)?.type === 'function_call') ? 'tool_calls' : 'stop';
}

function outputMessages(r: Json): GenAiMessage[] {
  const parts = list(r.output).flatMap((raw): GenAiMessagePart[] => {
    const item = obj(raw);
    if (item?.type === 'message') return contentParts(item.content);
    if (item?.type === 'function_call') {
      const args = str(item.arguments);
      return [
        {
          type: 'tool_call',
          id: str(item.call_id),
          name: str(item.name),
          arguments: args === undefined ? undefined : parsed(args),
        },
      ];
    }
    return [];
  });
  return [message('assistant', parts, finishReason(r))];
}

function resultOf(r: Json, capture: boolean): GenAiCallResult {
  const reason = finishReason(r);
  return {
    responseModel: str(r.model),
    responseId: str(r.id),
    finishReasons: reason === undefined ? [] : [reason],
    usage: responsesUsage(r.usage),
    attributes: openaiResponseAttributes(r),
    ...(capture ? { outputMessages: outputMessages(r) } : {}),
  };
}

function inputMessages(input: unknown): GenAiMessage[] {
  if (typeof input === 'string') return [message('user', [{ type: 'text', content: input }])];
  return list(input).flatMap((raw) => {
    const m = obj(raw);
    return m ? [message(str(m.role) ?? 'user', contentParts(m.content))] : [];
  });
}

function request(body: unknown, capture: boolean): RequestInfo {
  const b = obj(body) ?? {};
  const instructions = str(b.instructions);
  return {
    model: str(b.model),
    stream: b.stream === true,
    attributes: {
      ...openaiRequestAttributes(b),
      ...pick(b, { max_output_tokens: 'gen_ai.request.max_tokens' }),
    },
    content: capture
      ? {
          messages: inputMessages(b.input),
          ...(instructions === undefined
            ? {}
            : { systemInstructions: [{ type: 'text', content: instructions }] }),
          toolDefinitions: list(b.tools),
        }
      : undefined,
  };
}

class ResponsesStream implements StreamReader {
  complete = false;
  failure: string | undefined;
  #final: Json | undefined;
  #started: Json = {};
  readonly #output: StreamedOutput | undefined;

  constructor(capture: boolean) {
    this.#output = capture ? new StreamedOutput() : undefined;
  }

  event(value: unknown): boolean {
    const e = obj(value);
    const type = str(e?.type) ?? '';
    const response = obj(e?.response);
    if (type === 'response.created' && response) this.#started = response;
    if ((type === 'response.completed' || type === 'response.incomplete') && response) {
      this.complete = true;
      this.#final = response;
    }
    if (type === 'response.failed') this.failure = str(obj(response?.error)?.code) ?? '_OTHER';
    if (!type.endsWith('.delta')) return false;
    const index = typeof e?.output_index === 'number' ? e.output_index : 0;
    const delta = str(e?.delta) ?? '';
    if (type === 'response.function_call_arguments.delta')
      this.#output?.tool(0, index, { arguments: delta });
    else if (type === 'response.output_text.delta') this.#output?.text(0, delta);
    return true;
  }

  result(): GenAiCallResult {
    const r = this.#final ?? this.#started;
    const result = resultOf(r, false);
    return this.#output ? { ...result, outputMessages: this.#output.messages() } : result;
  }
}

export const OPENAI_RESPONSES: Protocol = {
  operation: 'chat',
  request,
  response: (data, capture) => resultOf(obj(data) ?? {}, capture),
  stream: (capture) => new ResponsesStream(capture),
};
