// Reads the text exposition the way a test states expectations: the sum of one series name over
// the label sets that match the given labels.
import type { Metrics } from '@ai-orchestrator/metrics';
import { parseExposition } from '@ai-orchestrator/testkit/exposition';

/** A scrape of `metrics`, summed by name and label subset. */
export async function scrape(metrics: Metrics) {
  const body = (await metrics.expose()).body;
  const all = parseExposition(body);
  const matching = (name: string, labels: Record<string, string> = {}) =>
    all.filter(
      (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
    );
  return {
    body,
    /** Sum over matching series; undefined when none matches. */
    value(name: string, labels: Record<string, string> = {}): number | undefined {
      const found = matching(name, labels);
      return found.length === 0 ? undefined : found.reduce((sum, s) => sum + s.value, 0);
    },
    series: matching,
  };
}
