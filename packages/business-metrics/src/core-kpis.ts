// Workflow success rate and mean response time, read from the core's metrics in the same registry.
import { METRICS, type AnyRegistry } from '@ai-orchestrator/metrics';

interface Sample {
  readonly value: number;
  readonly labels: Readonly<Record<string, string | number | undefined>>;
  readonly metricName?: string;
}

async function samples(registry: AnyRegistry, name: string): Promise<readonly Sample[]> {
  const metric = registry.getSingleMetric(name);
  if (!metric) return [];
  const data = (await metric.get()) as { values: readonly Sample[] };
  return data.values;
}

export interface CoreKpis {
  readonly workflowSuccessRate: number | null;
  readonly averageResponseTimeSeconds: number | null;
}

/** This process's totals since start, for the `service` label of the business metrics. */
export async function readCoreKpis(registry: AnyRegistry, service: string): Promise<CoreKpis> {
  let finished = 0;
  let succeeded = 0;
  for (const s of await samples(registry, METRICS.workflowExecutions.name)) {
    if (s.labels.service !== service) continue;
    finished += s.value;
    if (s.labels.status === 'success') succeeded += s.value;
  }
  const duration = METRICS.httpServerRequestDuration.name;
  let sum = 0;
  let count = 0;
  for (const s of await samples(registry, duration)) {
    if (s.labels.service !== service) continue;
    if (s.metricName === `${duration}_sum`) sum += s.value;
    if (s.metricName === `${duration}_count`) count += s.value;
  }
  return {
    workflowSuccessRate: finished > 0 ? succeeded / finished : null,
    averageResponseTimeSeconds: count > 0 ? sum / count : null,
  };
}
