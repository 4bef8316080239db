// The alert thresholds the panels draw, and the runbooks they link to. Thresholds are the
// alert table of DESIGN.md; a test checks each one against the alert's expression in
// infra/prometheus/alert_rules.yml, so a changed alert cannot leave a stale line on a panel.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

/** The rule files that hold alerts: the seed's alerts and the generated SLO burn-rate alerts. */
export const ALERT_RULE_FILES = ['alert_rules.yml', 'slo_rules.yml', 'genai_rules.yml'].map(
  (name) => fileURLToPath(new URL(`../../infra/prometheus/${name}`, import.meta.url)),
);

/** Threshold of each alert a panel mirrors, in the unit the panel shows. */
export const THRESHOLDS = {
  /** CPU busy, ratio. */
  HighCPUUsage: 0.8,
  /** Memory used, ratio. */
  HighMemoryUsage: 0.85,
  /** Free disk, ratio. */
  DiskSpaceLow: 0.1,
  /** 5xx ratio. */
  HighErrorRate: 0.05,
  /** p95 latency, seconds. */
  HighResponseTime: 1,
  /** Workflow failure ratio. */
  WorkflowExecutionFailureRate: 0.1,
  /** Workflows waiting. */
  QueueBacklog: 100,
  /** Logins per hour. */
  LowUserActivity: 10,
  /** Workflow creations per hour. */
  WorkflowCreationDrop: 5,
  /** Workflow executions per 5 minutes. */
  ExecutionVolumeSpike: 100,
  /** Share of a provider's GenAI calls that failed. */
  GenAIProviderErrorRate: 0.05,
  /** Share of a provider's GenAI calls that ended with 429. */
  GenAIRateLimited: 0.1,
} as const;

export interface AlertRule {
  readonly alert: string;
  readonly expr: string;
  readonly for?: string;
  readonly labels?: Record<string, string>;
  readonly annotations?: Record<string, string>;
}

/**
 * Every alerting rule of the rule files, by name; an alert with several rules (the burn-rate
 * alerts have one per policy) keeps all of them, in file order. Absent files count as empty.
 */
export function alertRules(files: readonly string[] = ALERT_RULE_FILES): Map<string, AlertRule[]> {
  const rules = new Map<string, AlertRule[]>();
  for (const file of files) {
    if (!existsSync(file)) continue;
    const doc = parse(readFileSync(file, 'utf8')) as {
      groups?: { rules?: Partial<AlertRule>[] }[];
    } | null;
    for (const group of doc?.groups ?? []) {
      for (const rule of group.rules ?? []) {
        if (typeof rule.alert !== 'string' || typeof rule.expr !== 'string') continue;
        rules.set(rule.alert, [...(rules.get(rule.alert) ?? []), rule as AlertRule]);
      }
    }
  }
  return rules;
}

let cache: Map<string, AlertRule[]> | undefined;

/**
 * Alerts that fire all the time by design: a dead man's switch such as Watchdog (`vector(1)`),
 * whose silence, not its firing, is the incident. Counts of "alerts firing" leave them out.
 *
 * @example
 * heartbeatAlerts(); // ['Watchdog']
 */
export function heartbeatAlerts(): string[] {
  cache ??= alertRules();
  return [...cache]
    .filter(([, rules]) => rules.every((r) => /^\s*vector\(\s*1\s*\)\s*$/.test(r.expr)))
    .map(([name]) => name);
}

/** The runbook_url annotation of `alert`, so a panel links where the alert sends people. */
export function runbookUrl(alert: string): string | undefined {
  cache ??= alertRules();
  return cache.get(alert)?.[0]?.annotations?.runbook_url;
}
