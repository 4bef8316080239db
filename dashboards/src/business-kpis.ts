// Business KPIs: active users, logins, workflow creations, revenue, satisfaction and API usage.
// Gauges every replica reports with the same value are read with max, never sum.
import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { THRESHOLDS } from './alerts.js';
import { above, base, below, labelVariable, row, statPanel, timeSeries } from './common.js';
import { FILTER } from './selectors.js';

const USERS = 'window:business_active_users:max';
const MRR = 'currency:business_monthly_recurring_revenue:max';
const CSAT = 'business_customer_satisfaction_score';

const currencyUnits = (b: ReturnType<typeof statPanel> | ReturnType<typeof timeSeries>) =>
  b
    .overrideByName('USD', [{ id: 'unit', value: 'currencyUSD' }])
    .overrideByName('EUR', [{ id: 'unit', value: 'currencyEUR' }])
    .overrideByName('GBP', [{ id: 'unit', value: 'currencyGBP' }]);

function users(id: number, window: string, title: string, what: string) {
  return statPanel({
    id,
    title,
    description: `Distinct users active in the last ${what} (HyperLogLog estimate, same on every replica, so max).`,
    unit: 'short',
    width: 5,
    queries: [{ refId: 'A', expr: `${USERS}{window="${window}"}`, legend: title }],
  });
}

