// Metrics the rules and dashboards may use that do not come from our contract: Prometheus'
// own synthetic series, node-exporter, and prom-client's default metrics.

/** Series Prometheus itself produces for every target and every alert. */
export const PROMETHEUS_METRICS = ['up', 'ALERTS', 'ALERTS_FOR_STATE', 'scrape_duration_seconds'];

/** node-exporter series the host alerts and dashboards use (https://github.com/prometheus/node_exporter). */
export const NODE_EXPORTER_METRICS = [
  'node_cpu_seconds_total',
  'node_memory_MemAvailable_bytes',
  'node_memory_MemTotal_bytes',
  'node_filesystem_avail_bytes',
  'node_filesystem_size_bytes',
  'node_filesystem_readonly',
  'node_load1',
  'node_load5',
  'node_load15',
  'node_network_receive_bytes_total',
  'node_network_transmit_bytes_total',
  'node_disk_read_bytes_total',
  'node_disk_written_bytes_total',
  'node_disk_io_time_seconds_total',
  'node_vmstat_pgmajfault',
  'node_network_receive_drop_total',
  'node_network_transmit_drop_total',
];

/**
 * prom-client 15 `collectDefaultMetrics()` on Linux, histograms expanded to their series; a test
 * compares this list with a fresh registry so a prom-client upgrade cannot drift from it.
 */
export const PROM_CLIENT_DEFAULT_METRICS = [
  'process_cpu_user_seconds_total',
  'process_cpu_system_seconds_total',
  'process_cpu_seconds_total',
  'process_start_time_seconds',
  'process_resident_memory_bytes',
  'process_virtual_memory_bytes',
  'process_heap_bytes',
  'process_open_fds',
  'process_max_fds',
  'nodejs_eventloop_lag_seconds',
  'nodejs_eventloop_lag_min_seconds',
  'nodejs_eventloop_lag_max_seconds',
  'nodejs_eventloop_lag_mean_seconds',
  'nodejs_eventloop_lag_stddev_seconds',
  'nodejs_eventloop_lag_p50_seconds',
  'nodejs_eventloop_lag_p90_seconds',
  'nodejs_eventloop_lag_p99_seconds',
  'nodejs_active_resources',
  'nodejs_active_resources_total',
  'nodejs_active_handles',
  'nodejs_active_handles_total',
  'nodejs_active_requests',
  'nodejs_active_requests_total',
  'nodejs_heap_size_total_bytes',
  'nodejs_heap_size_used_bytes',
  'nodejs_external_memory_bytes',
  'nodejs_heap_space_size_total_bytes',
  'nodejs_heap_space_size_used_bytes',
  'nodejs_heap_space_size_available_bytes',
  'nodejs_version_info',
  'nodejs_gc_duration_seconds_bucket',
  'nodejs_gc_duration_seconds_sum',
  'nodejs_gc_duration_seconds_count',
];

/** Every external series name, for {@link knownMetrics}. */
export const EXTERNAL_METRICS: readonly string[] = [
  ...PROMETHEUS_METRICS,
  ...NODE_EXPORTER_METRICS,
  ...PROM_CLIENT_DEFAULT_METRICS,
];
