#!/usr/bin/env bash
# Checks a running monitoring stack and prints one line per check (✓ passed, ✗ failed, - skipped),
# a summary, and exits 1 when a check failed, 2 when everything was skipped or an input is wrong.
#
#   infra/scripts/validate-monitoring.sh [--prometheus URL]... [--alertmanager URL]...
#       [--alertmanager-peers N] [--grafana URL] [--jaeger URL]
#       [--heartbeat-receiver NAME] [--heartbeat-integration NAME] [--delivery-wait SECONDS]
#
# --prometheus and --alertmanager repeat: give every Prometheus replica and every Alertmanager
# peer (port-forward each pod on Kubernetes). --alertmanager-peers is the cluster size you run
# (default: as many as --alertmanager URLs; 3 for infra/k8s production, 1 for compose); a cluster
# of another size, one still settling, or a Prometheus sending to another number fails.
# End to end, the Watchdog heartbeat must fire on every replica, reach every Alertmanager routed
# to the heartbeat receiver, and be delivered: over --delivery-wait seconds (default 70, more than
# the heartbeat route's 1m repeat) every replica sends to every Alertmanager without error, and
# the heartbeat receiver's integration (default webhook) makes requests and none fails.
#
# Endpoints default to the compose ports on localhost (or PROMETHEUS_URL, ALERTMANAGER_URL,
# GRAFANA_URL, JAEGER_URL, each a comma-separated list where it may repeat). A component that is
# not deployed is given as `none` and reported as skipped, never as passed. Credentials come from
# the environment:
#   MONITORING_BASIC_AUTH=user:password   for Prometheus, Alertmanager and Jaeger behind the Ingress
#   GRAFANA_USER / GRAFANA_PASSWORD       for Grafana's datasource and dashboard API
# Needs bash, curl and node (JSON is read with node, so jq is not required).
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "${here}/../.." && pwd)"

prometheus_urls=()
alertmanager_urls=()
grafana="${GRAFANA_URL-http://localhost:3000}"
jaeger="${JAEGER_URL-http://localhost:16686}"
expected_peers="${ALERTMANAGER_PEERS-}"
heartbeat_alert=Watchdog
heartbeat_receiver=heartbeat
heartbeat_integration=webhook
delivery_wait=70

usage_error() { echo "validate-monitoring: $1" >&2; exit 2; }
while [ $# -gt 0 ]; do
  case "$1" in
    --prometheus) prometheus_urls+=("${2-}"); shift ;;
    --alertmanager) alertmanager_urls+=("${2-}"); shift ;;
    --alertmanager-peers) expected_peers="${2-}"; shift ;;
    --grafana) grafana="${2-}"; shift ;;
    --jaeger) jaeger="${2-}"; shift ;;
    --heartbeat-receiver) heartbeat_receiver="${2-}"; shift ;;
    --heartbeat-integration) heartbeat_integration="${2-}"; shift ;;
    --delivery-wait) delivery_wait="${2-}"; shift ;;
    -h | --help) sed -n '2,26p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) usage_error "unknown argument '$1'" ;;
  esac
  shift
done
[ "${#prometheus_urls[@]}" -gt 0 ] || IFS=, read -ra prometheus_urls <<<"${PROMETHEUS_URL-http://localhost:9090}"
[ "${#alertmanager_urls[@]}" -gt 0 ] || IFS=, read -ra alertmanager_urls <<<"${ALERTMANAGER_URL-http://localhost:9093}"
deployed() { [ -n "${1-}" ] && [ "$1" != none ]; }
deployed "${prometheus_urls[0]-}" || prometheus_urls=()
deployed "${alertmanager_urls[0]-}" || alertmanager_urls=()
[ -n "${expected_peers}" ] || expected_peers="${#alertmanager_urls[@]}"
case "${expected_peers}" in
  '' | *[!0-9]*) usage_error "--alertmanager-peers must be a whole number, got '${expected_peers}'" ;;
esac
case "${delivery_wait}" in
  '' | *[!0-9]*) usage_error "--delivery-wait must be a whole number of seconds, got '${delivery_wait}'" ;;
