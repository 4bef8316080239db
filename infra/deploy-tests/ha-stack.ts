// The production overlay's Prometheus config (infra/k8s/overlays/production/prometheus.yml) made
// runnable on loopback, for the live HA tests: its external labels with `replica` set per
// replica, its alert relabelling, its remote_write with its write relabelling, its rule files and
// its scrape-time relabelling, with static targets instead of Kubernetes discovery and
// 1 s intervals. What the HA pair relies on is read from the shipped file, not restated here.
import { join } from 'node:path';
import { stringify, parse } from 'yaml';
import { K8S, read } from './paths.js';

export const PRODUCTION_PROMETHEUS = join(K8S, 'overlays/production/prometheus.yml');
/** The scrape and evaluation interval of the loopback replicas (15 s in production). */
export const TEST_SCRAPE_INTERVAL = '1s';

interface RemoteWrite {
  url: string;
  queue_config?: Record<string, unknown>;
  write_relabel_configs?: unknown[];
  [key: string]: unknown;
}

export interface ProductionConfig {
  global: { external_labels: Record<string, string>; [key: string]: unknown };
  rule_files: string[];
  alerting: { alert_relabel_configs?: unknown[]; alertmanagers: unknown[] };
  remote_write?: RemoteWrite[];
  scrape_configs: { job_name: string; metric_relabel_configs?: unknown[] }[];
}

export function productionConfig(): ProductionConfig {
  return parse(read(PRODUCTION_PROMETHEUS)) as ProductionConfig;
}

export interface ReplicaOptions {
  /** The value of the `replica` external label (a pod name in production). */
  readonly replica: string;
  /** Alertmanagers, as `http://host:port` URLs; every replica sends to every one. */
  readonly alertmanagers?: readonly string[];
  /** Scrape targets, one job per service (job and service are the Service name in Kubernetes). */
  readonly targets: readonly { readonly service: string; readonly target: string }[];
  /** Remote-write URLs, each with the production queue (the long-term store); none when absent. */
  readonly remoteWrite?: readonly string[];
}

/** prometheus.yml for one replica of the production HA pair, on loopback. */
export function replicaConfig(o: ReplicaOptions): string {
  const prod = productionConfig();
  const services = prod.scrape_configs.find((j) => j.job_name === 'kubernetes-services');
  if (!services) throw new Error(`${PRODUCTION_PROMETHEUS}: no kubernetes-services job`);
  const hostOf = (url: string): string => url.replace(/^https?:\/\//, '');
  return stringify({
    global: {
      ...prod.global,
      scrape_interval: TEST_SCRAPE_INTERVAL,
      scrape_timeout: TEST_SCRAPE_INTERVAL,
      evaluation_interval: TEST_SCRAPE_INTERVAL,
      external_labels: { ...prod.global.external_labels, replica: o.replica },
    },
    rule_files: prod.rule_files,
    alerting: {
      alert_relabel_configs: prod.alerting.alert_relabel_configs,
      alertmanagers: [{ static_configs: [{ targets: (o.alertmanagers ?? []).map(hostOf) }] }],
    },
    remote_write: (o.remoteWrite ?? []).flatMap((url, i) =>
      (prod.remote_write ?? []).map((rw) => ({
        ...rw,
        name: `${String(rw.name ?? 'remote')}-${i}`,
        url,
        // Sent within a second instead of the default 5 s, so a test reads it back soon.
        queue_config: { ...rw.queue_config, batch_send_deadline: '1s' },
      })),
    ),
    scrape_configs: o.targets.map((t) => ({
      job_name: t.service,
      static_configs: [{ targets: [t.target], labels: { service: t.service } }],
      metric_relabel_configs: services.metric_relabel_configs,
    })),
  });
}
