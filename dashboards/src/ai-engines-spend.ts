// The second half of the AI engines dashboard: spend per hour and per day by model and by
// workflow, calls that could not be priced, and the tools and agents the services run.
import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { row, timeSeries } from './common.js';
import { FILTER } from './selectors.js';

const HOUR = 'model_workflow:gen_ai_client_spend:increase1h';
const DAY = 'model_workflow:gen_ai_client_spend:increase1d';

function spend(
  id: number,
  title: string,
  rule: string,
  by: 'gen_ai_request_model' | 'workflow_name',
) {
  const window = rule === HOUR ? 'hour' : '24 hours';
  return timeSeries({
    id,
    title,
    description: `Spend over the last ${window} from the price catalog, by ${by === 'workflow_name' ? 'workflow (calls outside a workflow have none)' : 'requested model'}, per currency. Calls without a price are not in it (see Unpriced calls).`,
    unit: 'short',
    width: 12,
    decimals: 2,
    queries: [
      {
        refId: 'A',
        expr: `sum by (${by}, gen_ai_usage_cost_currency) (${rule}{${FILTER.serviceProviderModelWorkflow}})`,
        legend: `{{${by}}} {{gen_ai_usage_cost_currency}}`,
      },
    ],
  });
}

/** Adds the spend, unpriced, tool and agent panels, ids from `first`. */
export function spendPanels(
  b: dashboard.DashboardBuilder,
  first: number,
): dashboard.DashboardBuilder {
  return b
    .withRow(row(first, 'Spend'))
    .withPanel(spend(first + 1, 'Spend per hour by model', HOUR, 'gen_ai_request_model'))
    .withPanel(spend(first + 2, 'Spend per hour by workflow', HOUR, 'workflow_name'))
    .withPanel(spend(first + 3, 'Spend per day by model', DAY, 'gen_ai_request_model'))
    .withPanel(spend(first + 4, 'Spend per day by workflow', DAY, 'workflow_name'))
    .withPanel(
      timeSeries({
        id: first + 5,
        title: 'Unpriced calls per hour',
        description:
          'Calls whose spend is unknown, by model and reason: unknown_model and missing_price (fix the catalog), no_usage (a stream without usage), incomplete (timeouts, cancels, cut streams).',
        unit: 'short',
        width: 24,
        queries: [
          {
            refId: 'A',
            expr: `sum by (gen_ai_request_model, reason) (provider_model:gen_ai_client_unpriced:increase1h{${FILTER.serviceProviderModel}})`,
            legend: '{{gen_ai_request_model}} {{reason}}',
          },
        ],
        alerts: ['GenAIUnpricedCalls'],
      }),
    )
    .withRow(row(first + 6, 'Tools and agents'))
    .withPanel(
      timeSeries({
        id: first + 7,
        title: 'Tool execution duration p95',
        description:
          'gen_ai.execute_tool.duration per tool, 95th percentile; the dots are exemplars linking to the execute_tool spans.',
        unit: 's',
        width: 12,
        queries: [
          {
            refId: 'A',
            expr: `histogram_quantile(0.95, sum by (le, gen_ai_tool_name) (rate(gen_ai_execute_tool_duration_seconds_bucket{${FILTER.serviceInstance}}[$__rate_interval])))`,
            legend: '{{gen_ai_tool_name}}',
            exemplar: true,
          },
        ],
      }),
    )
    .withPanel(
      timeSeries({
        id: first + 8,
        title: 'Agent invocation duration p95',
        description:
          'gen_ai.invoke_agent.duration per agent, 95th percentile; the dots are exemplars linking to the invoke_agent spans.',
        unit: 's',
        width: 12,
        queries: [
          {
            refId: 'A',
            expr: `histogram_quantile(0.95, sum by (le, gen_ai_agent_name) (rate(gen_ai_invoke_agent_duration_seconds_bucket{${FILTER.serviceInstance}}[$__rate_interval])))`,
            legend: '{{gen_ai_agent_name}}',
            exemplar: true,
          },
        ],
      }),
    );
}
