// The metric contract: every name, type, label and bucket layout that rules and dashboards rely on.
// HTTP names follow the OpenTelemetry stable HTTP semantic conventions in Prometheus form:
// https://opentelemetry.io/docs/specs/semconv/http/http-metrics/
import { GENAI_METRICS } from './genai/contract.js';

export type MetricType = 'counter' | 'gauge' | 'histogram';

/**
 * How the cluster primary combines one metric over its workers (cluster processes or worker
 * threads): `sum`; `max` or `min`; `average`; `first` (the lowest worker's); `worker` (kept per
 * worker with a `worker` label); `process` (one value per OS process, summed over processes:
 * threads of one process all report its process-wide value); `omit` (left out). Counters and
 * histograms always sum unless their rule says `worker`, `process` or `omit`.
 */
export type Aggregation =
  'sum' | 'max' | 'min' | 'average' | 'first' | 'worker' | 'process' | 'omit';

/** One metric of the contract. */
export interface MetricDefinition {
  readonly name: string;
  readonly type: MetricType;
  readonly help: string;
  readonly labelNames: readonly string[];
  readonly buckets?: readonly number[];
  /** The unit the value is in, as a Prometheus suffix word (`seconds`, `bytes`, …). */
  readonly unit?: string;
  /** Which package records it. */
  readonly owner: 'metrics' | 'business-metrics' | 'tracing';
  /** How a gauge combines over cluster workers (required for gauges, see {@link Aggregation}). */
  readonly aggregation?: Aggregation;
  /** The createMetrics/adapter option that registers it, when it is opt-in (off by default). */
  readonly optIn?: 'httpBodySizes';
}

/** Label every library metric carries: the service name given at setup. */
export const SERVICE_LABEL = 'service';
/** Route label of a request that matched no route. */
export const UNMATCHED_ROUTE = '__unmatched__';
/** Label value that replaces values past the per-metric limit. */
export const OVERFLOW_VALUE = '__overflow__';
/** Method label of anything outside the standard methods. */
export const OTHER_METHOD = '_OTHER';
/** Status code of a request the client aborted before the response finished. */
export const CLIENT_CLOSED_STATUS = 499;

/** Why a scrape failed (`reason` of metrics_scrape_errors_total). */
export const SCRAPE_ERROR_REASONS = ['collector_failed', 'timeout'] as const;

/**
 * Labels with a small closed set of values: the overflow series of a full series budget keeps
 * them (so failure ratios stay right) and reads `__overflow__` in every other label but `service`.
 */
export const CLOSED_LABELS = [
  'status',
  'token_type',
  'http_request_method',
  'error_type',
  'gen_ai_token_type',
  'gen_ai_token_modality',
] as const;

export const HTTP_METHODS = [
  'CONNECT',
  'DELETE',
  'GET',
  'HEAD',
  'OPTIONS',
  'PATCH',
  'POST',
  'PUT',
  'TRACE',
  'QUERY',
] as const;

export const EXECUTION_STATUSES = ['success', 'failure', 'timeout', 'cancelled'] as const;
export type ExecutionStatus = (typeof EXECUTION_STATUSES)[number];

export const TOKEN_TYPES = ['input', 'output'] as const;
export type TokenType = (typeof TOKEN_TYPES)[number];

export const ACTIVE_USER_WINDOWS = ['1d', '7d', '30d'] as const;

// OpenTelemetry's recommended http.server.request.duration boundaries.
export const HTTP_DURATION_BUCKETS = [
  0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10,
] as const;
export const HTTP_BODY_SIZE_BUCKETS = [
  64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216,
] as const;
export const WORKFLOW_DURATION_BUCKETS = [
  0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600,
] as const;
export const ENGINE_DURATION_BUCKETS = [
  0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120,
] as const;
export const CSAT_BUCKETS = [1, 2, 3, 4, 5] as const;

const S = SERVICE_LABEL;
const HTTP_LABELS = [S, 'http_request_method', 'http_route', 'http_response_status_code'] as const;
const WORKFLOW_LABELS = [S, 'workflow_name', 'engine_type', 'status'] as const;
const ENGINE_LABELS = [S, 'engine_type', 'operation', 'status'] as const;

