// The shared parts of every Prometheus config of the stack live in prometheus/shared.yml; this
// checks a variant (compose, Kubernetes) against them so the two cannot drift apart.
import { isDeepStrictEqual } from 'node:util';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

export const SHARED_CONFIG_FILE = fileURLToPath(
  new URL('../prometheus/shared.yml', import.meta.url),
);

type Config = Record<string, unknown> & { global?: Record<string, unknown> };

/**
 * Differences between a Prometheus config's global, rule_files and alerting blocks and
 * shared.yml; empty when the config reuses them (it may add external labels).
 *
 * @example
 * sharedPartsDiff(readFileSync('infra/prometheus/prometheus.yml', 'utf8')); // []
 */
export function sharedPartsDiff(configText: string, sharedText?: string): string[] {
  const shared = parse(sharedText ?? readFileSync(SHARED_CONFIG_FILE, 'utf8')) as Config;
  const config = parse(configText) as Config;
  const diffs: string[] = [];
  for (const key of ['rule_files', 'alerting'] as const) {
    if (!isDeepStrictEqual(config[key], shared[key])) diffs.push(`${key} differs from shared.yml`);
  }
  const { external_labels: sharedLabels = {}, ...sharedGlobal } = shared.global ?? {};
  const { external_labels: labels = {}, ...global } = config.global ?? {};
  if (!isDeepStrictEqual(global, sharedGlobal)) diffs.push('global differs from shared.yml');
  for (const [name, value] of Object.entries(sharedLabels as Record<string, unknown>)) {
    if ((labels as Record<string, unknown>)[name] !== value) {
      diffs.push(`global.external_labels.${name} is not ${JSON.stringify(value)}`);
    }
  }
  return diffs;
}
