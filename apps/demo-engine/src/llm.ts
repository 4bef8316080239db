// The engine's model calls through the real SDKs, instrumented once per client: streamed
// completions, an agent that calls a tool between two streamed calls, and embeddings. Every call
// lands in the gen_ai_* metrics, the engine_* metrics, the spend counter and one span.
import Anthropic from '@anthropic-ai/sdk';
import { instrumentAnthropic, instrumentOpenAI, type Metrics } from '@ai-orchestrator/metrics';
import OpenAI from 'openai';
import type { ModelProfile } from './engine.js';
import { OPERATION_HEADER, TOOL } from './provider.js';

export interface Clients {
  readonly openai: OpenAI;
  readonly local: OpenAI;
  readonly anthropic: Anthropic;
}

export interface StepResult {
  readonly output: string;
  readonly tokens: { readonly input: number; readonly output: number };
}

const SYSTEM =
  'You are the AI orchestrator assistant. Escalations go to oncall@ai-orchestrator.example.';
const TOOLS = [
  {
    name: TOOL.name,
    description: 'Order status by id',
    parameters: { type: 'object', properties: { order_id: { type: 'string' } } },
  },
];

/** One instrumented client per provider, all at `baseURL` (the fake provider in the demo). */
export function createClients(metrics: Metrics, baseURL: string): Clients {
  const settings = { apiKey: 'demo-key', maxRetries: 1, timeout: 3000 };
  return {
    openai: instrumentOpenAI(new OpenAI({ ...settings, baseURL: `${baseURL}/v1` }), {
      metrics,
      engineType: 'openai',
    }),
    // An OpenAI-compatible local server (Ollama, vLLM) is its own provider, not `openai`.
    local: instrumentOpenAI(new OpenAI({ ...settings, baseURL: `${baseURL}/v1` }), {
      metrics,
      provider: 'ollama',
      engineType: 'local-llm',
    }),
    // The SDK's own spans off: ours follow the conventions' `chat {model}` name.
    anthropic: instrumentAnthropic(new Anthropic({ ...settings, baseURL, openTelemetry: false }), {
      metrics,
      engineType: 'anthropic',
    }),
  };
}

type Message = OpenAI.Chat.ChatCompletionMessageParam;

async function streamOpenAI(
  client: OpenAI,
  model: string,
  messages: Message[],
  options: CallOptions,
): Promise<StepResult & { tool?: string }> {
  const stream = await client.chat.completions.create(
    {
      model,
      messages: [{ role: 'system', content: SYSTEM }, ...messages],
      stream: true,
      stream_options: { include_usage: true },
      ...(options.tools
        ? { tools: TOOLS.map((t) => ({ type: 'function' as const, function: t })) }
        : {}),
    },
    { headers: { [OPERATION_HEADER]: options.operation }, signal: options.signal },
  );
  let output = '';
  let tool: string | undefined;
  let tokens = { input: 0, output: 0 };
  for await (const chunk of stream) {
    const delta = chunk.choices[0]?.delta;
    output += delta?.content ?? '';
    tool ??= delta?.tool_calls?.[0]?.id ?? undefined;
    if (chunk.usage)
      tokens = { input: chunk.usage.prompt_tokens, output: chunk.usage.completion_tokens };
  }
  return { output, tokens, ...(tool ? { tool } : {}) };
}

type AnthropicMessage = Anthropic.MessageParam;

async function streamAnthropic(
  client: Anthropic,
  model: string,
  messages: AnthropicMessage[],
  options: CallOptions,
): Promise<StepResult & { tool?: string }> {
  const tools = options.tools
    ? TOOLS.map((t) => ({
        name: t.name,
        description: t.description,
        input_schema: { type: 'object' as const, properties: t.parameters.properties },
      }))
    : undefined;
  const stream = client.messages.stream(
    { model, max_tokens: 1024, system: SYSTEM, messages, ...(tools ? { tools } : {}) },
    { headers: { [OPERATION_HEADER]: options.operation }, signal: options.signal },
  );
  const message = await stream.finalMessage();
  const text = message.content.map((b) => (b.type === 'text' ? b.text : '')).join('');
  const tool = message.content.find((b) => b.type === 'tool_use');
  return {
    output: text,
    tokens: { input: message.usage.input_tokens, output: message.usage.output_tokens },
    ...(tool?.type === 'tool_use' ? { tool: tool.id } : {}),
  };
}

