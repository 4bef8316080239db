// Which revision of the GenAI conventions we emit, and the attribute names we use. The constants
// are copied, as @opentelemetry/semantic-conventions asks for its incubating entry.
// v1.41.1: https://github.com/open-telemetry/semantic-conventions/tree/v1.41.1/docs/gen-ai
// latest: open-telemetry/semantic-conventions-genai main (no tagged release yet).

/** `v1.41` (default): the last published names; `latest`: the genai repo's experimental names. */
export type GenAiRevision = 'v1.41' | 'latest';

/**
 * The revision the environment asks for: `gen_ai_latest_experimental` in the comma-separated
 * OTEL_SEMCONV_STABILITY_OPT_IN (entries trimmed, case-insensitive) selects `latest`.
 *
 * @example
 * revisionFrom('http, gen_ai_latest_experimental'); // 'latest'
 */
export function revisionFrom(optIn: string | undefined): GenAiRevision {
  if (!optIn) return 'v1.41';
  const entries = optIn.split(',').map((e) => e.trim().toLowerCase());
  return entries.includes('gen_ai_latest_experimental') ? 'latest' : 'v1.41';
}

/**
 * Content capture switch of the instrumentation conventions (read by
 * @opentelemetry/instrumentation-openai too): `true` (any case) turns it on.
 */
export function captureFromEnv(value: string | undefined): boolean {
  return value?.trim().toLowerCase() === 'true';
}

/** Operations whose duration is `gen_ai.client.inference.duration` in the latest revision. */
export const INFERENCE_OPERATIONS: ReadonlySet<string> = new Set([
  'chat',
  'text_completion',
  'generate_content',
]);

export const ATTR = {
  operation: 'gen_ai.operation.name',
  provider: 'gen_ai.provider.name',
  requestModel: 'gen_ai.request.model',
  responseModel: 'gen_ai.response.model',
  responseId: 'gen_ai.response.id',
  finishReasons: 'gen_ai.response.finish_reasons',
  timeToFirstChunk: 'gen_ai.response.time_to_first_chunk',
  stream: 'gen_ai.request.stream',
  inputTokens: 'gen_ai.usage.input_tokens',
  outputTokens: 'gen_ai.usage.output_tokens',
  cacheReadTokens: 'gen_ai.usage.cache_read.input_tokens',
  reasoningTokens: 'gen_ai.usage.reasoning.output_tokens',
  serverAddress: 'server.address',
  serverPort: 'server.port',
  errorType: 'error.type',
  costAmount: 'gen_ai.usage.cost.amount',
  costCurrency: 'gen_ai.usage.cost.currency',
  costSource: 'gen_ai.usage.cost.source',
  priceVersion: 'ai_orchestrator.price_catalog.version',
  inputMessages: 'gen_ai.input.messages',
  outputMessages: 'gen_ai.output.messages',
  systemInstructions: 'gen_ai.system_instructions',
  toolDefinitions: 'gen_ai.tool.definitions',
  toolName: 'gen_ai.tool.name',
  toolType: 'gen_ai.tool.type',
  toolCallId: 'gen_ai.tool.call.id',
  agentName: 'gen_ai.agent.name',
  agentId: 'gen_ai.agent.id',
  workflowName: 'workflow.name',
} as const;

/** Cache-write input tokens on the span: renamed from cache_creation in the genai repo (#440). */
export function cacheWriteAttribute(revision: GenAiRevision): string {
  return revision === 'latest'
    ? 'gen_ai.usage.cache_write.input_tokens'
    : 'gen_ai.usage.cache_creation.input_tokens';
}
