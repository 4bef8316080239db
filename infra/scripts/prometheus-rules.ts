// One PrometheusRule per rule file of infra/prometheus, for the Prometheus Operator: the
// operator's rule format is the file's `groups` under `spec`, so the objects are generated from
// the one copy of the rules at deploy time and never committed as a second copy
// (operator-objects.ts prints them with the ServiceMonitor and the AlertmanagerConfig).
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

export const RULE_FILES = [
  'alert_rules.yml',
  'recording_rules.yml',
  'slo_rules.yml',
  'genai_rules.yml',
] as const;

const PROMETHEUS_DIR = fileURLToPath(new URL('../prometheus/', import.meta.url));

export interface PrometheusRuleOptions {
  readonly namespace?: string;
  /** kube-prometheus-stack selects rules by its Helm release label. */
  readonly release?: string;
  readonly dir?: string;
}

/**
 * The PrometheusRule objects for the repo's rule files.
 *
 * @example
 * prometheusRules({ release: 'kube-prometheus-stack' }).map((r) => r.metadata.name);
 */
export function prometheusRules(options: PrometheusRuleOptions = {}): {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace: string; labels: Record<string, string> };
  spec: { groups: unknown[] };
}[] {
  const namespace = options.namespace ?? 'monitoring';
  const release = options.release ?? 'kube-prometheus-stack';
  const dir = options.dir ?? PROMETHEUS_DIR;
  return RULE_FILES.map((file) => {
    const parsed = parse(readFileSync(join(dir, file), 'utf8')) as { groups?: unknown };
    if (!Array.isArray(parsed?.groups)) {
      throw new TypeError(`${file}: expected a rule file with a "groups" list`);
    }
    return {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'PrometheusRule',
      metadata: {
        name: `ai-orchestrator-${basename(file, '.yml').replace(/_/g, '-')}`,
        namespace,
        labels: { release, 'app.kubernetes.io/part-of': 'ai-orchestrator-monitoring' },
      },
      spec: { groups: parsed.groups },
    };
  });
}
