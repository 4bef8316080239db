// AI engines: the GenAI calls of the services in the OpenTelemetry GenAI conventions' metrics —
// tokens per second, time to first chunk, duration, errors by error.type, rate limiting — and what
// they cost (ai-engines-spend.ts), from the rules of infra/prometheus/genai_rules.yml.
import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { THRESHOLDS } from './alerts.js';
import { spendPanels } from './ai-engines-spend.js';
import { base, labelVariable, limit, row, statPanel, timeSeries } from './common.js';
import { FILTER } from './selectors.js';

/** Both revisions the library emits (v1.41 names, or the opt-in genai-repo names). */
export const CALLS =
  '{__name__=~"gen_ai_client_operation_duration_seconds_count|gen_ai_client_inference_duration_seconds_count"';
const TTFC_BUCKETS =
  '__name__=~"gen_ai_client_operation_time_to_first_chunk_seconds_bucket|gen_ai_client_inference_time_to_first_chunk_seconds_bucket"';
const DURATION_BUCKETS =
  '__name__=~"gen_ai_client_operation_duration_seconds_bucket|gen_ai_client_inference_duration_seconds_bucket"';
const OPERATIONS = 'provider_model:gen_ai_client_operations:rate5m';
/** The time-to-first-chunk SLO's bound (infra/prometheus/slo/spec.yaml, `le="1.28"`). */
const TTFC_OBJECTIVE_SECONDS = 1.28;

function variables(b: dashboard.DashboardBuilder): dashboard.DashboardBuilder {
  return b
    .withVariable(labelVariable('service', 'Service', `label_values(${CALLS}}, service)`))
    .withVariable(
      labelVariable('instance', 'Instance', `label_values(${CALLS}, ${FILTER.service}}, instance)`),
    )
    .withVariable(
      labelVariable(
        'provider',
        'Provider',
        `label_values(${OPERATIONS}{${FILTER.service}}, gen_ai_provider_name)`,
      ),
    )
    .withVariable(
      labelVariable(
        'model',
        'Model',
        `label_values(${OPERATIONS}{${FILTER.serviceProvider}}, gen_ai_request_model)`,
      ),
    )
    .withVariable(
      labelVariable(
        'workflow_name',
        'Workflow',
        `label_values(gen_ai_client_operation_cost_total{${FILTER.service}}, workflow_name)`,
      ),
    );
}

function overview(b: dashboard.DashboardBuilder): dashboard.DashboardBuilder {
  return b
    .withRow(row(1, 'Calls and tokens'))
    .withPanel(
      statPanel({
        id: 2,
        title: 'Calls / s',
        description: 'GenAI calls per second over 5 minutes, every outcome.',
        unit: 'ops',
        width: 5,
        queries: [
          {
            refId: 'A',
            expr: `sum(${OPERATIONS}{${FILTER.serviceProviderModel}})`,
            legend: 'calls',
          },
        ],
      }),
    )
    .withPanel(
      statPanel({
        id: 3,
        title: 'Tokens / s',
        description:
          'Input and output tokens per second over 5 minutes (cached and reasoning tokens are parts of these).',
        unit: 'short',
        width: 5,
        queries: [
          {
            refId: 'A',
            expr: `sum by (gen_ai_token_type) (provider_model:gen_ai_client_tokens:rate5m{${FILTER.serviceProviderModel}, gen_ai_token_type=~"input|output"})`,
            legend: '{{gen_ai_token_type}}',
          },
        ],
      }),
    )
    .withPanel(
      statPanel({
        id: 4,
        title: 'Provider error ratio',
        description: `Share of the calls to each provider that failed over 5 minutes (cancels by the caller not counted). GenAIProviderErrorRate fires above ${THRESHOLDS.GenAIProviderErrorRate * 100}%.`,
        unit: 'percentunit',
        width: 5,
        decimals: 1,
        queries: [
          {
            refId: 'A',
            expr: `provider:gen_ai_client_errors:ratio_rate5m{${FILTER.serviceProvider}}`,
            legend: '{{gen_ai_provider_name}}',
          },
        ],
        steps: limit(THRESHOLDS.GenAIProviderErrorRate),
        alerts: ['GenAIProviderErrorRate'],
      }),
    )
    .withPanel(
      statPanel({
        id: 5,
        title: 'Rate-limited share',
        description: `Share of the calls to each provider that ended with 429 after the SDK's retries. GenAIRateLimited fires above ${THRESHOLDS.GenAIRateLimited * 100}%.`,
        unit: 'percentunit',
        width: 5,
        decimals: 1,
        queries: [
          {
            refId: 'A',
            expr: `provider:gen_ai_client_rate_limited:ratio_rate5m{${FILTER.serviceProvider}}`,
            legend: '{{gen_ai_provider_name}}',
          },
        ],
        steps: limit(THRESHOLDS.GenAIRateLimited),
        alerts: ['GenAIRateLimited'],
      }),
    )
    .withPanel(
      statPanel({
        id: 6,
        title: 'Spend, last 24 h',
        description:
          'Spend of the selected calls over the last 24 hours from the price catalog, per currency; GenAISpendOverBudget compares the fleet total with currency:gen_ai_spend_budget:daily.',
        unit: 'short',
        width: 4,
        decimals: 2,
        queries: [
          {
            refId: 'A',
            expr: `sum by (gen_ai_usage_cost_currency) (model_workflow:gen_ai_client_spend:increase1d{${FILTER.serviceProviderModelWorkflow}})`,
            legend: '{{gen_ai_usage_cost_currency}}',
          },
        ],
        alerts: ['GenAISpendOverBudget'],
      }),
    );
}

