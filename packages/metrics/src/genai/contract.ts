// The GenAI metrics of the contract, in the Prometheus form of the OpenTelemetry GenAI semantic
// conventions (otlptranslator's default: `.` -> `_`, unit `s` -> `_seconds`, `{token}` -> nothing,
// counters end in `_total`). v1.41.1 names by default; the genai-repo names with
// OTEL_SEMCONV_STABILITY_OPT_IN=gen_ai_latest_experimental (see semconv.ts and the README).
// https://github.com/open-telemetry/semantic-conventions/blob/v1.41.1/docs/gen-ai/gen-ai-metrics.md
// No import from ../contract.ts: it spreads this table into METRICS, and a cycle would read it early.
import type { MetricDefinition } from '../contract.js';

/** Advice buckets of every `s` GenAI client histogram and of gen_ai.execute_tool.duration. */
export const GENAI_DURATION_BUCKETS = [
  0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92,
] as const;
/** Advice buckets of the `{token}` histograms. */
export const GENAI_TOKEN_BUCKETS = [
  1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864,
] as const;
/** Advice buckets of gen_ai.invoke_agent.duration. */
export const GENAI_AGENT_DURATION_BUCKETS = [
  0.1, 0.2, 0.4, 0.8, 1.6, 3.2, 6.4, 12.8, 25.6, 51.2, 102.4, 204.8, 409.6,
] as const;

/** gen_ai.token.type values of gen_ai.client.token.usage (v1.41.1: totals only). */
export const GENAI_TOKEN_TYPES = ['input', 'output'] as const;

/** `metric_attributes.gen_ai`, translated: `service` first, as every metric of the contract. */
export const GENAI_LABELS = [
  'service',
  'gen_ai_operation_name',
  'gen_ai_provider_name',
  'gen_ai_request_model',
  'gen_ai_response_model',
  'server_address',
  'server_port',
] as const;

const WITH_ERROR = [...GENAI_LABELS, 'error_type'] as const;
const WITH_MODALITY = [...GENAI_LABELS, 'gen_ai_token_modality'] as const;
const SPEND = ['service', 'gen_ai_provider_name', 'gen_ai_request_model'] as const;

function seconds(name: string, help: string, labelNames: readonly string[]): MetricDefinition {
  const buckets = GENAI_DURATION_BUCKETS;
  return { name, type: 'histogram', help, labelNames, buckets, unit: 'seconds', owner: 'metrics' };
}

function tokens(name: string, help: string, labelNames: readonly string[]): MetricDefinition {
  return {
    name,
    type: 'histogram',
    help,
    labelNames,
    buckets: GENAI_TOKEN_BUCKETS,
    owner: 'metrics',
  };
}

function counter(name: string, help: string, labelNames: readonly string[]): MetricDefinition {
  return { name, type: 'counter', help, labelNames, owner: 'metrics' };
}

/** A gen_ai.client.inference.usage.* counter: `kind` is its OTel suffix (`cache_read.input`). */
const usage = (kind: string, what: string) =>
  counter(
    `gen_ai_client_inference_usage_${kind.replace('.', '_')}_tokens_total`,
    `${what} (gen_ai.client.inference.usage.${kind}_tokens).`,
    WITH_MODALITY,
  );

export const GENAI_METRICS = {
  genAiOperationDuration: seconds(
    'gen_ai_client_operation_duration_seconds',
    'Duration of GenAI client operations (gen_ai.client.operation.duration).',
    WITH_ERROR,
  ),
  genAiTokenUsage: tokens(
    'gen_ai_client_token_usage',
    'Tokens used per GenAI operation, input and output totals (gen_ai.client.token.usage).',
    [...GENAI_LABELS, 'gen_ai_token_type'],
  ),
  genAiTimeToFirstChunk: seconds(
    'gen_ai_client_operation_time_to_first_chunk_seconds',
    'Time from the request to the first output chunk of a streaming GenAI call.',
    GENAI_LABELS,
  ),
  genAiTimePerOutputChunk: seconds(
    'gen_ai_client_operation_time_per_output_chunk_seconds',
    'Time between consecutive output chunks of a streaming GenAI call, after the first.',
    GENAI_LABELS,
  ),
  genAiInferenceDuration: seconds(
    'gen_ai_client_inference_duration_seconds',
    'Duration of GenAI inference operations (gen_ai.client.inference.duration, opt-in revision).',
    WITH_ERROR,
  ),
  genAiInferenceTimeToFirstChunk: seconds(
    'gen_ai_client_inference_time_to_first_chunk_seconds',
    'Time to the first output chunk of a streaming inference (opt-in revision).',
    GENAI_LABELS,
  ),
  genAiInferenceTimePerOutputChunk: seconds(
    'gen_ai_client_inference_time_per_output_chunk_seconds',
    'Time between output chunks of a streaming inference, after the first (opt-in revision).',
    GENAI_LABELS,
  ),
  genAiInputTokens: usage('input', 'Input tokens including cached ones (opt-in revision)'),
  genAiOutputTokens: usage('output', 'Output tokens including reasoning (opt-in revision)'),
  genAiCacheReadTokens: usage('cache_read.input', 'Input tokens read from the provider cache'),
  genAiCacheWriteTokens: usage('cache_write.input', 'Input tokens written to the provider cache'),
  genAiReasoningTokens: usage('reasoning.output', 'Output tokens spent on reasoning'),
  genAiOperationInputTokens: tokens(
    'gen_ai_client_inference_operation_input_tokens',
    'Input tokens per inference (gen_ai.client.inference.operation.input_tokens, opt-in revision).',
    WITH_ERROR,
  ),
  genAiOperationOutputTokens: tokens(
    'gen_ai_client_inference_operation_output_tokens',
    'Output tokens per inference (gen_ai.client.inference.operation.output_tokens, opt-in revision).',
    WITH_ERROR,
  ),
  genAiExecuteToolDuration: seconds(
    'gen_ai_execute_tool_duration_seconds',
    'Duration of tool executions (gen_ai.execute_tool.duration).',
    ['service', 'gen_ai_tool_name', 'gen_ai_tool_type', 'gen_ai_agent_name', 'error_type'],
  ),
  genAiInvokeAgentDuration: {
    ...seconds(
      'gen_ai_invoke_agent_duration_seconds',
      'Duration of agent invocations (gen_ai.invoke_agent.duration).',
      ['service', 'gen_ai_agent_name', 'gen_ai_request_model', 'error_type'],
    ),
    buckets: GENAI_AGENT_DURATION_BUCKETS,
  },
  genAiOperationCost: counter(
    'gen_ai_client_operation_cost_total',
    'Spend of GenAI calls from the price catalog, in gen_ai_usage_cost_currency (shape of semconv-genai PR #443).',
    [...SPEND, 'gen_ai_usage_cost_currency', 'workflow_name'],
  ),
  genAiOperationUnpriced: counter(
    'gen_ai_client_operation_unpriced_total',
    'GenAI calls whose spend is unknown: no price in the catalog, or no usage reported, by reason.',
    [...SPEND, 'workflow_name', 'reason'],
  ),
} as const satisfies Record<string, MetricDefinition>;

/** Why a call was counted as unpriced (`reason` of gen_ai_client_operation_unpriced_total). */
export const UNPRICED_REASONS = [
  'unknown_model',
  'missing_price',
  'no_usage',
  'invalid_usage',
  'incomplete',
] as const;
