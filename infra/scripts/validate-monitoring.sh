#!/usr/bin/env bash
# Checks a running monitoring stack and prints one line per check (✓ passed, ✗ failed, - skipped),
# a summary, and exits 1 when a check failed, 2 when everything was skipped, 0 otherwise.
#
#   infra/scripts/validate-monitoring.sh [--prometheus URL] [--alertmanager URL] [--grafana URL] [--jaeger URL]
#
# Endpoints default to the compose ports on localhost (or PROMETHEUS_URL, ALERTMANAGER_URL,
# GRAFANA_URL, JAEGER_URL). A component that is not deployed is given as `none` (or an empty
# URL) and reported as skipped, never as passed. Credentials come from the environment:
#   MONITORING_BASIC_AUTH=user:password   for Prometheus, Alertmanager and Jaeger behind the Ingress
#   GRAFANA_USER / GRAFANA_PASSWORD       for Grafana's datasource and dashboard API
# Needs bash, curl and node (JSON is read with node, so jq is not required).
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "${here}/../.." && pwd)"

prometheus="${PROMETHEUS_URL-http://localhost:9090}"
alertmanager="${ALERTMANAGER_URL-http://localhost:9093}"
grafana="${GRAFANA_URL-http://localhost:3000}"
jaeger="${JAEGER_URL-http://localhost:16686}"

while [ $# -gt 0 ]; do
  case "$1" in
    --prometheus) prometheus="${2-}"; shift ;;
    --alertmanager) alertmanager="${2-}"; shift ;;
    --grafana) grafana="${2-}"; shift ;;
    --jaeger) jaeger="${2-}"; shift ;;
    -h | --help) sed -n '2,15p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "validate-monitoring: unknown argument '$1'" >&2; exit 2 ;;
  esac
  shift
done

passed=0
failed=0
skipped=0
pass() { printf '✓ %s\n' "$1"; passed=$((passed + 1)); }
fail() { printf '✗ %s\n' "$1"; failed=$((failed + 1)); }
skip() { printf -- '- %s (skipped: %s)\n' "$1" "$2"; skipped=$((skipped + 1)); }
deployed() { [ -n "$1" ] && [ "$1" != none ]; }

# get URL [curl args…]: the body on stdout; non-zero on a network error or an HTTP error status.
get() {
  local url="$1"
  shift
  curl -fsS --max-time 10 "$@" "${url}" 2>/dev/null
}
auth=()
[ -n "${MONITORING_BASIC_AUTH-}" ] && auth=(-u "${MONITORING_BASIC_AUTH}")

# jsq EXPR: evaluates a JavaScript expression over the JSON on stdin (as `d`); prints strings raw,
# arrays one element a line, anything else as JSON. Exits 3 on input that is not JSON.
jsq() {
  node -e '
    let s = "";
    process.stdin.on("data", (c) => (s += c)).on("end", () => {
      let d;
      try { d = JSON.parse(s); } catch { process.exit(3); }
      const r = new Function("d", `return (${process.argv[1]});`)(d);
      const show = (x) => (typeof x === "string" ? x : JSON.stringify(x));
      if (Array.isArray(r)) for (const x of r) console.log(show(x));
      else if (r !== undefined && r !== null) console.log(show(r));
    });' "$1"
}

check_prometheus() {
  if ! deployed "${prometheus}"; then
    skip 'Prometheus' 'not deployed'
    return
  fi
  if ! get "${prometheus}/-/ready" "${auth[@]}" >/dev/null; then
    fail "Prometheus ready at ${prometheus}"
    return
  fi
  pass "Prometheus ready at ${prometheus}"

  local targets
  if targets="$(get "${prometheus}/api/v1/targets?state=active" "${auth[@]}")"; then
    local lines
    lines="$(printf '%s' "${targets}" | jsq 'd.data.activeTargets.map((t) => [t.health, `${t.labels.job} ${t.labels.instance}`, t.lastError || ""].join("\t"))')"
    if [ -z "${lines}" ]; then
      fail 'Prometheus has active scrape targets (none found)'
    else
      while IFS=$'\t' read -r health name error; do
        if [ "${health}" = up ]; then pass "target ${name} up"; else fail "target ${name} ${health}${error:+: ${error}}"; fi
      done <<<"${lines}"
    fi
  else
    fail 'Prometheus targets API answers'
  fi

  local rules
  if rules="$(get "${prometheus}/api/v1/rules" "${auth[@]}")"; then
    local count broken
    count="$(printf '%s' "${rules}" | jsq 'd.data.groups.reduce((n, g) => n + g.rules.length, 0)')"
    broken="$(printf '%s' "${rules}" | jsq 'd.data.groups.flatMap((g) => g.rules.filter((r) => r.health !== "ok" && r.health !== "unknown").map((r) => `${g.name}/${r.name}: ${r.health} ${r.lastError || ""}`))')"
    if [ "${count:-0}" -eq 0 ]; then
      fail 'Prometheus rules loaded (none loaded)'
    elif [ -n "${broken}" ]; then
      while IFS= read -r line; do fail "rule ${line}"; done <<<"${broken}"
    else
      pass "Prometheus rules loaded and healthy (${count} rules)"
    fi
  else
    fail 'Prometheus rules API answers'
  fi

  if ! deployed "${alertmanager}"; then
    skip 'Prometheus sends alerts to Alertmanager' 'Alertmanager not deployed'
  else
    local ams count_am
    if ams="$(get "${prometheus}/api/v1/alertmanagers" "${auth[@]}")"; then
      count_am="$(printf '%s' "${ams}" | jsq 'd.data.activeAlertmanagers.length')"
      if [ "${count_am:-0}" -gt 0 ]; then
        pass "Prometheus sends alerts to ${count_am} Alertmanager(s)"
      else
        fail 'Prometheus sends alerts to Alertmanager (no active Alertmanager)'
      fi
    else
      fail 'Prometheus alertmanagers API answers'
    fi
  fi
}

