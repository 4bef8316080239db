// Typed access to the Prometheus rule files of infra/prometheus, for the tests and checkers.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

export const PROMETHEUS_DIR = fileURLToPath(new URL('../prometheus/', import.meta.url));
export const RUNBOOKS_DIR = fileURLToPath(new URL('../runbooks/', import.meta.url));
export const RULE_FILES = [
  'recording_rules.yml',
  'slo_rules.yml',
  'alert_rules.yml',
  'genai_rules.yml',
] as const;

export interface Rule {
  readonly record?: string;
  readonly alert?: string;
  readonly expr: string;
  readonly for?: string;
  readonly labels?: Record<string, string>;
  readonly annotations?: Record<string, string>;
}

export interface RuleGroup {
  readonly name: string;
  readonly interval?: string;
  readonly rules: readonly Rule[];
  /** The rule file the group came from. */
  readonly file: string;
}

/** Every group of every rule file, in file order. */
export function loadRuleGroups(dir: string = PROMETHEUS_DIR): RuleGroup[] {
  return RULE_FILES.flatMap((file) => {
    const doc = parse(readFileSync(join(dir, file), 'utf8')) as {
      groups: Omit<RuleGroup, 'file'>[];
    };
    return doc.groups.map((g) => ({ ...g, file }));
  });
}

/** Every alerting rule (an alert name may have several rules, e.g. page and ticket). */
export function alertRules(groups: RuleGroup[] = loadRuleGroups()): Rule[] {
  return groups.flatMap((g) => g.rules.filter((r) => r.alert !== undefined));
}

/** A Prometheus duration (`5m`, `1h30m`) in seconds. */
export function durationSeconds(text: string): number {
  const units: Record<string, number> = {
    ms: 0.001,
    s: 1,
    m: 60,
    h: 3600,
    d: 86400,
    w: 604800,
    y: 31536000,
  };
  const parts = [...text.matchAll(/(\d+)(ms|s|m|h|d|w|y)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text) {
    throw new TypeError(`duration: ${JSON.stringify(text)} is not a Prometheus duration like "5m"`);
  }
  return parts.reduce((sum, p) => sum + Number(p[1]) * (units[p[2] as string] ?? 0), 0);
}