export function businessKpis(): dashboard.Dashboard {
  return base({
    uid: 'aio-business-kpis',
    title: 'AI Orchestrator / Business KPIs',
    description:
      'Daily, weekly and monthly active users, logins, workflow creations, monthly recurring revenue, customer satisfaction and API usage by plan.',
    tags: ['business', 'kpi'],
    from: 'now-24h',
    refresh: '1m',
  })
    .withVariable(
      labelVariable('service', 'Service', 'label_values(business_active_users, service)'),
    )
    .withVariable(
      labelVariable(
        'instance',
        'Instance',
        `label_values(business_active_users{${FILTER.service}}, instance)`,
      ),
    )
    .withRow(row(1, 'Users'))
    .withPanel(users(2, '1d', 'DAU', 'day'))
    .withPanel(users(3, '7d', 'WAU', '7 days'))
    .withPanel(users(4, '30d', 'MAU', '30 days'))
    .withPanel(
      statPanel({
        id: 5,
        title: 'Stickiness (DAU / MAU)',
        description: 'Share of the monthly active users who were active today.',
        unit: 'percentunit',
        width: 4,
        decimals: 1,
        queries: [
          {
            refId: 'A',
            expr: `${USERS}{window="1d"} / ignoring (window) ${USERS}{window="30d"}`,
            legend: 'DAU / MAU',
          },
        ],
      }),
    )
    .withPanel(
      statPanel({
        id: 6,
        title: 'Logins in the last hour',
        description: `User logins over the last hour. LowUserActivity fires below ${THRESHOLDS.LowUserActivity} per hour for 30 minutes.`,
        unit: 'short',
        width: 5,
        queries: [
          {
            refId: 'A',
            expr: `sum(service:business_user_logins:increase1h{${FILTER.service}})`,
            legend: 'logins',
          },
        ],
        steps: below(THRESHOLDS.LowUserActivity),
        alerts: ['LowUserActivity'],
      }),
    )
    .withPanel(
      timeSeries({
        id: 7,
        title: 'Active users',
        description: 'DAU (1d), WAU (7d) and MAU (30d) over time.',
        unit: 'short',
        width: 12,
        queries: [{ refId: 'A', expr: USERS, legend: '{{window}}' }],
      }),
    )
    .withPanel(
      timeSeries({
        id: 8,
        title: 'Logins per hour',
        description: `User logins over the trailing hour per service; the dashed line is the LowUserActivity threshold (${THRESHOLDS.LowUserActivity}).`,
        unit: 'short',
        width: 12,
        queries: [
          {
            refId: 'A',
            expr: `service:business_user_logins:increase1h{${FILTER.service}}`,
            legend: '{{service}}',
          },
        ],
        steps: below(THRESHOLDS.LowUserActivity),
        alerts: ['LowUserActivity'],
      }),
    )
    .withRow(row(9, 'Product usage'))
    .withPanel(
      timeSeries({
        id: 10,
        title: 'Workflow creations per hour',
        description: `Workflows created over the trailing hour; WorkflowCreationDrop fires below ${THRESHOLDS.WorkflowCreationDrop} per hour.`,
        unit: 'short',
        width: 12,
        queries: [
          {
            refId: 'A',
            expr: `service:business_workflows_created:increase1h{${FILTER.service}}`,
            legend: '{{service}}',
          },
        ],
        steps: below(THRESHOLDS.WorkflowCreationDrop),
        alerts: ['WorkflowCreationDrop'],
      }),
    )
    .withPanel(
      timeSeries({
        id: 11,
        title: 'API usage by plan',
        description: 'API requests per second by subscription plan, 5-minute rate.',
        unit: 'reqps',
        width: 12,
        stack: true,
        queries: [{ refId: 'A', expr: 'plan:business_api_requests:rate5m', legend: '{{plan}}' }],
      }),
    )
    .withRow(row(12, 'Revenue and satisfaction'))
    .withPanel(
      currencyUnits(
        statPanel({
          id: 13,
          title: 'MRR',
          description: 'Monthly recurring revenue of active subscriptions, per currency.',
          unit: 'short',
          width: 6,
          queries: [{ refId: 'A', expr: MRR, legend: '{{currency}}' }],
        }),
      ),
    )
    .withPanel(
      currencyUnits(
        timeSeries({
          id: 14,
          title: 'MRR over time',
          description: 'Monthly recurring revenue per currency over time.',
          unit: 'short',
          width: 6,
          queries: [{ refId: 'A', expr: MRR, legend: '{{currency}}' }],
        }),
      ),
    )
    .withPanel(
      statPanel({
        id: 15,
        title: 'CSAT (time range)',
        description:
          'Average customer satisfaction score (1 to 5) of the responses in the selected time range.',
        unit: 'none',
        width: 6,
        decimals: 2,
        min: 1,
        max: 5,
        queries: [
          {
            refId: 'A',
            expr: `sum(increase(${CSAT}_sum{${FILTER.service}}[$__range])) / sum(increase(${CSAT}_count{${FILTER.service}}[$__range]))`,
            legend: 'CSAT',
          },
        ],
        steps: below(3, 4),
      }),
    )
    .withPanel(
      timeSeries({
        id: 16,
        title: 'CSAT, hourly average',
        description: 'Average satisfaction score of the responses of the trailing hour.',
        unit: 'none',
        width: 6,
        min: 1,
        max: 5,
        queries: [
          {
            refId: 'A',
            expr: `sum(rate(${CSAT}_sum{${FILTER.service}}[1h])) / sum(rate(${CSAT}_count{${FILTER.service}}[1h]))`,
            legend: 'CSAT',
          },
        ],
        steps: below(3, 4),
      }),
    )
    .withRow(row(17, 'KPI pipeline health'))
    .withPanel(
      statPanel({
        id: 18,
        title: 'KPI data age',
        description:
          'Seconds since a replica last read the KPIs from the shared store; old data means the numbers above are stale.',
        unit: 's',
        width: 8,
        queries: [
          {
            refId: 'A',
            expr: `time() - max(business_kpi_last_success_timestamp_seconds{${FILTER.service}})`,
            legend: 'age',
          },
        ],
        steps: above(120, 600),
      }),
    )
    .withPanel(
      timeSeries({
        id: 19,
        title: 'KPI store errors',
        description:
          'Failed operations against the business metrics store, per instance and operation.',
        unit: 'ops',
        width: 16,
        queries: [
          {
            refId: 'A',
            expr: `sum by (instance, operation) (rate(business_store_errors_total{${FILTER.serviceInstance}}[$__rate_interval]))`,
            legend: '{{instance}} {{operation}}',
          },
        ],
      }),
    )
    .build();
}