function tokens(b: dashboard.DashboardBuilder): dashboard.DashboardBuilder {
  return b.withPanel(
    timeSeries({
      id: 7,
      title: 'Tokens per second by provider, model and kind',
      description:
        'input and output are totals; cache_read and cache_write are parts of input, reasoning a part of output, so the lines are not stacked.',
      unit: 'short',
      width: 24,
      queries: [
        {
          refId: 'A',
          expr: `sum by (gen_ai_provider_name, gen_ai_request_model, gen_ai_token_type) (provider_model:gen_ai_client_tokens:rate5m{${FILTER.serviceProviderModel}})`,
          legend: '{{gen_ai_provider_name}} {{gen_ai_request_model}} {{gen_ai_token_type}}',
        },
      ],
    }),
  );
}

function latency(b: dashboard.DashboardBuilder): dashboard.DashboardBuilder {
  return b
    .withRow(row(8, 'Latency'))
    .withPanel(
      timeSeries({
        id: 9,
        title: 'Time to first chunk p50 / p95',
        description: `Streaming calls: time from the request to the first output chunk, per model. The dashed line is the SLO bound (${TTFC_OBJECTIVE_SECONDS} s for 95% of calls); the dots are exemplars linking to traces.`,
        unit: 's',
        width: 12,
        queries: [
          {
            refId: 'A',
            expr: `provider_model:gen_ai_client_time_to_first_chunk_seconds:p50_5m{${FILTER.serviceProviderModel}}`,
            legend: 'p50 {{gen_ai_request_model}}',
          },
          {
            refId: 'B',
            expr: `provider_model:gen_ai_client_time_to_first_chunk_seconds:p95_5m{${FILTER.serviceProviderModel}}`,
            legend: 'p95 {{gen_ai_request_model}}',
          },
          {
            refId: 'X',
            expr: `histogram_quantile(0.95, sum by (le, gen_ai_request_model) (rate({${TTFC_BUCKETS}, ${FILTER.serviceProviderModelInstance}}[$__rate_interval])))`,
            legend: 'exemplars {{gen_ai_request_model}}',
            exemplar: true,
          },
        ],
        hideRefIds: ['X'],
        steps: limit(TTFC_OBJECTIVE_SECONDS),
        alerts: ['SLOTimeToFirstChunkBudgetBurn'],
      }),
    )
    .withPanel(
      timeSeries({
        id: 10,
        title: 'Operation duration p95',
        description:
          'Whole-call duration per model (to the last chunk of a stream), 95th percentile over 5 minutes; the dots are exemplars linking to traces.',
        unit: 's',
        width: 12,
        queries: [
          {
            refId: 'A',
            expr: `provider_model:gen_ai_client_operation_duration_seconds:p95_5m{${FILTER.serviceProviderModel}}`,
            legend: 'p95 {{gen_ai_provider_name}} {{gen_ai_request_model}}',
          },
          {
            refId: 'X',
            expr: `histogram_quantile(0.95, sum by (le, gen_ai_request_model) (rate({${DURATION_BUCKETS}, ${FILTER.serviceProviderModelInstance}}[$__rate_interval])))`,
            legend: 'exemplars {{gen_ai_request_model}}',
            exemplar: true,
          },
        ],
        hideRefIds: ['X'],
      }),
    );
}

function errors(b: dashboard.DashboardBuilder): dashboard.DashboardBuilder {
  return b
    .withRow(row(11, 'Errors'))
    .withPanel(
      timeSeries({
        id: 12,
        title: 'Error rate by error.type',
        description:
          "Share of each provider's calls that ended with each error.type (HTTP status, timeout, cancelled, connection_error, stream_incomplete, or the provider's own type); see the metrics package README for the list.",
        unit: 'percentunit',
        width: 12,
        min: 0,
        stack: true,
        queries: [
          {
            refId: 'A',
            expr: `sum by (gen_ai_provider_name, error_type) (${OPERATIONS}{${FILTER.serviceProviderModel}, error_type!=""}) / ignoring (error_type) group_left sum by (gen_ai_provider_name) (${OPERATIONS}{${FILTER.serviceProviderModel}})`,
            legend: '{{gen_ai_provider_name}} {{error_type}}',
          },
        ],
      }),
    )
    .withPanel(
      timeSeries({
        id: 13,
        title: 'Rate-limited share by provider',
        description: `Share of the calls that ended with 429 after the SDK's retries; the dashed line is the GenAIRateLimited threshold (${THRESHOLDS.GenAIRateLimited * 100}%).`,
        unit: 'percentunit',
        width: 12,
        min: 0,
        queries: [
          {
            refId: 'A',
            expr: `provider:gen_ai_client_rate_limited:ratio_rate5m{${FILTER.serviceProvider}}`,
            legend: '{{service}} {{gen_ai_provider_name}}',
          },
        ],
        steps: limit(THRESHOLDS.GenAIRateLimited),
        alerts: ['GenAIRateLimited'],
      }),
    );
}

/** The "AI engines" dashboard. */
export function aiEngines(): dashboard.Dashboard {
  const b = base({
    uid: 'aio-ai-engines',
    title: 'AI Orchestrator / AI engines',
    description:
      'GenAI calls in the OpenTelemetry GenAI conventions: tokens per second, time to first chunk, duration, errors by error.type, rate limiting, spend per hour and day by model and workflow, tools and agents.',
    tags: ['engines', 'genai'],
  });
  return spendPanels(errors(latency(tokens(overview(variables(b))))), 14).build();
}
