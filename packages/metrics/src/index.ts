export {
  ACTIVE_USER_WINDOWS,
  CLIENT_CLOSED_STATUS,
  CONTRACT,
  CSAT_BUCKETS,
  ENGINE_DURATION_BUCKETS,
  EXECUTION_STATUSES,
  HTTP_BODY_SIZE_BUCKETS,
  HTTP_DURATION_BUCKETS,
  HTTP_METHODS,
  METRICS,
  OTHER_METHOD,
  OVERFLOW_VALUE,
  SERVICE_LABEL,
  TOKEN_TYPES,
  UNMATCHED_ROUTE,
  WORKFLOW_DURATION_BUCKETS,
  seriesNames,
  type ExecutionStatus,
  type MetricDefinition,
  type MetricKey,
  type MetricType,
  type TokenType,
} from './contract.js';
export { createMetrics } from './metrics.js';
export { createMetricsHandler } from './handler.js';
export { startMetricsServer } from './server.js';
export { MetricsService } from './service.js';
export { render, negotiate, OPENMETRICS_CONTENT_TYPE, TEXT_CONTENT_TYPE } from './exposition.js';
export { ensureCounter, ensureGauge, ensureHistogram } from './registry.js';
export { activeTraceIds, exemplarLabels, type TraceIds } from './exemplars.js';
export { LabelLimiter, normalizeMethod } from './labels.js';
export type {
  AnyRegistry,
  EngineCall,
  Exposition,
  HttpRecorder,
  HttpRequestOutcome,
  HttpRequestTimer,
  LabelLimits,
  Metrics,
  MetricsAuth,
  MetricsFormat,
  MetricsHandler,
  MetricsHandlerOptions,
  MetricsOptions,
  MetricsServer,
  MetricsServerOptions,
  TokenUsage,
  WorkflowExecution,
} from './types.js';
export { instrumentRequest, requestBytes } from './node.js';
export { resolveAdapterOptions } from './adapter.js';
export type { AdapterOptions, ResolvedAdapterOptions } from './types.js';
/** Input checks shared by the toolkit's packages: a TypeError naming call, field, value and what is allowed. */
export { invalid, requireName } from './validate.js';
export { instrumentOpenAI } from './genai/openai.js';
export { instrumentAnthropic } from './genai/anthropic.js';
export type { InstrumentOptions } from './genai/instrument.js';
export {
  GENAI_AGENT_DURATION_BUCKETS,
  GENAI_DURATION_BUCKETS,
  GENAI_TOKEN_BUCKETS,
  UNPRICED_REASONS,
} from './genai/contract.js';
export { ERROR_TYPES as GENAI_ERROR_TYPES } from './genai/error-type.js';
export type { GenAiRevision } from './genai/semconv.js';
export type {
  GenAiAgentOptions,
  GenAiAttributeValue,
  GenAiCall,
  GenAiCallOptions,
  GenAiCallResult,
  GenAiFailure,
  GenAiInputContent,
  GenAiMessage,
  GenAiMessagePart,
  GenAiOperation,
  GenAiRecorder,
  GenAiToolOptions,
  GenAiUsage,
  ModelPrice,
  PriceCatalog,
} from './genai/types.js';