esac
for name in "${heartbeat_receiver}" "${heartbeat_integration}"; do
  [[ "${name}" =~ ^[A-Za-z0-9_.-]+$ ]] || usage_error "--heartbeat-receiver and --heartbeat-integration take a plain name, got '${name}'"
done
if [ "${#alertmanager_urls[@]}" -gt 0 ] && [ "${expected_peers}" -lt 1 ]; then
  usage_error "--alertmanager-peers must be at least 1 when an Alertmanager is given, got '${expected_peers}'"
fi

passed=0
failed=0
skipped=0
pass() { printf '✓ %s\n' "$1"; passed=$((passed + 1)); }
fail() { printf '✗ %s\n' "$1"; failed=$((failed + 1)); }
skip() { printf -- '- %s (skipped: %s)\n' "$1" "$2"; skipped=$((skipped + 1)); }

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

# counter_deltas BEFORE AFTER NAME: for each series of counter NAME in two /metrics snapshots
# (files), "labels<TAB>increase" (a series new in AFTER counts from 0; a reset counts from 0).
counter_deltas() {
  node -e '
    const fs = require("fs");
    const [before, after, name] = process.argv.slice(1);
    const read = (f) => {
      const out = new Map();
      for (const line of fs.readFileSync(f, "utf8").split("\n")) {
        const m = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
        if (m && m[1] === name) out.set(m[2] || "{}", Number(m[3]));
      }
      return out;
    };
    const b = read(before);
    for (const [labels, value] of read(after)) {
      const old = b.get(labels) ?? 0;
      console.log(`${labels}\t${value >= old ? value - old : value}`);
    }' "$1" "$2" "$3"
}

check_prometheus() {
  local p="$1"
  if ! get "${p}/-/ready" "${auth[@]}" >/dev/null; then
    fail "Prometheus ready at ${p}"
    return
  fi
  pass "Prometheus ready at ${p}"

  local targets lines
  if targets="$(get "${p}/api/v1/targets?state=active" "${auth[@]}")"; then
    lines="$(printf '%s' "${targets}" | jsq 'd.data.activeTargets.map((t) => [t.health, `${t.labels.job} ${t.labels.instance}`, t.lastError || ""].join("\t"))')"
    if [ -z "${lines}" ]; then
      fail "${p}: active scrape targets (none found)"
    else
      while IFS=$'\t' read -r health name error; do
        if [ "${health}" = up ]; then pass "${p}: target ${name} up"; else fail "${p}: target ${name} ${health}${error:+: ${error}}"; fi
      done <<<"${lines}"
    fi
  else
    fail "${p}: targets API answers"
  fi

  # Every rule evaluated, and without error: `unknown` (never evaluated) proves nothing either.
  local rules count broken
  if rules="$(get "${p}/api/v1/rules" "${auth[@]}")"; then
    count="$(printf '%s' "${rules}" | jsq 'd.data.groups.reduce((n, g) => n + g.rules.length, 0)')"
    broken="$(printf '%s' "${rules}" | jsq 'd.data.groups.flatMap((g) => g.rules.filter((r) => r.health !== "ok").map((r) => `${g.name}/${r.name}: ${r.health} ${r.lastError || ""}`))')"
    if [ "${count:-0}" -eq 0 ]; then
      fail "${p}: rules loaded (none loaded)"
    elif [ -n "${broken}" ]; then
      while IFS= read -r line; do fail "${p}: rule ${line}"; done <<<"${broken}"
    else
      pass "${p}: rules loaded and healthy (${count} rules)"
    fi
  else
    fail "${p}: rules API answers"
  fi

  if [ "${#alertmanager_urls[@]}" -eq 0 ]; then
    skip "${p}: sends alerts to Alertmanager" 'Alertmanager not deployed'
    return
  fi
  local ams count_am
  if ams="$(get "${p}/api/v1/alertmanagers" "${auth[@]}")"; then
    count_am="$(printf '%s' "${ams}" | jsq 'd.data.activeAlertmanagers.length')"
    if [ "${count_am:-0}" -eq "${expected_peers}" ]; then
      pass "${p}: sends alerts to ${count_am} Alertmanager(s)"
    else
      fail "${p}: sends alerts to ${count_am:-0} Alertmanager(s), expected ${expected_peers}"
    fi
  else
    fail "${p}: alertmanagers API answers"
  fi
  local firing
  firing="$(get "${p}/api/v1/query?query=ALERTS%7Balertname%3D%22${heartbeat_alert}%22%2Calertstate%3D%22firing%22%7D" "${auth[@]}" | jsq 'd.data.result.length')"
  if [ "${firing:-0}" -gt 0 ]; then
    pass "${p}: ${heartbeat_alert} firing"
  else
    fail "${p}: ${heartbeat_alert} not firing (nothing proves the alerting pipeline works)"
  fi
}