export const METRICS = {
  httpServerRequestDuration: {
    name: 'http_server_request_duration_seconds',
    type: 'histogram',
    help: 'Duration of HTTP server requests.',
    labelNames: HTTP_LABELS,
    buckets: HTTP_DURATION_BUCKETS,
    unit: 'seconds',
    owner: 'metrics',
  },
  httpServerActiveRequests: {
    name: 'http_server_active_requests',
    type: 'gauge',
    help: 'Number of HTTP server requests in flight.',
    labelNames: [S, 'http_request_method'],
    owner: 'metrics',
    aggregation: 'sum',
  },
  httpServerRequestBodySize: {
    name: 'http_server_request_body_size_bytes',
    type: 'histogram',
    help: 'Size of HTTP server request bodies.',
    labelNames: HTTP_LABELS,
    buckets: HTTP_BODY_SIZE_BUCKETS,
    unit: 'bytes',
    owner: 'metrics',
    optIn: 'httpBodySizes',
  },
  httpServerResponseBodySize: {
    name: 'http_server_response_body_size_bytes',
    type: 'histogram',
    help: 'Size of HTTP server response bodies.',
    labelNames: HTTP_LABELS,
    buckets: HTTP_BODY_SIZE_BUCKETS,
    unit: 'bytes',
    owner: 'metrics',
    optIn: 'httpBodySizes',
  },
  workflowExecutions: {
    name: 'workflow_executions_total',
    type: 'counter',
    help: 'Workflow executions that finished, by outcome.',
    labelNames: WORKFLOW_LABELS,
    owner: 'metrics',
  },
  workflowExecutionDuration: {
    name: 'workflow_execution_duration_seconds',
    type: 'histogram',
    help: 'Duration of workflow executions.',
    labelNames: WORKFLOW_LABELS,
    buckets: WORKFLOW_DURATION_BUCKETS,
    unit: 'seconds',
    owner: 'metrics',
  },
  workflowExecutionsActive: {
    name: 'workflow_executions_active',
    type: 'gauge',
    help: 'Workflow executions running now.',
    labelNames: [S, 'engine_type'],
    owner: 'metrics',
    aggregation: 'sum',
  },
  workflowQueueSize: {
    name: 'workflow_queue_size',
    type: 'gauge',
    help: 'Workflows waiting in a queue.',
    labelNames: [S, 'queue'],
    owner: 'metrics',
    aggregation: 'sum',
  },
  engineCalls: {
    name: 'engine_calls_total',
    type: 'counter',
    help: 'Calls to AI engines, by outcome.',
    labelNames: ENGINE_LABELS,
    owner: 'metrics',
  },
  engineCallDuration: {
    name: 'engine_call_duration_seconds',
    type: 'histogram',
    help: 'Duration of AI engine calls.',
    labelNames: ENGINE_LABELS,
    buckets: ENGINE_DURATION_BUCKETS,
    unit: 'seconds',
    owner: 'metrics',
  },
  engineTokens: {
    name: 'engine_tokens_total',
    type: 'counter',
    help: 'Tokens consumed by AI engine calls.',
    labelNames: [S, 'engine_type', 'token_type'],
    owner: 'metrics',
  },
  labelOverflow: {
    name: 'metrics_label_overflow_total',
    type: 'counter',
    help: 'Label values replaced by __overflow__ because a metric reached its label value limit.',
    labelNames: [S, 'metric', 'label'],
    owner: 'metrics',
  },
  seriesOverflow: {
    name: 'metrics_series_overflow_total',
    type: 'counter',
    help: 'Writes that went to the __overflow__ series because a metric reached its series budget.',
    labelNames: [S, 'metric'],
    owner: 'metrics',
  },
  scrapeErrors: {
    name: 'metrics_scrape_errors_total',
    type: 'counter',
    help: 'Scrapes of the metrics endpoint answered with an error: a collector failed or timed out.',
    labelNames: [S, 'reason'],
    owner: 'metrics',
  },
  clusterStaleSnapshots: {
    name: 'metrics_cluster_stale_snapshots_total',
    type: 'counter',
    help: "Scrapes of the cluster primary that used a worker's previous snapshot: it did not answer in time or answered an error.",
    labelNames: [S, 'reason'],
    owner: 'metrics',
  },
  clusterWorkers: {
    name: 'metrics_cluster_workers',
    type: 'gauge',
    help: 'Workers whose metrics the cluster primary merges (live cluster workers or worker threads).',
    labelNames: [S],
    owner: 'metrics',
    aggregation: 'sum',
  },
  clusterSeriesFolded: {
    name: 'metrics_cluster_series_folded',
    type: 'gauge',
    help: 'Label sets the cluster primary folded into __overflow__ at its last merge: the workers together passed the series budget.',
    labelNames: [S, 'metric'],
    owner: 'metrics',
    aggregation: 'sum',
  },
  businessActiveUsers: {
    name: 'business_active_users',
    type: 'gauge',
    help: 'Distinct active users over a window (1d = DAU, 7d = WAU, 30d = MAU), HyperLogLog estimate.',
    labelNames: [S, 'window'],
    owner: 'business-metrics',
    // Every worker reads the same shared store: a sum would count each user once per worker.
    aggregation: 'max',
  },
  businessUserLogins: {
    name: 'business_user_logins_total',
    type: 'counter',
    help: 'User logins.',
    labelNames: [S],
    owner: 'business-metrics',
  },
  businessWorkflowsCreated: {
    name: 'business_workflows_created_total',
    type: 'counter',
    help: 'Workflows created by users.',
    labelNames: [S],
    owner: 'business-metrics',
  },
  businessMonthlyRecurringRevenue: {
    name: 'business_monthly_recurring_revenue',
    type: 'gauge',
    help: 'Monthly recurring revenue of active subscriptions, per ISO 4217 currency.',
    labelNames: [S, 'currency'],
    owner: 'business-metrics',
    aggregation: 'max',
  },
  businessCustomerSatisfaction: {
    name: 'business_customer_satisfaction_score',
    type: 'histogram',
    help: 'Customer satisfaction scores (1 to 5).',
    labelNames: [S],
    buckets: CSAT_BUCKETS,
    owner: 'business-metrics',
  },
  businessApiRequests: {
    name: 'business_api_requests_total',
    type: 'counter',
    help: 'API requests by subscription plan.',
    labelNames: [S, 'plan'],
    owner: 'business-metrics',
  },
  businessStoreErrors: {
    name: 'business_store_errors_total',
    type: 'counter',
    help: 'Failed operations against the business metrics store, and events dropped, by reason.',
    labelNames: [S, 'operation', 'reason'],
    owner: 'business-metrics',
  },
  businessKpiLastSuccess: {
    name: 'business_kpi_last_success_timestamp_seconds',
    type: 'gauge',
    help: 'Unix time of the last successful read of the business KPIs from the store.',
    labelNames: [S],
    unit: 'seconds',
    owner: 'business-metrics',
    aggregation: 'max',
  },
  tracingSpansDropped: {
    name: 'tracing_spans_dropped_total',
    type: 'counter',
    help: 'Spans dropped before export (queue full or exporter failure).',
    labelNames: [S, 'reason'],
    owner: 'tracing',
  },
  ...GENAI_METRICS,
} as const satisfies Record<string, MetricDefinition>;