check_alertmanager() {
  if ! deployed "${alertmanager}"; then
    skip 'Alertmanager' 'not deployed'
    return
  fi
  if ! get "${alertmanager}/-/ready" "${auth[@]}" >/dev/null; then
    fail "Alertmanager ready at ${alertmanager}"
    return
  fi
  pass "Alertmanager ready at ${alertmanager}"

  local status
  if status="$(get "${alertmanager}/api/v2/status" "${auth[@]}")"; then
    local cluster
    cluster="$(printf '%s' "${status}" | jsq '`${d.cluster.status} ${(d.cluster.peers || []).length}`')"
    # settling: a peer that just started is still exchanging state; it notifies once settled.
    case "${cluster}" in
      ready* | disabled* | settling*) pass "Alertmanager cluster ${cluster% *} (${cluster##* } peers)" ;;
      *) fail "Alertmanager cluster ${cluster:-unknown}" ;;
    esac
  else
    fail 'Alertmanager status API answers'
  fi

  # The last (re)load of the configuration succeeded: what `amtool check-config` proves offline.
  local reload
  reload="$(get "${alertmanager}/metrics" "${auth[@]}" | awk '$1 == "alertmanager_config_last_reload_successful" { print $2 }')"
  if [ "${reload}" = 1 ]; then
    pass 'Alertmanager configuration valid (last reload successful)'
  else
    fail "Alertmanager configuration valid (last reload successful = ${reload:-unknown})"
  fi
}

check_grafana() {
  if ! deployed "${grafana}"; then
    skip 'Grafana' 'not deployed'
    return
  fi
  local health
  if health="$(get "${grafana}/api/health")" && [ "$(printf '%s' "${health}" | jsq 'd.database')" = ok ]; then
    pass "Grafana healthy at ${grafana} (database ok)"
  else
    fail "Grafana healthy at ${grafana}"
    return
  fi
  if [ -z "${GRAFANA_PASSWORD-}" ]; then
    skip 'Grafana datasources and dashboards' 'set GRAFANA_USER and GRAFANA_PASSWORD'
    return
  fi
  local creds=(-u "${GRAFANA_USER:-admin}:${GRAFANA_PASSWORD}")
  local uid
  # The provisioned datasources (infra/grafana/provisioning/datasources) answer their health check.
  while IFS= read -r uid; do
    [ -z "${uid}" ] && continue
    if get "${grafana}/api/datasources/uid/${uid}/health" "${creds[@]}" | jsq 'd.status' | grep -qx OK; then
      pass "Grafana datasource ${uid} healthy"
    else
      fail "Grafana datasource ${uid} healthy"
    fi
  done < <(sed -n 's/^ *uid: *\([A-Za-z0-9_-]*\).*/\1/p' "${repo}"/infra/grafana/provisioning/datasources/*.yml 2>/dev/null)
  # Every dashboard of the repo (dashboards/*.json) is loaded.
  local file
  for file in "${repo}"/dashboards/*.json; do
    [ -e "${file}" ] || continue
    uid="$(jsq 'd.uid' <"${file}")"
    if get "${grafana}/api/dashboards/uid/${uid}" "${creds[@]}" >/dev/null; then
      pass "Grafana dashboard ${uid} loaded"
    else
      fail "Grafana dashboard ${uid} loaded"
    fi
  done
}

check_jaeger() {
  if ! deployed "${jaeger}"; then
    skip 'Jaeger' 'not deployed'
    return
  fi
  local services count
  if services="$(get "${jaeger}/api/services" "${auth[@]}")" && count="$(printf '%s' "${services}" | jsq '(d.data || []).length')"; then
    pass "Jaeger answering at ${jaeger} (${count} services with traces)"
  else
    fail "Jaeger answering at ${jaeger}"
  fi
}

check_prometheus
check_alertmanager
check_grafana
check_jaeger

echo
echo "${passed} passed, ${failed} failed, ${skipped} skipped"
if [ "${failed}" -gt 0 ]; then exit 1; fi
# Nothing checked is not a healthy stack.
if [ "${passed}" -eq 0 ]; then exit 2; fi
exit 0
