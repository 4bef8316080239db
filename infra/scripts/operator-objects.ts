// The Prometheus Operator objects of the stack, from the one copy of each file: the ServiceMonitor
// (read from stdin, as `kubectl kustomize infra/k8s/operator` renders it), one PrometheusRule per
// rule file, and the AlertmanagerConfig made from alertmanager.yml. Every object gets the release
// label kube-prometheus-stack selects by, and the namespace of its Alertmanager.
//   kubectl kustomize infra/k8s/operator | tsx infra/scripts/operator-objects.ts --release kps
//   tsx infra/scripts/operator-objects.ts --helm-values   # values kube-prometheus-stack needs
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { alertmanagerConfig } from '../lib/alertmanager-config.js';
import { SPEC_FILE } from '../prometheus/slo/generate.js';
import { validateSpec } from '../prometheus/slo/spec.js';
import { prometheusRules } from './prometheus-rules.js';

const ALERTMANAGER_DIR = fileURLToPath(new URL('../alertmanager/', import.meta.url));
export const DEFAULT_RELEASE = 'kube-prometheus-stack';
export const DEFAULT_NAMESPACE = 'monitoring';

export interface OperatorOptions {
  /** kube-prometheus-stack selects ServiceMonitors and PrometheusRules by its Helm release label. */
  readonly release?: string;
  /** The namespace of the Operator's Alertmanager: the AlertmanagerConfig and its Secret live there. */
  readonly namespace?: string;
}

type KubeDoc = { metadata?: { namespace?: string; labels?: Record<string, string> } };

/**
 * The objects to apply: `rendered` (the kustomize output) relabelled, then the generated ones.
 *
 * @example
 * operatorObjects([], { release: 'monitoring', namespace: 'monitoring' }).map((o) => o.kind);
 */
export function operatorObjects(
  rendered: KubeDoc[],
  options: OperatorOptions = {},
): Record<string, unknown>[] {
  const release = options.release ?? DEFAULT_RELEASE;
  const namespace = options.namespace ?? DEFAULT_NAMESPACE;
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(release)) {
    throw new TypeError(`release: ${JSON.stringify(release)} is not a Helm release name`);
  }
  const relabelled = rendered.map((o) => ({
    ...o,
    metadata: {
      ...o.metadata,
      namespace,
      labels: { ...o.metadata?.labels, release },
    },
  }));
  const amConfig = alertmanagerConfig(readFileSync(`${ALERTMANAGER_DIR}alertmanager.yml`, 'utf8'), {
    namespace,
    labels: { release },
  });
  return [...relabelled, ...prometheusRules({ namespace, release }), amConfig];
}

/** What kube-prometheus-stack must be told once, as Helm values: templates, matcher, retention. */
export function helmValues(): Record<string, unknown> {
  const period = validateSpec(parse(readFileSync(SPEC_FILE, 'utf8'))).budgetPeriod;
  return {
    alertmanager: {
      alertmanagerSpec: {
        // The AlertmanagerConfig sits in the Alertmanager's namespace and routes every namespace's
        // alerts; the default (OnNamespace) would only route alerts labelled namespace=<its own>.
        alertmanagerConfigMatcherStrategy: { type: 'OnNamespaceExceptForAlertmanagerNamespace' },
      },
      // The chart's config loads /etc/alertmanager/config/*.tmpl; the receivers use these
      // (grafana-url.tmpl's line 2 is the Grafana URL the messages link to: set yours).
      templateFiles: Object.fromEntries(
        readdirSync(`${ALERTMANAGER_DIR}templates`)
          .filter((f) => f.endsWith('.tmpl'))
          .sort()
          .map((f) => [f, readFileSync(`${ALERTMANAGER_DIR}templates/${f}`, 'utf8')]),
      ),
    },
    // At least the SLO period, or 30-day error budgets are computed over less (the chart: 10d).
    prometheus: { prometheusSpec: { retention: period } },
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { values } = parseArgs({
    options: {
      namespace: { type: 'string' },
      release: { type: 'string' },
      'helm-values': { type: 'boolean' },
    },
  });
  if (values['helm-values']) {
    process.stdout.write(stringify(helmValues(), { lineWidth: 0 }));
  } else {
    const input = readFileSync(0, 'utf8');
    const rendered = parseAllDocuments(input)
      .map((d) => d.toJS() as KubeDoc | null)
      .filter((d): d is KubeDoc => d !== null);
    const docs = operatorObjects(rendered, {
      ...(values.namespace ? { namespace: values.namespace } : {}),
      ...(values.release ? { release: values.release } : {}),
    });
    process.stdout.write(docs.map((doc) => stringify(doc, { lineWidth: 0 })).join('---\n'));
  }
}