export type MetricKey = keyof typeof METRICS;

/** Every metric of the contract, for the rule and dashboard checks. */
export const CONTRACT: readonly MetricDefinition[] = Object.values(METRICS);

/**
 * Every series name a contract metric produces in the exposition (histograms add
 * `_bucket`, `_sum`, `_count`).
 *
 * @example
 * seriesNames().has('http_server_request_duration_seconds_bucket'); // true
 */
export function seriesNames(definitions: readonly MetricDefinition[] = CONTRACT): Set<string> {
  const names = new Set<string>();
  for (const def of definitions) {
    if (def.type === 'histogram') {
      for (const suffix of ['_bucket', '_sum', '_count']) names.add(def.name + suffix);
    } else {
      names.add(def.name);
    }
  }
  return names;
}

/** Why a worker's snapshot was stale (`reason` of metrics_cluster_stale_snapshots_total). */
export const STALE_SNAPSHOT_REASONS = ['timeout', 'error'] as const;

/**
 * How the cluster primary combines prom-client's default metrics; those absent here (V8 heap,
 * handles, GC) are per thread and `sum`. Process figures (CPU, memory, descriptors) are per OS
 * process, so worker threads count them once; event-loop lag takes the worst worker, as one
 * blocked worker is what users wait on.
 */
export const RUNTIME_AGGREGATION: Readonly<Record<string, Aggregation>> = {
  process_cpu_user_seconds_total: 'process',
  process_cpu_system_seconds_total: 'process',
  process_cpu_seconds_total: 'process',
  process_resident_memory_bytes: 'process',
  process_virtual_memory_bytes: 'process',
  process_heap_bytes: 'process',
  // The fullest process against the tightest limit: a ratio of them warns before any one runs out.
  process_open_fds: 'max',
  process_max_fds: 'min',
  // The newest start: `changes()` sees every restart, and uptime counts from the last one.
  process_start_time_seconds: 'max',
  nodejs_eventloop_lag_seconds: 'max',
  nodejs_eventloop_lag_min_seconds: 'min',
  nodejs_eventloop_lag_max_seconds: 'max',
  nodejs_eventloop_lag_mean_seconds: 'max',
  nodejs_eventloop_lag_stddev_seconds: 'max',
  nodejs_eventloop_lag_p50_seconds: 'max',
  nodejs_eventloop_lag_p90_seconds: 'max',
  nodejs_eventloop_lag_p99_seconds: 'max',
  nodejs_version_info: 'max',
};
