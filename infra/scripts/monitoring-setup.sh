#!/usr/bin/env bash
# Deploys the monitoring stack to Kubernetes and prints where to reach it.
#
#   infra/scripts/monitoring-setup.sh [dev|production|operator] [--dry-run] [--timeout 300s]
#
# dev / production  the overlays in infra/k8s/overlays (Prometheus, Alertmanager, Grafana, Jaeger,
#                   node-exporter in namespace `monitoring`)
# operator          for clusters running the Prometheus Operator (kube-prometheus-stack): the
#                   ServiceMonitor plus PrometheusRules generated from infra/prometheus/*_rules.yml
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
kubectl_bin="${KUBECTL:-kubectl}"

usage() { sed -n '2,16p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }

while [ $# -gt 0 ]; do
  case "$1" in
    dev | production | operator) target="$1" ;;
    --dry-run) dry_run=true ;;
    --timeout) timeout="${2:?--timeout needs a duration such as 300s}"; shift ;;
    -h | --help) usage; exit 0 ;;
    *) echo "monitoring-setup: unknown argument '$1' (expected dev, production, operator, --dry-run, --timeout)" >&2; exit 2 ;;
  esac
  shift
done

render() {
  if [ "${target}" = operator ]; then
    "${kubectl_bin}" kustomize "${infra}/k8s/operator"
    echo '---'
    "${infra}/node_modules/.bin/tsx" "${here}/prometheus-rules.ts"
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
if [ "${target}" != operator ]; then
  "${kubectl_bin}" get namespace monitoring >/dev/null 2>&1 || "${kubectl_bin}" create namespace monitoring
  missing=()
  for secret in "${required_secrets[@]}"; do
    "${kubectl_bin}" -n monitoring get secret "${secret}" >/dev/null 2>&1 || missing+=("${secret}")
  done
  if [ "${#missing[@]}" -gt 0 ]; then
    echo "monitoring-setup: create these Secrets in namespace monitoring first: ${missing[*]}" >&2
    echo "  (commands in infra/k8s/README.md, section Secrets)" >&2
    exit 1
  fi
fi

render | "${kubectl_bin}" apply --server-side --field-manager=monitoring-setup -f -

if [ "${target}" = operator ]; then
  echo "Applied the ServiceMonitor and PrometheusRules; the Operator's Prometheus picks them up."
  exit 0
fi

# namespace/kind/name: node-exporter runs in a namespace of its own (Pod Security `privileged`).
for workload in monitoring/statefulset/prometheus monitoring/statefulset/alertmanager monitoring/deployment/grafana monitoring/deployment/jaeger monitoring-node-exporter/daemonset/node-exporter; do
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
