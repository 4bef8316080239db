// The repo's rule files as the live tests load them: every group evaluated each second instead
// of every 30 s, so recording rules and alerts have values within a test's time.
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { INFRA, read } from './paths.js';

/** The rule files of infra/prometheus, by the names prometheus.yml's `rule_files` gives. */
export const RULE_FILES = [
  'alert_rules.yml',
  'recording_rules.yml',
  'slo_rules.yml',
  'genai_rules.yml',
];

/**
 * File name to text of each rule file, every group's interval set to 1s; `alertFor` gives alerts
 * by name a shorter `for:` (e.g. `{ HighErrorRate: '2s' }`), so a test sees them fire in seconds.
 */
export function fastRules(alertFor: Readonly<Record<string, string>> = {}): Record<string, string> {
  return Object.fromEntries(
    RULE_FILES.map((file) => {
      const rules = parse(read(join(INFRA, 'prometheus', file))) as {
        groups: { interval?: string; rules: { alert?: string; for?: string }[] }[];
      };
      for (const group of rules.groups) {
        group.interval = '1s';
        for (const rule of group.rules) {
          const shorter = rule.alert ? alertFor[rule.alert] : undefined;
          if (shorter) rule.for = shorter;
        }
      }
      return [file, stringify(rules)];
    }),
  );
}
