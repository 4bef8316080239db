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

/** File name to text of each rule file, every group's interval set to 1s. */
export function fastRules(): Record<string, string> {
  return Object.fromEntries(
    RULE_FILES.map((file) => {
      const rules = parse(read(join(INFRA, 'prometheus', file))) as {
        groups: { interval?: string }[];
      };
      for (const group of rules.groups) group.interval = '1s';
      return [file, stringify(rules)];
    }),
  );
}
