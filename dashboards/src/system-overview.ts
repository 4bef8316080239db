// System overview: is every service up, how much traffic, how many errors, how slow, and is the
// host or the Node.js runtime the reason.
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { heartbeatAlerts, THRESHOLDS } from './alerts.js';
import {
  base,
  below,
  labelVariable,
  limit,
  row,
  statPanel,
  tablePanel,
  timeSeries,
} from './common.js';
import { hostPanels } from './host.js';
import { FILTER } from './selectors.js';

const HTTP_DURATION_RULE = 'service:http_server_request_duration_seconds';
const HTTP_DURATION_BUCKETS = 'http_server_request_duration_seconds_bucket';

const UP_MAPPING: dashboard.ValueMapping = {
  type: dashboard.MappingType.ValueToText,
  options: { '0': { text: 'DOWN', color: 'red' }, '1': { text: 'UP', color: 'green' } },
};

export function systemOverview(): dashboard.Dashboard {
  const heartbeats = heartbeatAlerts();
  const b = base({
    uid: 'aio-system-overview',
    title: 'AI Orchestrator / System overview',
    description:
      'Service health, HTTP RED metrics, host resources from node-exporter and the Node.js runtime of every service.',
    tags: ['overview', 'http', 'host', 'nodejs'],
  })
    .withVariable(
      labelVariable('service', 'Service', 'label_values(process_start_time_seconds, service)'),
    )
    .withVariable(
      labelVariable(
        'instance',
        'Instance',
        `label_values(process_start_time_seconds{${FILTER.service}}, instance)`,
      ),
    )
    .withVariable(
      labelVariable(
        'route',
        'Route',
        `label_values(service_route:http_server_requests:rate5m{${FILTER.service}}, http_route)`,
      ),
    )
    .withVariable(labelVariable('node', 'Host', 'label_values(node_cpu_seconds_total, instance)'))
    .withRow(row(1, 'Service health'))
    .withPanel(
      statPanel({
        id: 2,
        title: 'Targets up',
        description:
          'Whether Prometheus reached each scrape target of the selected services on its last scrape. A target down for 1 minute fires ServiceDown.',
        unit: 'none',
        width: 6,
        queries: [
          {
            refId: 'A',
            expr: `min by (service, instance) (up{${FILTER.serviceInstance}})`,
            legend: '{{service}} {{instance}}',
            instant: true,
          },
        ],
        steps: below(1),
        alerts: ['ServiceDown'],
        mappings: [UP_MAPPING],
      }),
    )
    .withPanel(
      statPanel({
        id: 3,
        title: 'Request rate',
        description: 'HTTP requests per second over the last 5 minutes, all selected services.',
        unit: 'reqps',
        width: 4,
        queries: [
          {
            refId: 'A',
            expr: `sum(service:http_server_requests:rate5m{${FILTER.service}})`,
            legend: 'requests',
          },
        ],
      }),
    )
    .withPanel(
      statPanel({
        id: 4,
        title: 'Error ratio',
        description: `Share of requests answered with a 5xx over 5 minutes. HighErrorRate fires above ${THRESHOLDS.HighErrorRate * 100}% for 5 minutes.`,
        unit: 'percentunit',
        width: 4,
        queries: [
          {
            refId: 'A',
            expr: `service:http_server_errors:ratio_rate5m{${FILTER.service}}`,
            legend: '{{service}}',
          },
        ],
        steps: limit(THRESHOLDS.HighErrorRate),
        alerts: ['HighErrorRate'],
      }),
    )
    .withPanel(
      statPanel({
        id: 5,
        title: 'p95 latency',
        description: `95th percentile of HTTP request duration over 5 minutes. HighResponseTime fires above ${THRESHOLDS.HighResponseTime} s.`,
        unit: 's',
        width: 4,
        queries: [
          {
            refId: 'A',
            expr: `${HTTP_DURATION_RULE}:p95_5m{${FILTER.service}}`,
            legend: '{{service}}',
          },
        ],
        steps: limit(THRESHOLDS.HighResponseTime),
        alerts: ['HighResponseTime'],
      }),
    )
    .withPanel(
      statPanel({
        id: 6,
        title: 'Firing alerts',
        description: `Alerts firing now in Prometheus, whatever their severity (0 when none), except the heartbeat (${heartbeats.join(', ')}) that fires all the time to prove the alerting pipeline works.`,
        unit: 'none',
        width: 6,
        queries: [
          {
            refId: 'A',
            expr: `count(ALERTS{alertstate="firing"${heartbeats.map((n) => `, alertname!="${n}"`).join('')}}) or vector(0)`,
            legend: 'firing',
          },
        ],
        steps: limit(1),
      }),
    )
    .withRow(row(7, 'Traffic, errors, latency'))
    .withPanel(
      timeSeries({
        id: 8,
        title: 'Request rate by service',
        description: 'HTTP requests per second of each service, 5-minute rate.',
        unit: 'reqps',
        width: 12,
        queries: [
          {
            refId: 'A',
            expr: `service:http_server_requests:rate5m{${FILTER.service}}`,
            legend: '{{service}}',
          },
        ],
      }),
    )
    .withPanel(
      timeSeries({
        id: 9,
        title: 'Error ratio by service',
        description: `Share of 5xx responses of each service over 5 minutes; the dashed line is the HighErrorRate threshold (${THRESHOLDS.HighErrorRate * 100}%).`,
        unit: 'percentunit',
        width: 12,
        min: 0,
        queries: [
          {
            refId: 'A',
            expr: `service:http_server_errors:ratio_rate5m{${FILTER.service}}`,
            legend: '{{service}}',
          },
        ],
        steps: limit(THRESHOLDS.HighErrorRate),
        alerts: ['HighErrorRate'],
      }),
    )
    .withPanel(
      timeSeries({
        id: 10,
        title: 'Latency p50 / p95 / p99',
        description:
          'HTTP request duration percentiles per service from the recording rules. The dots are exemplars: click one to open its trace in Jaeger.',
        unit: 's',
        width: 12,
        queries: [
          {
            refId: 'A',
            expr: `${HTTP_DURATION_RULE}:p50_5m{${FILTER.service}}`,
            legend: 'p50 {{service}}',
          },
          {
            refId: 'B',
            expr: `${HTTP_DURATION_RULE}:p95_5m{${FILTER.service}}`,
            legend: 'p95 {{service}}',
          },
          {
            refId: 'C',
            expr: `${HTTP_DURATION_RULE}:p99_5m{${FILTER.service}}`,
            legend: 'p99 {{service}}',
          },
          {
            refId: 'X',
            expr: `histogram_quantile(0.99, sum by (le, service) (rate(${HTTP_DURATION_BUCKETS}{${FILTER.serviceInstance}}[$__rate_interval])))`,
            legend: 'exemplars {{service}}',
            exemplar: true,
          },
        ],
        hideRefIds: ['X'],
        steps: limit(THRESHOLDS.HighResponseTime),
        alerts: ['HighResponseTime'],
      }),
    )
    .withPanel(
      timeSeries({
        id: 11,
        title: 'Active requests',
        description: 'HTTP requests in flight per service, summed over its instances.',
        unit: 'short',
        width: 12,
        queries: [
          {
            refId: 'A',
            expr: `service:http_server_active_requests:sum{${FILTER.service}}`,
            legend: '{{service}}',
          },
        ],
      }),
    )
    .withRow(row(12, 'Routes'))
    .withPanel(
      timeSeries({
        id: 13,
        title: 'Request rate by route',
        description: 'Requests per second of each route template and method, 5-minute rate.',
        unit: 'reqps',
        width: 8,
        queries: [
          {
            refId: 'A',
            expr: `service_route:http_server_requests:rate5m{${FILTER.serviceRoute}}`,
            legend: '{{service}} {{http_request_method}} {{http_route}}',
          },
        ],
      }),
    )
    .withPanel(
      timeSeries({
        id: 14,
        title: 'Error ratio by route',
        description: 'Share of 5xx responses of each route over 5 minutes.',
        unit: 'percentunit',
        width: 8,
        min: 0,
        queries: [
          {
            refId: 'A',
            expr: `service_route:http_server_errors:ratio_rate5m{${FILTER.serviceRoute}}`,
            legend: '{{service}} {{http_route}}',
          },
        ],
        steps: limit(THRESHOLDS.HighErrorRate),
        alerts: ['HighErrorRate'],
      }),
    )
    .withPanel(
      timeSeries({
        id: 15,
        title: 'p95 latency by route',
        description:
          '95th percentile duration of each route over 5 minutes; the dots are exemplars linking to traces.',
        unit: 's',
        width: 8,
        queries: [
          {
            refId: 'A',
            expr: `service_route:http_server_request_duration_seconds:p95_5m{${FILTER.serviceRoute}}`,
            legend: '{{service}} {{http_route}}',
          },
          {
            refId: 'X',
            expr: `histogram_quantile(0.95, sum by (le, service, http_route) (rate(${HTTP_DURATION_BUCKETS}{${FILTER.serviceRouteInstance}}[$__rate_interval])))`,
            legend: 'exemplars {{http_route}}',
            exemplar: true,
          },
        ],
        hideRefIds: ['X'],
        steps: limit(THRESHOLDS.HighResponseTime),
        alerts: ['HighResponseTime'],
      }),
    )
    .withRow(row(16, 'Host (node-exporter)'));
  for (const panel of hostPanels()) b.withPanel(panel);
  return b
    .withRow(row(20, 'Node.js runtime'))
    .withPanel(
      timeSeries({
        id: 21,
        title: 'Event-loop lag p99',
        description:
          '99th percentile of event-loop delay per instance: time a ready callback waited for the loop.',
        unit: 's',
        width: 6,
        queries: [
          {
            refId: 'A',
            expr: `max by (service, instance) (nodejs_eventloop_lag_p99_seconds{${FILTER.serviceInstance}})`,
            legend: '{{service}} {{instance}}',
          },
        ],
      }),
    )
    .withPanel(
      timeSeries({
        id: 22,
        title: 'Heap used / total',
        description: 'V8 heap in use and allocated per instance.',
        unit: 'bytes',
        width: 6,
        queries: [
          {
            refId: 'A',
            expr: `sum by (service, instance) (nodejs_heap_size_used_bytes{${FILTER.serviceInstance}})`,
            legend: 'used {{service}} {{instance}}',
          },
          {
            refId: 'B',
            expr: `sum by (service, instance) (nodejs_heap_size_total_bytes{${FILTER.serviceInstance}})`,
            legend: 'total {{service}} {{instance}}',
          },
        ],
      }),
    )
    .withPanel(
      timeSeries({
        id: 23,
        title: 'Process CPU',
        description: 'CPU time used per instance, in cores (1 = one core fully busy).',
        unit: 'percentunit',
        width: 6,
        min: 0,
        queries: [
          {
            refId: 'A',
            expr: `sum by (service, instance) (rate(process_cpu_seconds_total{${FILTER.serviceInstance}}[$__rate_interval]))`,
            legend: '{{service}} {{instance}}',
          },
        ],
      }),
    )
    .withPanel(
      timeSeries({
        id: 24,
        title: 'Resident memory',
        description: 'Resident set size of each process.',
        unit: 'bytes',
        width: 6,
        queries: [
          {
            refId: 'A',
            expr: `sum by (service, instance) (process_resident_memory_bytes{${FILTER.serviceInstance}})`,
            legend: '{{service}} {{instance}}',
          },
        ],
      }),
    )
    .withRow(row(25, 'Alerts'))
    .withPanel(
      tablePanel({
        id: 26,
        title: 'Alerts firing and pending',
        description:
          'Every alert Prometheus evaluates as pending (condition true, waiting for its `for`) or firing, with its severity and priority.',
        unit: 'none',
        width: 24,
        queries: [
          {
            refId: 'A',
            expr: 'sum by (alertname, alertstate, severity, priority, service) (ALERTS)',
            legend: '{{alertname}}',
            instant: true,
          },
        ],
      }),
    )
    .build();
}
