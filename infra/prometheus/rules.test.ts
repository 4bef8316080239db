// The rules as promtool sees them, plus what promtool cannot check: labels and annotations of
// every alert, a unit test per alert, runbooks, and every metric name against the contract.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { requireBinary } from '@ai-orchestrator/testkit';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { sharedPartsDiff } from '../lib/prometheus-config.js';
import { knownMetrics, metricNamesIn } from '../lib/promql.js';
import {
  PROMETHEUS_DIR,
  RULE_FILES,
  RUNBOOKS_DIR,
  alertRules,
  durationSeconds,
  loadRuleGroups,
} from '../lib/rules.js';

const promtool = requireBinary('promtool');
const TEST_FILES = readdirSync(join(PROMETHEUS_DIR, 'tests'))
  .filter((f) => f.endsWith('.test.yml'))
  .sort();
const groups = loadRuleGroups();
const alerts = alertRules(groups);
const alertNames = [...new Set(alerts.map((a) => a.alert as string))];
const PRIORITY: Record<string, string> = { critical: 'P0', warning: 'P1', info: 'P2' };
const RUNBOOK_BASE = 'https://github.com/ai-orchestrator/monitoring/blob/main/infra/runbooks/';
// Procedures that belong to no single alert.
const GENERAL_RUNBOOKS = ['disaster-recovery.md', 'incident-response.md', 'maintenance.md'];

// Fixed with the dashboards work (issue 7): these names must exist.
const AGREED_RECORDING_RULES = [
  'service:http_server_requests:rate5m',
  'service_route:http_server_requests:rate5m',
  'service:http_server_errors:ratio_rate5m',
  'service_route:http_server_errors:ratio_rate5m',
  ...['p50_5m', 'p95_5m', 'p99_5m'].flatMap((q) => [
    `service:http_server_request_duration_seconds:${q}`,
    `service_route:http_server_request_duration_seconds:${q}`,
    `workflow:workflow_execution_duration_seconds:${q}`,
    `engine:engine_call_duration_seconds:${q}`,
  ]),
  'service:http_server_active_requests:sum',
  'workflow:workflow_executions:rate5m',
  'service:workflow_executions:success_ratio_rate5m',
  'workflow:workflow_executions:success_ratio_rate5m',
  'service:workflow_executions:failure_ratio_rate5m',
  'service:workflow_queue_size:max',
  'engine:engine_calls:rate5m',
  'engine:engine_calls:error_ratio_rate5m',
  'engine:engine_tokens:rate5m',
  'window:business_active_users:max',
  'currency:business_monthly_recurring_revenue:max',
  'service:business_user_logins:increase1h',
  'service:business_workflows_created:increase1h',
  'plan:business_api_requests:rate5m',
  ...['5m', '30m', '1h', '2h', '6h', '1d', '3d', '30d'].map((w) => `slo:sli_error:ratio_rate${w}`),
  'slo:objective:ratio',
  'slo:error_budget:remaining_ratio',
];

function run(args: string[], cwd = PROMETHEUS_DIR): { code: number; output: string } {
  const result = spawnSync(promtool as string, args, { cwd, encoding: 'utf8' });
  return { code: result.status ?? -1, output: `${result.stdout}${result.stderr}` };
}

describe.skipIf(!promtool)('promtool', () => {
  it('accepts prometheus.yml and the rule files it loads', () => {
    const { code, output } = run(['check', 'config', 'prometheus.yml']);
    expect(output).toContain('SUCCESS');
    expect(code, output).toBe(0);
  });

  it('accepts every rule file', () => {
    const { code, output } = run(['check', 'rules', ...RULE_FILES]);
    expect(code, output).toBe(0);
  });

  it('passes the alert unit tests', () => {
    const { code, output } = run(['test', 'rules', ...TEST_FILES.map((f) => `tests/${f}`)]);
    expect(output.match(/SUCCESS/g)?.length, output).toBe(TEST_FILES.length);
    expect(code, output).toBe(0);
  });
});

