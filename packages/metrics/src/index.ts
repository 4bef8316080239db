// `@ai-orchestrator/metrics`: the user's API. What the toolkit's own packages build on is on the
// `./adapter` and `./shared` subpaths.
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
  RUNTIME_AGGREGATION,
  SERVICE_LABEL,
  TOKEN_TYPES,
  UNMATCHED_ROUTE,
  WORKFLOW_DURATION_BUCKETS,
  seriesNames,
  type Aggregation,
  type ExecutionStatus,
  type MetricDefinition,
  type MetricKey,
  type MetricType,
  type TokenType,
} from './contract.js';
export { createMetrics } from './metrics.js';
export { createMetricsHandler, createNodeMetricsHandler } from './handler.js';
export { startMetricsServer } from './server.js';
export { createClusterMetrics } from './cluster/primary.js';
export type { ClusterMetrics, ClusterMetricsOptions } from './cluster/types.js';
export { MetricsService } from './service.js';
export { OPENMETRICS_CONTENT_TYPE, TEXT_CONTENT_TYPE } from './exposition.js';
export type {
  AdapterOptions,
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