# cluster_verdict STATUS PEERS: how a peer's cluster state compares with --alertmanager-peers.
cluster_verdict() {
  local status="$1" peers="$2"
  if [ "${status}" = settling ]; then
    echo "fail cluster settling (still exchanging state with its peers; re-run in a minute)"
  elif [ "${expected_peers}" -eq 1 ] && [ "${status}" = disabled ]; then
    echo "pass cluster disabled (a single Alertmanager, as expected)"
  elif [ "${status}" = ready ] && [ "${peers}" -eq "${expected_peers}" ]; then
    echo "pass cluster ready (${peers} peers, expected ${expected_peers})"
  else
    echo "fail cluster ${status:-unknown} with ${peers:-0} peers, expected ${expected_peers}"
  fi
}

check_alertmanager() {
  local a="$1"
  if ! get "${a}/-/ready" "${auth[@]}" >/dev/null; then
    fail "Alertmanager ready at ${a}"
    return
  fi
  pass "Alertmanager ready at ${a}"

  local status cluster verdict
  if status="$(get "${a}/api/v2/status" "${auth[@]}")"; then
    cluster="$(printf '%s' "${status}" | jsq '`${d.cluster.status} ${(d.cluster.peers || []).length}`')"
    verdict="$(cluster_verdict "${cluster% *}" "${cluster##* }")"
    if [ "${verdict%% *}" = pass ]; then pass "${a}: ${verdict#* }"; else fail "${a}: ${verdict#* }"; fi
  else
    fail "${a}: status API answers"
  fi

  # The last (re)load of the configuration succeeded: what `amtool check-config` proves offline.
  local reload
  reload="$(get "${a}/metrics" "${auth[@]}" | awk '$1 == "alertmanager_config_last_reload_successful" { print $2 }')"
  if [ "${reload}" = 1 ]; then
    pass "${a}: configuration valid (last reload successful)"
  else
    fail "${a}: configuration valid (last reload successful = ${reload:-unknown})"
  fi

  # The heartbeat arrived, is not muted, and routes to its receiver.
  local heartbeat
  heartbeat="$(get "${a}/api/v2/alerts?filter=alertname%3D%22${heartbeat_alert}%22" "${auth[@]}" | jsq "(() => {
    const w = d[0];
    if (!w) return 'missing';
    if (w.status.state !== 'active') return 'muted ' + w.status.state;
    const names = w.receivers.map((r) => r.name);
    return names.includes('${heartbeat_receiver}') ? 'ok' : 'routed ' + names.join(', ');
  })()")"
  case "${heartbeat}" in
    ok) pass "${a}: ${heartbeat_alert} active, routed to ${heartbeat_receiver}" ;;
    missing | '') fail "${a}: ${heartbeat_alert} not received from Prometheus" ;;
    muted*) fail "${a}: ${heartbeat_alert} ${heartbeat#muted } (silenced or inhibited: the heartbeat service will page)" ;;
    *) fail "${a}: ${heartbeat_alert} routed to ${heartbeat#routed }, not ${heartbeat_receiver}" ;;
  esac
}