describe('prometheus.yml', () => {
  const text = readFileSync(join(PROMETHEUS_DIR, 'prometheus.yml'), 'utf8');
  const config = parse(text) as {
    rule_files: string[];
    scrape_configs: { job_name: string; static_configs: { labels?: Record<string, string> }[] }[];
  };

  it('reuses the shared global, rule_files and alerting blocks of shared.yml', () => {
    expect(sharedPartsDiff(text)).toEqual([]);
    expect(sharedPartsDiff(text.replace('slo_rules.yml', 'other.yml'))).toEqual([
      'rule_files differs from shared.yml',
    ]);
  });

  it('loads every rule file', () => {
    expect([...config.rule_files].sort()).toEqual([...RULE_FILES].sort());
  });

  it('scrapes the demo services, node-exporter, Prometheus and Alertmanager, each with a service label', () => {
    expect(config.scrape_configs.map((s) => s.job_name)).toEqual([
      'demo-services',
      'node-exporter',
      'prometheus',
      'alertmanager',
    ]);
    for (const job of config.scrape_configs) {
      for (const sc of job.static_configs) expect(sc.labels?.service, job.job_name).toBeTruthy();
    }
  });
});

describe('rule files', () => {
  it('has at most 20 rules a group and unique group names', () => {
    for (const g of groups) expect(g.rules.length, g.name).toBeLessThanOrEqual(20);
    expect(new Set(groups.map((g) => g.name)).size).toBe(groups.length);
  });

  it('names recording rules level:metric:operations and provides every agreed name', () => {
    const records = groups.flatMap((g) => g.rules.flatMap((r) => (r.record ? [r.record] : [])));
    for (const name of records) expect(name).toMatch(/^[a-z_]+:[a-z0-9_]+:[a-z0-9_]+$/);
    for (const name of AGREED_RECORDING_RULES) expect(records, name).toContain(name);
  });

  it('reads only metrics of the contract, the recording rules and the known exporters', () => {
    const known = knownMetrics();
    for (const g of groups) {
      for (const rule of g.rules) {
        const unknown = metricNamesIn(rule.expr).filter((n) => !known.has(n));
        expect(unknown, `${g.file} ${rule.record ?? rule.alert}`).toEqual([]);
      }
    }
  });

  it('fails the metric check on a renamed metric', () => {
    const known = knownMetrics();
    expect(metricNamesIn('rate(http_requests_total[5m])').filter((n) => !known.has(n))).toEqual([
      'http_requests_total',
    ]);
  });
});

