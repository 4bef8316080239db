// The Prometheus job names a runbook's queries may use: the jobs of the rendered Kubernetes
// Prometheus (a job named after each scraped Service where discovery sets `job`) and of docker
// compose. A query for a job nobody scrapes returns nothing, which reads as "all is well".
import { parse } from 'yaml';
import { configMap, type KubeObject } from './kube.js';

interface Job {
  job_name: string;
  relabel_configs?: { source_labels?: string[]; target_label?: string }[];
}

export interface PrometheusJobs {
  readonly kubernetes: ReadonlySet<string>;
  readonly compose: ReadonlySet<string>;
}

/** Job names a Prometheus config gives its targets; `job` from a Service name means every scraped Service. */
function jobsOf(config: string, objects: readonly KubeObject[]): string[] {
  const scraped = objects.filter(
    (o) =>
      o.kind === 'Service' &&
      o.metadata.labels?.monitoring === 'enabled' &&
      (o.spec as { ports: { name: string }[] }).ports.some((p) => p.name === 'metrics'),
  );
  return (parse(config) as { scrape_configs: Job[] }).scrape_configs.flatMap((job) => {
    const fromService = (job.relabel_configs ?? []).some(
      (r) =>
        r.target_label === 'job' && r.source_labels?.includes('__meta_kubernetes_service_name'),
    );
    return fromService ? scraped.map((s) => s.metadata.name) : [job.job_name];
  });
}

/**
 * The jobs of every rendered overlay (its `prometheus-config` ConfigMap) and of compose's
 * prometheus.yml.
 *
 * @example
 * prometheusJobs([kustomize(kubectl, 'overlays/dev')], read('infra/prometheus/prometheus.yml'));
 */
export function prometheusJobs(
  overlays: readonly (readonly KubeObject[])[],
  composeConfig: string,
): PrometheusJobs {
  const kubernetes = overlays.flatMap((objects) =>
    jobsOf(
      configMap([...objects], 'prometheus-config').data?.['prometheus.yml'] as string,
      objects,
    ),
  );
  return { kubernetes: new Set(kubernetes), compose: new Set(jobsOf(composeConfig, [])) };
}

/** Problems of the `job="x"` and `job=~"a|b"` matchers in a runbook's text. */
export function jobProblems(text: string, jobs: PrometheusJobs): string[] {
  const known = (job: string) => jobs.kubernetes.has(job) || jobs.compose.has(job);
  return [...text.matchAll(/\bjob\s*(=~|=)\s*"([^"]*)"/g)].flatMap(([, op, value = '']) => {
    if (op === '=')
      return known(value) ? [] : [`job="${value}" is no job of Kubernetes or compose`];
    const re = new RegExp(`^(?:${value})$`);
    return [
      ...([...jobs.kubernetes].some((j) => re.test(j))
        ? []
        : [`job=~"${value}" matches no Kubernetes job`]),
      ...value
        .split('|')
        .filter((alt) => /^[\w-]+$/.test(alt) && !known(alt))
        .map((alt) => `job "${alt}" does not exist`),
    ];
  });
}
