// Metrics the rules and dashboards may use that do not come from our contract: Prometheus'
// own synthetic series, Prometheus' and Alertmanager's own metrics, node-exporter, the kubelet's
// volume statistics, and prom-client's default metrics.

/** Series Prometheus itself produces for every target and every alert. */
export const PROMETHEUS_METRICS = ['up', 'ALERTS', 'ALERTS_FOR_STATE', 'scrape_duration_seconds'];

/**
 * What Prometheus exports about itself, read by the self-monitoring alerts; the live test
 * (infra/prometheus/self-monitoring.test.ts) finds each on a running Prometheus.
 */
export const PROMETHEUS_SELF_METRICS = [
  'prometheus_config_last_reload_successful',
  'prometheus_rule_evaluation_failures_total',
  'prometheus_rule_group_iterations_missed_total',
  'prometheus_notifications_alertmanagers_discovered',
  'prometheus_notifications_errors_total',
  'prometheus_notifications_sent_total',
  'prometheus_notifications_dropped_total',
  'prometheus_notifications_queue_length',
  'prometheus_notifications_queue_capacity',
  'prometheus_remote_storage_samples_failed_total',
  'prometheus_remote_storage_samples_total',
  'prometheus_remote_storage_highest_timestamp_in_seconds',
  'prometheus_remote_storage_queue_highest_sent_timestamp_seconds',
  'prometheus_remote_storage_samples_pending',
  'prometheus_tsdb_size_retentions_total',
  // read by the runbooks' diagnosis queries
  'prometheus_config_last_reload_success_timestamp_seconds',
  'prometheus_rule_group_last_duration_seconds',
  'prometheus_rule_group_interval_seconds',
  'prometheus_remote_storage_shards',
  'prometheus_remote_storage_shards_desired',
  'prometheus_tsdb_storage_blocks_bytes',
  'prometheus_tsdb_lowest_timestamp_seconds',
];

/** What Alertmanager exports about itself, read by the self-monitoring alerts (checked live too). */
export const ALERTMANAGER_METRICS = [
  'alertmanager_config_last_reload_successful',
  'alertmanager_config_hash',
  'alertmanager_cluster_members',
  'alertmanager_notifications_total',
  'alertmanager_notifications_failed_total',
  'alertmanager_peer_position',
];

/** The kubelet's volume statistics, per PersistentVolumeClaim (`namespace`, `persistentvolumeclaim`). */
export const KUBELET_METRICS = [
  'kubelet_volume_stats_available_bytes',
  'kubelet_volume_stats_capacity_bytes',
  'kubelet_volume_stats_used_bytes',
  'kubelet_volume_stats_inodes',
  'kubelet_volume_stats_inodes_free',
  'kubelet_volume_stats_inodes_used',
];

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
  ...PROMETHEUS_SELF_METRICS,
  ...ALERTMANAGER_METRICS,
  ...KUBELET_METRICS,
  ...NODE_EXPORTER_METRICS,
  ...PROM_CLIENT_DEFAULT_METRICS,
];
