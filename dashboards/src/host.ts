// The host row of the system overview, from node-exporter: utilisation against the alert
// thresholds (CPU, memory, disk space), then saturation, which shows trouble before them:
// run-queue per core, major page faults, dropped packets and disk I/O time (USE method).
import type * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';
import { THRESHOLDS } from './alerts.js';
import { above, below, limit, timeSeries } from './common.js';
import { FILTER } from './selectors.js';

/** `rate()` of a node-exporter counter over the dashboard's rate interval, for the picked hosts. */
const rate = (metric: string, extra = ''): string =>
  `rate(${metric}{${FILTER.node}${extra}}[$__rate_interval])`;

function utilisation(): timeseries.PanelBuilder[] {
  return [
    timeSeries({
      id: 17,
      title: 'CPU busy',
      description: `Share of CPU time not idle, averaged over the cores of each host. HighCPUUsage fires above ${THRESHOLDS.HighCPUUsage * 100}% for 5 minutes.`,
      unit: 'percentunit',
      width: 8,
      min: 0,
      max: 1,
      queries: [
        {
          refId: 'A',
          expr: `instance:node_cpu_utilisation:ratio_rate5m{${FILTER.node}}`,
          legend: '{{instance}}',
        },
      ],
      steps: limit(THRESHOLDS.HighCPUUsage),
      alerts: ['HighCPUUsage'],
    }),
    timeSeries({
      id: 18,
      title: 'Memory used',
      description: `Memory in use (total minus available) of each host. HighMemoryUsage fires above ${THRESHOLDS.HighMemoryUsage * 100}% for 5 minutes.`,
      unit: 'percentunit',
      width: 8,
      min: 0,
      max: 1,
      queries: [
        {
          refId: 'A',
          expr: `instance:node_memory_utilisation:ratio{${FILTER.node}}`,
          legend: '{{instance}}',
        },
      ],
      steps: limit(THRESHOLDS.HighMemoryUsage),
      alerts: ['HighMemoryUsage'],
    }),
    timeSeries({
      id: 19,
      title: 'Disk free',
      description: `Free space of each real filesystem (tmpfs and overlays left out). DiskSpaceLow fires below ${THRESHOLDS.DiskSpaceLow * 100}%.`,
      unit: 'percentunit',
      width: 8,
      min: 0,
      max: 1,
      queries: [
        {
          refId: 'A',
          expr: `instance_mountpoint:node_filesystem_avail:ratio{${FILTER.node}}`,
          legend: '{{instance}} {{mountpoint}}',
        },
      ],
      steps: below(THRESHOLDS.DiskSpaceLow),
      alerts: ['DiskSpaceLow'],
    }),
  ];
}

function saturation(): timeseries.PanelBuilder[] {
  return [
    timeSeries({
      id: 27,
      title: 'Load per CPU',
      description:
        'One-minute load average divided by the number of cores. Above 1, runnable tasks wait for a CPU: the host is saturated even when CPU busy looks bearable.',
      unit: 'none',
      width: 6,
      min: 0,
      queries: [
        {
          refId: 'A',
          expr: `instance:node_load1_per_cpu:ratio{${FILTER.node}}`,
          legend: '{{instance}}',
        },
      ],
      steps: above(1),
    }),
    timeSeries({
      id: 28,
      title: 'Major page faults',
      description:
        'Page faults per second that had to read from disk: memory pressure shows here before memory used reaches the HighMemoryUsage threshold.',
      unit: 'suffix: faults/s',
      width: 6,
      min: 0,
      queries: [{ refId: 'A', expr: rate('node_vmstat_pgmajfault'), legend: '{{instance}}' }],
    }),
    timeSeries({
      id: 29,
      title: 'Dropped packets',
      description:
        'Packets per second the network interfaces of each host dropped (loopback left out): full receive queues or an overloaded link.',
      unit: 'pps',
      width: 6,
      min: 0,
      queries: [
        {
          refId: 'A',
          expr: `sum by (instance) (${rate('node_network_receive_drop_total', ', device!="lo"')})`,
          legend: 'received {{instance}}',
        },
        {
          refId: 'B',
          expr: `sum by (instance) (${rate('node_network_transmit_drop_total', ', device!="lo"')})`,
          legend: 'sent {{instance}}',
        },
      ],
    }),
    timeSeries({
      id: 30,
      title: 'Disk I/O busy',
      description:
        'Share of time each disk spent on I/O. Near 100% the disk is saturated and requests queue, whatever the free space.',
      unit: 'percentunit',
      width: 6,
      min: 0,
      max: 1,
      queries: [
        {
          refId: 'A',
          expr: rate('node_disk_io_time_seconds_total'),
          legend: '{{instance}} {{device}}',
        },
      ],
      steps: above(0.9),
    }),
  ];
}

/**
 * The host panels in layout order: utilisation (with the alert thresholds), then saturation.
 *
 * @example
 * for (const panel of hostPanels()) dashboardBuilder.withPanel(panel);
 */
export function hostPanels(): timeseries.PanelBuilder[] {
  return [...utilisation(), ...saturation()];
}