interface CallOptions {
  readonly operation: string;
  readonly signal: AbortSignal;
  readonly tools?: boolean;
}

/** Runs one workflow step of `profile`'s model: embedding, completion, or an agent chat. */
export async function runStep(
  metrics: Metrics,
  clients: Clients,
  model: string,
  profile: ModelProfile,
  operation: string,
  prompt: string,
  signal: AbortSignal,
): Promise<StepResult> {
  const openai = profile.provider === 'ollama' ? clients.local : clients.openai;
  const options = { operation, signal };
  if (operation === 'embedding') {
    const embedding = profile.provider === 'ollama' ? clients.local : clients.openai;
    const r = await embedding.embeddings.create(
      { model: profile.embeddingModel, input: prompt },
      { headers: { [OPERATION_HEADER]: operation }, signal },
    );
    return {
      output: `${r.data.length} vector`,
      tokens: { input: r.usage.prompt_tokens, output: 0 },
    };
  }
  if (operation !== 'chat') {
    return profile.sdk === 'anthropic'
      ? streamAnthropic(clients.anthropic, model, [{ role: 'user', content: prompt }], options)
      : streamOpenAI(openai, model, [{ role: 'user', content: prompt }], options);
  }
  return metrics.genai.invokeAgent({ name: 'support-assistant', requestModel: model }, () =>
    profile.sdk === 'anthropic'
      ? anthropicAgent(metrics, clients.anthropic, model, prompt, options)
      : openaiAgent(metrics, openai, model, prompt, options),
  );
}

/** The tool an agent runs: timed as gen_ai.execute_tool.duration under the agent's span. */
function lookupOrder(metrics: Metrics, callId: string): Promise<string> {
  return metrics.genai.executeTool({ name: TOOL.name, type: 'function', callId }, async () => {
    await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 20));
    return '{"status":"shipped"}';
  });
}

const sum = (a: StepResult, b: StepResult): StepResult => ({
  output: b.output,
  tokens: { input: a.tokens.input + b.tokens.input, output: a.tokens.output + b.tokens.output },
});

/** Asks the model, runs the tool it calls, and asks again with the result. */
async function openaiAgent(
  metrics: Metrics,
  client: OpenAI,
  model: string,
  prompt: string,
  options: CallOptions,
): Promise<StepResult> {
  const messages: Message[] = [{ role: 'user', content: prompt }];
  const first = await streamOpenAI(client, model, messages, { ...options, tools: true });
  if (!first.tool) return first;
  const result = await lookupOrder(metrics, first.tool);
  messages.push(
    {
      role: 'assistant',
      content: null,
      tool_calls: [
        {
          id: first.tool,
          type: 'function',
          function: { name: TOOL.name, arguments: JSON.stringify(TOOL.arguments) },
        },
      ],
    },
    { role: 'tool', content: result, tool_call_id: first.tool },
  );
  return sum(first, await streamOpenAI(client, model, messages, options));
}

async function anthropicAgent(
  metrics: Metrics,
  client: Anthropic,
  model: string,
  prompt: string,
  options: CallOptions,
): Promise<StepResult> {
  const messages: AnthropicMessage[] = [{ role: 'user', content: prompt }];
  const first = await streamAnthropic(client, model, messages, { ...options, tools: true });
  if (!first.tool) return first;
  const result = await lookupOrder(metrics, first.tool);
  messages.push(
    {
      role: 'assistant',
      content: [{ type: 'tool_use', id: first.tool, name: TOOL.name, input: TOOL.arguments }],
    },
    { role: 'user', content: [{ type: 'tool_result', tool_use_id: first.tool, content: result }] },
  );
  return sum(first, await streamAnthropic(client, model, messages, options));
}