# Delivery, measured over --delivery-wait seconds: Prometheus -> every Alertmanager, and
# Alertmanager -> the heartbeat receiver (requests made, none failed, summed over the peers:
# in a cluster only one peer sends each notification).
check_delivery() {
  if [ "${#prometheus_urls[@]}" -eq 0 ] || [ "${#alertmanager_urls[@]}" -eq 0 ]; then
    skip "${heartbeat_alert} delivered end to end" 'Prometheus or Alertmanager not deployed'
    return
  fi
  if [ "${delivery_wait}" -eq 0 ]; then
    skip "${heartbeat_alert} delivered end to end" '--delivery-wait 0'
    return
  fi
  local snapshots i url
  snapshots="$(mktemp -d)"
  for phase in before after; do
    for i in "${!prometheus_urls[@]}"; do get "${prometheus_urls[$i]}/metrics" "${auth[@]}" >"${snapshots}/p${i}.${phase}"; done
    for i in "${!alertmanager_urls[@]}"; do get "${alertmanager_urls[$i]}/metrics" "${auth[@]}" >"${snapshots}/a${i}.${phase}"; done
    [ "${phase}" = before ] && sleep "${delivery_wait}"
  done

  local labels sent errors
  for i in "${!prometheus_urls[@]}"; do
    url="${prometheus_urls[$i]}"
    errors="$(counter_deltas "${snapshots}/p${i}.before" "${snapshots}/p${i}.after" prometheus_notifications_errors_total)"
    while IFS=$'\t' read -r labels sent; do
      [ -z "${labels}" ] && continue
      local am="${labels#*alertmanager=\"}"
      am="${am%%\"*}"
      local err
      err="$(printf '%s\n' "${errors}" | awk -F'\t' -v l="${labels}" '$1 == l { print $2 }')"
      if [ "${err:-0}" != 0 ]; then
        fail "${url}: ${err} errors sending alerts to ${am} in ${delivery_wait}s"
      elif [ "${sent}" = 0 ]; then
        fail "${url}: sent no alert to ${am} in ${delivery_wait}s"
      else
        pass "${url}: sent ${sent} alerts to ${am} in ${delivery_wait}s"
      fi
    done < <(counter_deltas "${snapshots}/p${i}.before" "${snapshots}/p${i}.after" prometheus_notifications_sent_total)
  done

  local what="${heartbeat_alert} delivered to receiver ${heartbeat_receiver}"
  if [ "${#alertmanager_urls[@]}" -lt "${expected_peers}" ]; then
    skip "${what}" "give every Alertmanager peer's URL (${#alertmanager_urls[@]} of ${expected_peers})"
  else
    # receiver_name exists where Alertmanager runs with --enable-feature=receiver-name-in-metrics.
    local filter="integration=\"${heartbeat_integration}\"" requests=0 rejected=0 n
    for i in "${!alertmanager_urls[@]}"; do
      for metric in requests requests_failed; do
        n="$(counter_deltas "${snapshots}/a${i}.before" "${snapshots}/a${i}.after" "alertmanager_notification_${metric}_total" |
          awk -F'\t' -v f="${filter}" -v r="receiver_name=\"${heartbeat_receiver}\"" 'index($1, f) && (index($1, "receiver_name=") == 0 || index($1, r)) { s += $2 } END { print s + 0 }')"
        if [ "${metric}" = requests ]; then requests=$((requests + n)); else rejected=$((rejected + n)); fi
      done
    done
    if [ "${rejected}" -gt 0 ]; then
      fail "${what}: ${rejected} of ${requests} ${heartbeat_integration} requests failed in ${delivery_wait}s"
    elif [ "${requests}" -eq 0 ]; then
      fail "${what}: no ${heartbeat_integration} request in ${delivery_wait}s"
    else
      pass "${what} (${requests} ${heartbeat_integration} requests in ${delivery_wait}s, none failed)"
    fi
  fi
  rm -rf "${snapshots}"
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

if [ "${#prometheus_urls[@]}" -eq 0 ]; then skip 'Prometheus' 'not deployed'; fi
for url in "${prometheus_urls[@]}"; do check_prometheus "${url}"; done
if [ "${#alertmanager_urls[@]}" -eq 0 ]; then skip 'Alertmanager' 'not deployed'; fi
for url in "${alertmanager_urls[@]}"; do check_alertmanager "${url}"; done
check_delivery
check_grafana
check_jaeger

echo
echo "${passed} passed, ${failed} failed, ${skipped} skipped"
if [ "${failed}" -gt 0 ]; then exit 1; fi
# Nothing checked is not a healthy stack.
if [ "${passed}" -eq 0 ]; then exit 2; fi
exit 0
