// Workflow metrics: how many executions, how many succeed, how long they take, what waits in
// the queues, and what the AI engines behind them cost in calls, latency, errors and tokens.
import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { THRESHOLDS } from './alerts.js';
import { base, below, labelVariable, limit, row, statPanel, timeSeries } from './common.js';
import { FILTER } from './selectors.js';

const WORKFLOW_DURATION_RULE = 'workflow:workflow_execution_duration_seconds';
const ENGINE_DURATION_RULE = 'engine:engine_call_duration_seconds';
/** The success objective of the workflow SLO (DESIGN.md: success > 95 %). */
const SUCCESS_OBJECTIVE = 0.95;

export function workflowMetrics(): dashboard.Dashboard {
  return base({
    uid: 'aio-workflow-metrics',
    title: 'AI Orchestrator / Workflows and AI engines',
    description:
      'Workflow executions by outcome, success ratio, duration, queues and active executions; AI engine calls, latency, errors and token usage.',
    tags: ['workflows', 'engines'],
  })
    .withVariable(
      // The orchestrator records workflows and the engine service its calls: offer both.
      labelVariable(
        'service',
        'Service',
        'label_values({__name__=~"workflow_executions_total|engine_calls_total"}, service)',
      ),
    )
    .withVariable(
      labelVariable(
        'instance',
        'Instance',
        `label_values({__name__=~"workflow_executions_total|engine_calls_total", ${FILTER.service}}, instance)`,
      ),
    )
    .withVariable(
      labelVariable(
        'workflow_name',
        'Workflow',
        `label_values(workflow_executions_total{${FILTER.service}}, workflow_name)`,
      ),
    )
    .withVariable(
      labelVariable(
        'engine_type',
        'Engine',
        `label_values(engine_calls_total{${FILTER.service}}, engine_type)`,
      ),
    )
    .withRow(row(1, 'Executions'))
    .withPanel(
      statPanel({
        id: 2,
        title: 'Executions / 5 min',
        description: `Workflow executions each service finished in the last 5 minutes. ExecutionVolumeSpike fires above ${THRESHOLDS.ExecutionVolumeSpike}.`,
        unit: 'short',
        width: 5,
        queries: [
          {
            refId: 'A',
            expr: `service:workflow_executions:rate5m{${FILTER.service}} * 300`,
            legend: '{{service}}',
          },
        ],
        steps: limit(THRESHOLDS.ExecutionVolumeSpike),
        alerts: ['ExecutionVolumeSpike'],
      }),
    )
    .withPanel(
      statPanel({
        id: 3,
        title: 'Success ratio',
        description: `Share of executions that succeeded over 5 minutes; the workflow SLO asks for more than ${SUCCESS_OBJECTIVE * 100}%.`,
        unit: 'percentunit',
        width: 5,
        decimals: 1,
        queries: [
          {
            refId: 'A',
            expr: `service:workflow_executions:success_ratio_rate5m{${FILTER.service}}`,
            legend: '{{service}}',
          },
        ],
        steps: below(SUCCESS_OBJECTIVE),
      }),
    )
    .withPanel(
      statPanel({
        id: 4,
        title: 'Failure ratio',
        description: `Share of executions that failed over 5 minutes. WorkflowExecutionFailureRate fires above ${THRESHOLDS.WorkflowExecutionFailureRate * 100}%.`,
        unit: 'percentunit',
        width: 5,
        decimals: 1,
        queries: [
          {
            refId: 'A',
            expr: `service:workflow_executions:failure_ratio_rate5m{${FILTER.service}}`,
            legend: '{{service}}',
          },
        ],
        steps: limit(THRESHOLDS.WorkflowExecutionFailureRate),
        alerts: ['WorkflowExecutionFailureRate'],
      }),
    )
    .withPanel(
      statPanel({
        id: 5,
        title: 'Queue size',
        description: `Workflows waiting in each queue (highest replica). QueueBacklog fires above ${THRESHOLDS.QueueBacklog}.`,
        unit: 'short',
        width: 5,
        queries: [
          {
            refId: 'A',
            expr: `service:workflow_queue_size:max{${FILTER.service}}`,
            legend: '{{queue}}',
          },
        ],
        steps: limit(THRESHOLDS.QueueBacklog),
        alerts: ['QueueBacklog'],
      }),
    )
    .withPanel(
      statPanel({
        id: 6,
        title: 'Active executions',
        description: 'Workflow executions running now per service, summed over its instances.',
        unit: 'short',
        width: 4,
        queries: [
          {
            refId: 'A',
            expr: `service:workflow_executions_active:sum{${FILTER.service}}`,
            legend: '{{service}}',
          },
        ],
      }),
    )
    .withPanel(
      timeSeries({
        id: 7,
        title: 'Executions by status',
        description:
          'Finished executions per second by outcome (success, failure, timeout, cancelled).',
        unit: 'ops',
        width: 12,
        stack: true,
        queries: [
          {
            refId: 'A',
            expr: `sum by (status) (workflow:workflow_executions:rate5m{${FILTER.serviceWorkflowEngine}})`,
            legend: '{{status}}',
          },
        ],
      }),
    )
    .withPanel(
      timeSeries({
        id: 8,
        title: 'Success ratio by workflow',
        description: `Share of executions of each workflow that succeeded over 5 minutes; the dashed line is the SLO objective (${SUCCESS_OBJECTIVE * 100}%).`,
        unit: 'percentunit',
        width: 12,
        max: 1,
        queries: [
          {
            refId: 'A',
            expr: `workflow:workflow_executions:success_ratio_rate5m{${FILTER.serviceWorkflow}}`,
            legend: '{{workflow_name}}',
          },
        ],
        steps: below(SUCCESS_OBJECTIVE),
      }),
    )
    .withPanel(
      timeSeries({
        id: 9,
        title: 'Execution duration p50 / p95 / p99',
        description:
          'Workflow execution duration percentiles per workflow over 5 minutes; the dots are exemplars linking to traces.',
        unit: 's',
        width: 12,
        queries: [
          {
            refId: 'A',
            expr: `${WORKFLOW_DURATION_RULE}:p50_5m{${FILTER.serviceWorkflow}}`,
            legend: 'p50 {{workflow_name}}',
          },
          {
            refId: 'B',
            expr: `${WORKFLOW_DURATION_RULE}:p95_5m{${FILTER.serviceWorkflow}}`,
            legend: 'p95 {{workflow_name}}',
          },
          {
            refId: 'C',
            expr: `${WORKFLOW_DURATION_RULE}:p99_5m{${FILTER.serviceWorkflow}}`,
            legend: 'p99 {{workflow_name}}',
          },
          {
            refId: 'X',
            expr: `histogram_quantile(0.99, sum by (le, workflow_name) (rate(workflow_execution_duration_seconds_bucket{${FILTER.serviceWorkflowEngineInstance}}[$__rate_interval])))`,
            legend: 'exemplars {{workflow_name}}',
            exemplar: true,
          },
        ],
        hideRefIds: ['X'],
      }),
    )
    .withPanel(
      timeSeries({
        id: 10,
        title: 'Queue size',
        description: `Workflows waiting in each queue (highest replica); the dashed line is the QueueBacklog threshold (${THRESHOLDS.QueueBacklog}).`,
        unit: 'short',
        width: 6,
        queries: [
          {
            refId: 'A',
            expr: `service:workflow_queue_size:max{${FILTER.service}}`,
            legend: '{{service}} {{queue}}',
          },
        ],
        steps: limit(THRESHOLDS.QueueBacklog),
        alerts: ['QueueBacklog'],
      }),
    )
    .withPanel(
      timeSeries({
        id: 11,
        title: 'Active executions by engine',
        description: 'Executions running now per engine type, summed over instances.',
        unit: 'short',
        width: 6,
        queries: [
          {
            refId: 'A',
            expr: `sum by (engine_type) (workflow_executions_active{${FILTER.serviceEngineInstance}})`,
            legend: '{{engine_type}}',
          },
        ],
      }),
    )
    .withRow(row(12, 'AI engines'))
    .withPanel(
      timeSeries({
        id: 13,
        title: 'Engine calls by status',
        description: 'AI engine calls per second by engine and outcome.',
        unit: 'ops',
        width: 12,
        stack: true,
        queries: [
          {
            refId: 'A',
            expr: `sum by (engine_type, status) (engine:engine_calls:rate5m{${FILTER.serviceEngine}})`,
            legend: '{{engine_type}} {{status}}',
          },
        ],
      }),
    )
    .withPanel(
      timeSeries({
        id: 14,
        title: 'Engine error ratio',
        description:
          'Share of engine calls that did not succeed (failure, timeout, cancelled) over 5 minutes.',
        unit: 'percentunit',
        width: 12,
        min: 0,
        queries: [
          {
            refId: 'A',
            expr: `engine:engine_calls:error_ratio_rate5m{${FILTER.serviceEngine}}`,
            legend: '{{service}} {{engine_type}}',
          },
        ],
      }),
    )
    .withPanel(
      timeSeries({
        id: 15,
        title: 'Engine latency p50 / p95 / p99',
        description:
          'AI engine call duration percentiles per engine over 5 minutes; the dots are exemplars linking to traces.',
        unit: 's',
        width: 12,
        queries: [
          {
            refId: 'A',
            expr: `${ENGINE_DURATION_RULE}:p50_5m{${FILTER.serviceEngine}}`,
            legend: 'p50 {{engine_type}}',
          },
          {
            refId: 'B',
            expr: `${ENGINE_DURATION_RULE}:p95_5m{${FILTER.serviceEngine}}`,
            legend: 'p95 {{engine_type}}',
          },
          {
            refId: 'C',
            expr: `${ENGINE_DURATION_RULE}:p99_5m{${FILTER.serviceEngine}}`,
            legend: 'p99 {{engine_type}}',
          },
          {
            refId: 'X',
            expr: `histogram_quantile(0.99, sum by (le, engine_type) (rate(engine_call_duration_seconds_bucket{${FILTER.serviceEngineInstance}}[$__rate_interval])))`,
            legend: 'exemplars {{engine_type}}',
            exemplar: true,
          },
        ],
        hideRefIds: ['X'],
      }),
    )
    .withPanel(
      timeSeries({
        id: 16,
        title: 'Token usage',
        description: 'Tokens per second consumed by each engine, input and output.',
        unit: 'suffix: tokens/s',
        width: 12,
        stack: true,
        queries: [
          {
            refId: 'A',
            expr: `sum by (engine_type, token_type) (engine:engine_tokens:rate5m{${FILTER.serviceEngine}})`,
            legend: '{{engine_type}} {{token_type}}',
          },
        ],
      }),
    )
    .withPanel(
      statPanel({
        id: 17,
        title: 'Tokens in time range',
        description: 'Tokens consumed over the selected time range per engine and token type.',
        unit: 'short',
        width: 24,
        queries: [
          {
            refId: 'A',
            expr: `sum by (engine_type, token_type) (increase(engine_tokens_total{${FILTER.serviceEngineInstance}}[$__range]))`,
            legend: '{{engine_type}} {{token_type}}',
          },
        ],
      }),
    )
    .build();
}
