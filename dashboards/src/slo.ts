// SLOs: how much error budget is left and how fast each SLO burns it, in the windows of the
// multiwindow, multi-burn-rate alerts (Google SRE workbook, "Alerting on SLOs").
import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { base, below, labelVariable, limit, row, statPanel, timeSeries } from './common.js';
import { FILTER } from './selectors.js';

/** The burn-rate alerts of slo_rules.yml, one per SLO. */
const SLO_ALERTS = [
  'SLOAvailabilityBudgetBurn',
  'SLOLatencyBudgetBurn',
  'SLOWorkflowSuccessBudgetBurn',
  'SLOTimeToFirstChunkBudgetBurn',
] as const;

/** The burn-rate alert windows of infra/prometheus/slo/spec.yaml: long and short, and the rate. */
export const BURN_WINDOWS = [
  { long: '1h', short: '5m', burnRate: 14.4, title: 'Fast burn (page): 1h and 5m' },
  { long: '6h', short: '30m', burnRate: 6, title: 'Medium burn (page): 6h and 30m' },
  { long: '1d', short: '2h', burnRate: 3, title: 'Slow burn (ticket): 1d and 2h' },
  { long: '3d', short: '6h', burnRate: 1, title: 'Slowest burn (ticket): 3d and 6h' },
] as const;

/** Burn rate = error ratio / error budget; the objective carries only the `slo` label. */
const burn = (window: string) =>
  `slo:sli_error:ratio_rate${window}{${FILTER.serviceSlo}} / on (slo) group_left () (1 - slo:objective:ratio{${FILTER.slo}})`;

export function slo(): dashboard.Dashboard {
  const b = base({
    uid: 'aio-slo',
    title: 'AI Orchestrator / SLOs',
    description:
      'Error budget remaining and burn rates of the availability, latency, workflow-success and GenAI time-to-first-chunk SLOs over their 30-day budget period.',
    tags: ['slo'],
    from: 'now-24h',
    refresh: '1m',
  })
    .withVariable(
      labelVariable('service', 'Service', 'label_values(slo:sli_error:ratio_rate5m, service)'),
    )
    .withVariable(
      labelVariable(
        'instance',
        'Instance',
        `label_values(http_server_request_duration_seconds_count{${FILTER.service}}, instance)`,
      ),
    )
    .withVariable(labelVariable('slo', 'SLO', 'label_values(slo:objective:ratio, slo)'))
    .withRow(row(1, 'Error budget'))
    .withPanel(
      statPanel({
        id: 2,
        title: 'Error budget remaining',
        description:
          'Share of the 30-day error budget not yet spent, per SLO and service: 100% is untouched, 0% or less means the SLO is broken.',
        unit: 'percentunit',
        width: 12,
        decimals: 1,
        queries: [
          {
            refId: 'A',
            expr: `slo:error_budget:remaining_ratio{${FILTER.serviceSlo}}`,
            legend: '{{slo}} {{service}}',
          },
        ],
        steps: below(0, 0.25),
        alerts: SLO_ALERTS,
      }),
    )
    .withPanel(
      statPanel({
        id: 3,
        title: 'Objective',
        description: 'Target share of good events of each SLO.',
        unit: 'percentunit',
        width: 6,
        decimals: 2,
        queries: [{ refId: 'A', expr: `slo:objective:ratio{${FILTER.slo}}`, legend: '{{slo}}' }],
      }),
    )
    .withPanel(
      statPanel({
        id: 4,
        title: 'Error ratio (30 days)',
        description: 'Share of bad events over the whole budget period, per SLO and service.',
        unit: 'percentunit',
        width: 6,
        decimals: 2,
        queries: [
          {
            refId: 'A',
            expr: `slo:sli_error:ratio_rate30d{${FILTER.serviceSlo}}`,
            legend: '{{slo}} {{service}}',
          },
        ],
      }),
    )
    .withPanel(
      timeSeries({
        id: 5,
        title: 'Error budget remaining over time',
        description: 'How the remaining 30-day error budget moved; a steady fall is a slow burn.',
        unit: 'percentunit',
        width: 24,
        queries: [
          {
            refId: 'A',
            expr: `slo:error_budget:remaining_ratio{${FILTER.serviceSlo}}`,
            legend: '{{slo}} {{service}}',
          },
        ],
        steps: below(0, 0.25),
      }),
    )
    .withRow(row(6, 'Burn rates'));
  BURN_WINDOWS.forEach((w, i) => {
    b.withPanel(
      timeSeries({
        id: 7 + i,
        title: w.title,
        description: `How many times faster than sustainable the budget burns, over ${w.long} and ${w.short}. The alert fires when both exceed ${w.burnRate} (dashed line).`,
        unit: 'x',
        width: 12,
        queries: [
          { refId: 'A', expr: burn(w.long), legend: `${w.long} {{slo}} {{service}}` },
          { refId: 'B', expr: burn(w.short), legend: `${w.short} {{slo}} {{service}}` },
        ],
        steps: limit(w.burnRate),
        alerts: SLO_ALERTS,
      }),
    );
  });
  return b
    .withRow(row(11, 'Traffic'))
    .withPanel(
      timeSeries({
        id: 12,
        title: 'Error ratio by window',
        description: 'The SLI error ratio of each SLO over 5 minutes, 1 hour and 1 day.',
        unit: 'percentunit',
        width: 12,
        queries: [
          {
            refId: 'A',
            expr: `slo:sli_error:ratio_rate5m{${FILTER.serviceSlo}}`,
            legend: '5m {{slo}} {{service}}',
          },
          {
            refId: 'B',
            expr: `slo:sli_error:ratio_rate1h{${FILTER.serviceSlo}}`,
            legend: '1h {{slo}} {{service}}',
          },
          {
            refId: 'C',
            expr: `slo:sli_error:ratio_rate1d{${FILTER.serviceSlo}}`,
            legend: '1d {{slo}} {{service}}',
          },
        ],
      }),
    )
    .withPanel(
      timeSeries({
        id: 13,
        title: 'Requests by instance',
        description:
          'HTTP requests per second of each instance: the volume behind the availability and latency SLIs.',
        unit: 'reqps',
        width: 12,
        queries: [
          {
            refId: 'A',
            expr: `sum by (service, instance) (rate(http_server_request_duration_seconds_count{${FILTER.serviceInstance}}[$__rate_interval]))`,
            legend: '{{service}} {{instance}}',
          },
        ],
      }),
    )
    .build();
}
