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
  for (const sample of await samples(registry, METRICS.workflowExecutions.name)) {
    if (sample.labels.service !== service) continue;
    finished += sample.value;
    if (sample.labels.status === 'success') succeeded += sample.value;
  }
  const duration = METRICS.httpServerRequestDuration.name;
  let sum = 0;
  let count = 0;
  for (const sample of await samples(registry, duration)) {
    if (sample.labels.service !== service) continue;
    if (sample.metricName === `${duration}_sum`) sum += sample.value;
    if (sample.metricName === `${duration}_count`) count += sample.value;
  }
  return {
    workflowSuccessRate: finished > 0 ? succeeded / finished : null,
    averageResponseTimeSeconds: count > 0 ? sum / count : null,
  };
}
