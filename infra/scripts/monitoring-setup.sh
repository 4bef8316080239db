#!/usr/bin/env bash
# Deploys the monitoring stack to Kubernetes and prints where to reach it.
#
#   infra/scripts/monitoring-setup.sh [dev|production|operator] [--dry-run] [--timeout 300s]
#                                     [--release NAME] [--namespace NAME] [--helm-values]
#
# dev / production  the overlays in infra/k8s/overlays (Prometheus, Alertmanager, Grafana, Jaeger,
#                   node-exporter in namespace `monitoring`)
# operator          for clusters running the Prometheus Operator (kube-prometheus-stack): the
#                   ServiceMonitor, PrometheusRules from infra/prometheus/*_rules.yml and an
#                   AlertmanagerConfig from infra/alertmanager/alertmanager.yml
# --release NAME    operator: the kube-prometheus-stack Helm release (its label selects the
#                   objects; default kube-prometheus-stack)
# --namespace NAME  operator: the namespace of its Alertmanager (default monitoring)
# --helm-values     operator: print the kube-prometheus-stack values these objects need
# --dry-run         print the rendered manifests and touch no cluster
#
# The overlays read rule, dashboard and provisioning files from their one copy elsewhere in the
# repo, outside the kustomization root; kustomize only allows that with
# `--load-restrictor LoadRestrictionsNone`, a flag `kubectl apply -k` does not take. So this
# renders with `kubectl kustomize --load-restrictor LoadRestrictionsNone` and pipes the result to
# `kubectl apply --server-side -f -` (server-side: the dashboards ConfigMap is too large for the
# last-applied annotation of a client-side apply).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
infra="$(cd "${here}/.." && pwd)"
target=dev
dry_run=false
timeout=300s
release=kube-prometheus-stack
namespace=monitoring
helm_values=false
kubectl_bin="${KUBECTL:-kubectl}"
tsx_bin="${infra}/node_modules/.bin/tsx"

usage() { sed -n '2,22p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }

while [ $# -gt 0 ]; do
  case "$1" in
    dev | production | operator) target="$1" ;;
    --dry-run) dry_run=true ;;
    --timeout) timeout="${2:?--timeout needs a duration such as 300s}"; shift ;;
    --release) release="${2:?--release needs the Helm release name of kube-prometheus-stack}"; shift ;;
    --namespace) namespace="${2:?--namespace needs the namespace of the Alertmanager of the Operator}"; shift ;;
    --helm-values) helm_values=true ;;
    -h | --help) usage; exit 0 ;;
    *) echo "monitoring-setup: unknown argument '$1' (expected dev, production, operator, --dry-run, --timeout, --release, --namespace, --helm-values)" >&2; exit 2 ;;
  esac
  shift
done

if [ "${target}" != operator ] && { [ "${release}" != kube-prometheus-stack ] || [ "${namespace}" != monitoring ] || [ "${helm_values}" = true ]; }; then
  echo "monitoring-setup: --release, --namespace and --helm-values apply to the operator target only" >&2
  exit 2
fi

if [ "${helm_values}" = true ]; then
  "${tsx_bin}" "${here}/operator-objects.ts" --helm-values
  exit 0
fi

render() {
  if [ "${target}" = operator ]; then
    "${kubectl_bin}" kustomize "${infra}/k8s/operator" |
      "${tsx_bin}" "${here}/operator-objects.ts" --release "${release}" --namespace "${namespace}"
  else
    "${kubectl_bin}" kustomize --load-restrictor LoadRestrictionsNone "${infra}/k8s/overlays/${target}"
  fi
}

if [ "${dry_run}" = true ]; then
  render
  exit 0
fi

# Secrets are referenced by the manifests, never committed: refuse to deploy without them.
required_secrets=(grafana-admin alertmanager-secrets monitoring-tls monitoring-basic-auth)
[ "${target}" = production ] && required_secrets+=(grafana-db)
# The AlertmanagerConfig reads the receivers' credentials from alertmanager-secrets beside it.
[ "${target}" = operator ] && required_secrets=(alertmanager-secrets)
[ "${target}" != operator ] && { "${kubectl_bin}" get namespace "${namespace}" >/dev/null 2>&1 || "${kubectl_bin}" create namespace "${namespace}"; }
missing=()
for secret in "${required_secrets[@]}"; do
  "${kubectl_bin}" -n "${namespace}" get secret "${secret}" >/dev/null 2>&1 || missing+=("${secret}")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "monitoring-setup: create these Secrets in namespace ${namespace} first: ${missing[*]}" >&2
  echo "  (commands in infra/k8s/README.md, section Secrets)" >&2
  exit 1
fi

render | "${kubectl_bin}" apply --server-side --field-manager=monitoring-setup -f -

if [ "${target}" = operator ]; then
  echo "Applied the ServiceMonitor, PrometheusRules and AlertmanagerConfig for release ${release}."
  echo "kube-prometheus-stack needs these values once (templates, matcher strategy, retention):"
  echo "  infra/scripts/monitoring-setup.sh operator --helm-values > ai-orchestrator-values.yaml"
  echo "  helm upgrade ${release} prometheus-community/kube-prometheus-stack -n ${namespace} --reuse-values -f ai-orchestrator-values.yaml"
  exit 0
fi

# namespace/kind/name: node-exporter runs in a namespace of its own (Pod Security `privileged`).
workloads=(monitoring/statefulset/prometheus monitoring/statefulset/alertmanager monitoring/deployment/grafana monitoring/deployment/jaeger monitoring-node-exporter/daemonset/node-exporter)
# production also runs the long-term store, VictoriaMetrics.
[ "${target}" = production ] && workloads+=(monitoring/statefulset/vmstorage monitoring/deployment/vminsert monitoring/deployment/vmselect)
for workload in "${workloads[@]}"; do
  "${kubectl_bin}" -n "${workload%%/*}" rollout status "${workload#*/}" --timeout="${timeout}"
done

echo
echo "Monitoring stack (${target}) is up:"
"${kubectl_bin}" -n monitoring get ingress -o jsonpath='{range .items[*]}{range .spec.rules[*]}  https://{.host}{"\n"}{end}{end}'
echo "Without an Ingress controller, port-forward instead:"
echo "  kubectl -n monitoring port-forward svc/grafana 3000       # http://localhost:3000"
echo "  kubectl -n monitoring port-forward svc/prometheus 9090    # http://localhost:9090"
echo "  kubectl -n monitoring port-forward svc/alertmanager 9093  # http://localhost:9093"
echo "  kubectl -n monitoring port-forward svc/jaeger 16686       # http://localhost:16686"
echo "Then: infra/scripts/validate-monitoring.sh"