describe('alerts', () => {
  it('cover the seed table, the SLOs, Watchdog, self-monitoring, disks and volumes', () => {
    expect([...alertNames].sort()).toEqual(
      [
        'Watchdog',
        'ServiceDown',
        'ServiceAbsent',
        'HighCPUUsage',
        'HighMemoryUsage',
        'DiskSpaceLow',
        'NodeFilesystemSpaceFillingUp',
        'HighErrorRate',
        'HighResponseTime',
        'WorkflowExecutionFailureRate',
        'QueueBacklog',
        'LowUserActivity',
        'WorkflowCreationDrop',
        'ExecutionVolumeSpike',
        'SLOAvailabilityBudgetBurn',
        'SLOLatencyBudgetBurn',
        'SLOWorkflowSuccessBudgetBurn',
        'SLOTimeToFirstChunkBudgetBurn',
        'GenAIProviderErrorRate',
        'GenAIRateLimited',
        'GenAISpendOverBudget',
        'GenAIUnpricedCalls',
        'KubePersistentVolumeFillingUp',
        'KubePersistentVolumeInodesFillingUp',
        'PrometheusBadConfig',
        'PrometheusRuleFailures',
        'PrometheusMissingRuleEvaluations',
        'PrometheusNotConnectedToAlertmanagers',
        'PrometheusErrorSendingAlertsToSomeAlertmanagers',
        'PrometheusErrorSendingAlertsToAnyAlertmanager',
        'PrometheusNotificationQueueRunningFull',
        'PrometheusNotificationsDropped',
        'PrometheusRemoteStorageFailures',
        'PrometheusRemoteWriteBehind',
        'PrometheusRetentionSizeReached',
        'AlertmanagerFailedReload',
        'AlertmanagerMembersInconsistent',
        'AlertmanagerFailedToSendAlerts',
        'AlertmanagerClusterFailedToSendAlerts',
        'AlertmanagerConfigInconsistent',
      ].sort(),
    );
  });

  it.each(alerts.map((a) => [`${a.alert} ${a.labels?.severity}`, a] as const))(
    '%s has CamelCase name, severity/priority labels and templated annotations',
    (_, rule) => {
      expect(rule.alert).toMatch(/^[A-Z][A-Za-z0-9]*$/);
      const severity = rule.labels?.severity ?? '';
      expect(['critical', 'warning', 'info']).toContain(severity);
      expect(rule.labels?.priority).toBe(PRIORITY[severity]);
      const { summary, description, runbook_url: runbook } = rule.annotations ?? {};
      expect(summary).toBeTruthy();
      if (/^absent\(/.test(rule.expr)) {
        // absent() has no labels to template: the rule names its service in labels and text.
        expect(summary).toContain(rule.labels?.service);
      } else {
        if (rule.alert !== 'Watchdog') expect(description).toMatch(/\$value/);
        expect(`${summary} ${description}`).toMatch(/\$labels\.|Watchdog|heartbeat/);
      }
      expect(runbook?.startsWith(RUNBOOK_BASE), runbook).toBe(true);
    },
  );

  it('keep the seed thresholds and durations', () => {
    const byName = (n: string) =>
      alerts.find((a) => a.alert === n) as { expr: string; for?: string };
    expect(byName('ServiceDown')).toMatchObject({ expr: 'up == 0', for: '1m' });
    expect(byName('HighCPUUsage')).toMatchObject({ for: '5m' });
    expect(byName('HighCPUUsage').expr).toMatch(/> 0\.80$/);
    expect(byName('HighMemoryUsage').expr).toMatch(/> 0\.85$/);
    expect(byName('DiskSpaceLow').expr).toMatch(/< 0\.10$/);
    expect(byName('HighErrorRate').expr).toMatch(/ratio_rate5m > 0\.05\n/);
    expect(byName('HighResponseTime').expr).toMatch(/p95_5m > 1\n/);
    expect(byName('WorkflowExecutionFailureRate').expr).toMatch(/ratio_rate5m > 0\.10\n/);
    expect(byName('QueueBacklog').expr).toMatch(/> 100$/);
    expect(byName('LowUserActivity')).toMatchObject({ for: '30m' });
    expect(byName('LowUserActivity').expr).toMatch(/increase1h < 10$/);
    expect(byName('WorkflowCreationDrop').expr).toMatch(/increase1h < 5$/);
    expect(byName('ExecutionVolumeSpike').expr).toMatch(/\* 300 > 100$/);
  });
});

interface PromtoolCase {
  eval_time: string;
  alertname: string;
  exp_alerts?: { exp_labels?: Record<string, string>; exp_annotations?: Record<string, string> }[];
}
interface PromtoolTest {
  name: string;
  alert_rule_test?: PromtoolCase[];
}

describe('alert unit tests (tests/*.test.yml)', () => {
  const files = TEST_FILES.map((name) => ({
    name,
    ...(parse(readFileSync(join(PROMETHEUS_DIR, 'tests', name), 'utf8')) as {
      group_eval_order: string[];
      tests: PromtoolTest[];
    }),
  }));
  const file = { tests: files.flatMap((f) => f.tests) };

  it.each(TEST_FILES)(
    '%s fixes the evaluation order of every group, recording rules first',
    (name) => {
      const order = files.find((f) => f.name === name)?.group_eval_order ?? [];
      expect([...order].sort()).toEqual(groups.map((g) => g.name).sort());
      const recording = new Set(
        groups.filter((g) => g.rules.some((r) => r.record)).map((g) => g.name),
      );
      const lastRecording = Math.max(...order.map((g, i) => (recording.has(g) ? i : -1)));
      const firstAlerting = order.findIndex((g) => !recording.has(g));
      expect(lastRecording, order.join(', ')).toBeLessThan(firstAlerting);
    },
  );

  it.each(alertNames)('%s fires at its threshold, holds below it and respects for', (name) => {
    const rules = alerts.filter((a) => a.alert === name);
    const forSeconds = Math.min(...rules.map((r) => (r.for ? durationSeconds(r.for) : 0)));
    const casesOf = (t: PromtoolTest) =>
      (t.alert_rule_test ?? []).filter((c) => c.alertname === name);
    const firing = file.tests.filter((t) => casesOf(t).some((c) => c.exp_alerts?.length));
    expect(firing.length, `${name}: no test where it fires`).toBeGreaterThan(0);

    // Every firing case states all labels and annotations of every rule variant it expects.
    for (const t of firing) {
      for (const c of casesOf(t)) {
        for (const exp of c.exp_alerts ?? []) {
          expect(Object.keys(exp.exp_labels ?? {}), t.name).toEqual(
            expect.arrayContaining(['severity', 'priority']),
          );
          expect(Object.keys(exp.exp_annotations ?? {}).sort(), t.name).toEqual([
            'description',
            'runbook_url',
            'summary',
          ]);
        }
      }
    }

    if (name === 'Watchdog') return; // no threshold, no for: always firing
    // `for`: in a firing test, an empty case within `for` before the first firing case.
    if (forSeconds > 0) {
      const respected = firing.some((t) => {
        const cases = casesOf(t);
        const first = Math.min(
          ...cases.filter((c) => c.exp_alerts?.length).map((c) => durationSeconds(c.eval_time)),
        );
        return cases.some((c) => {
          const at = durationSeconds(c.eval_time);
          return !c.exp_alerts?.length && at < first && at >= first - forSeconds;
        });
      });
      expect(respected, `${name}: no case proving for: ${forSeconds}s is respected`).toBe(true);
    }
    // Below the threshold: a test where it never fires, checked after `for` has passed.
    const holds = file.tests.some(
      (t) =>
        !firing.includes(t) &&
        casesOf(t).some((c) => !c.exp_alerts?.length && durationSeconds(c.eval_time) > forSeconds),
    );
    expect(holds, `${name}: no test showing it holds below its threshold`).toBe(true);
  });
});

describe('runbooks', () => {
  const files = readdirSync(RUNBOOKS_DIR).filter((f) => f.endsWith('.md'));
  const linked = new Set(
    alerts.map((a) => (a.annotations?.runbook_url ?? '').slice(RUNBOOK_BASE.length)),
  );

  it('exist for every runbook_url, with Meaning, Impact, Diagnosis and Mitigation', () => {
    for (const file of linked) {
      expect(existsSync(join(RUNBOOKS_DIR, file)), file).toBe(true);
      const text = readFileSync(join(RUNBOOKS_DIR, file), 'utf8');
      const headings = [...text.matchAll(/^## (.+)$/gm)].map((m) => m[1]);
      expect(headings, file).toEqual(['Meaning', 'Impact', 'Diagnosis', 'Mitigation']);
      expect(text, `${file} Diagnosis has no PromQL`).toMatch(/## Diagnosis[\s\S]*```promql/);
    }
  });

  it('each belong to an alert, besides the incident and maintenance procedures', () => {
    expect(files.filter((f) => !linked.has(f)).sort()).toEqual(GENERAL_RUNBOOKS);
  });

  it('query only known metrics in their PromQL blocks', () => {
    const known = knownMetrics();
    for (const file of files) {
      const text = readFileSync(join(RUNBOOKS_DIR, file), 'utf8');
      for (const [, expr] of text.matchAll(/```promql\n([\s\S]*?)```/g)) {
        const unknown = metricNamesIn(expr as string).filter((n) => !known.has(n));
        expect(unknown, `${file}: ${expr}`).toEqual([]);
      }
    }
  });

  it('describe the P0/P1/P2 procedures and the maintenance schedule', () => {
    const incident = readFileSync(join(RUNBOOKS_DIR, 'incident-response.md'), 'utf8');
    for (const h of [
      'P0 procedure',
      'P1 procedure',
      'P2 procedure',
      'Communication',
      'Post-mortem',
    ]) {
      expect(incident).toContain(`## ${h}`);
    }
    const maintenance = readFileSync(join(RUNBOOKS_DIR, 'maintenance.md'), 'utf8');
    for (const h of ['Weekly', 'Monthly', 'Quarterly: disaster-recovery test']) {
      expect(maintenance).toMatch(new RegExp(`^## ${h}`, 'm'));
    }
  });
});
