// The demo's model provider: the fake OpenAI/Anthropic server of @ai-orchestrator/testkit on a
// loopback port, answering each request by the model's profile (latency, rate limits, failures,
// cut streams), with prompt-cache hits, and a tool call when the request offers tools.
import { randomInt } from '@ai-orchestrator/demo-kit';
import {
  startFakeLlm,
  type FakeLlm,
  type FakeReply,
  type FakeRequest,
} from '@ai-orchestrator/testkit/fake-llm';
import { answerText, fate, MODELS, type ModelProfile } from './engine.js';

export const OPERATION_HEADER = 'x-demo-operation';
export const TOOL = { name: 'lookup_order', arguments: { order_id: 'A-1042' } };

function profileOf(model: string): ModelProfile | undefined {
  return MODELS[model] ?? Object.values(MODELS).find((p) => p.embeddingModel === model);
}

/** True when the conversation offers tools and no tool has answered yet. */
function wantsTool(body: Readonly<Record<string, unknown>>): boolean {
  if (!Array.isArray(body.tools) || body.tools.length === 0) return false;
  const messages = Array.isArray(body.messages) ? (body.messages as Record<string, unknown>[]) : [];
  return !messages.some(
    (m) => m.role === 'tool' || JSON.stringify(m.content).includes('tool_result'),
  );
}

function reply(request: FakeRequest): FakeReply {
  const operation = String(request.headers[OPERATION_HEADER] ?? 'completion');
  const profile = profileOf(String(request.body.model));
  if (!profile)
    return { kind: 'error', status: 404, message: `unknown model ${String(request.body.model)}` };
  const f = fate(profile, operation);
  switch (f.kind) {
    case 'rate-limited':
      return { kind: 'error', status: 429, retryAfterSeconds: 1, retryAfterMs: 100 };
    case 'failure':
      return { kind: 'error', status: 500 };
    case 'timeout':
      return { kind: 'stall', ms: 10_000 };
    case 'cut':
      return { kind: 'cut', afterChunks: 3, chunkMs: 5 };
  }
  const input =
    Math.ceil(JSON.stringify(request.body.messages ?? request.body.input ?? '').length / 4) +
    randomInt(20, 400);
  const cached = Math.random() < 0.4 ? Math.floor(input / 2) : 0;
  const written =
    profile.sdk === 'anthropic' && cached === 0 && Math.random() < 0.2 ? Math.floor(input / 3) : 0;
  return {
    kind: 'ok',
    text: answerText(operation),
    ...(wantsTool(request.body) ? { toolCall: TOOL } : {}),
    usage: { input, output: f.output, cacheRead: cached, cacheWrite: written },
    firstChunkMs: f.firstChunkMs,
    chunkMs: f.chunkMs,
  };
}

/** Starts the fake provider on a free loopback port. */
export function startProvider(): Promise<FakeLlm> {
  return startFakeLlm({ responder: reply });
}
