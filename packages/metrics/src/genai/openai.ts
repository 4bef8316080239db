// instrumentOpenAI: chat completions (plain, streaming, tool calls; also what .stream(), .parse()
// and .runTools() call), the Responses API and embeddings of one openai client (4.x to 6.x), or of
// any OpenAI-compatible server it points at through baseURL.
import { reportOnce } from '../report.js';
import { instrumentClient, type InstrumentOptions } from './instrument.js';
import { obj, str } from './messages.js';
import { OPENAI_CHAT } from './openai-chat.js';
import { OPENAI_RESPONSES } from './openai-responses.js';
import type { Protocol } from './protocol.js';
import { openaiUsage } from './usage.js';

const EMBEDDINGS: Protocol = {
  operation: 'embeddings',
  request: (body) => {
    const b = obj(body) ?? {};
    const dimensions = b.dimensions;
    return {
      model: str(b.model),
      stream: false,
      attributes:
        typeof dimensions === 'number' ? { 'gen_ai.embeddings.dimension.count': dimensions } : {},
    };
  },
  response: (data) => {
    const d = obj(data) ?? {};
    return { responseModel: str(d.model), usage: openaiUsage(d.usage) };
  },
  stream: () => {
    throw new TypeError('embeddings do not stream');
  },
};

const TARGETS = [
  { path: ['chat', 'completions'], protocol: OPENAI_CHAT },
  { path: ['responses'], protocol: OPENAI_RESPONSES },
  { path: ['embeddings'], protocol: EMBEDDINGS },
] as const;

/**
 * Records every call of this openai client: gen_ai_* and engine_* metrics, spend, and one CLIENT
 * span per call. Returns the same client.
 *
 * @example
 * const openai = instrumentOpenAI(new OpenAI(), { metrics });
 */
export function instrumentOpenAI<C extends object>(client: C, options: InstrumentOptions): C {
  return instrumentClient(
    'instrumentOpenAI',
    client,
    options,
    { provider: 'openai', targets: TARGETS, spans: () => true },
    reportOnce,
  );
}
