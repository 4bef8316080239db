// Every command a runbook tells the on-call engineer to type matches this stack: the job names in
// its queries are jobs Prometheus really has (Kubernetes, as rendered, or docker compose), and its
// kubectl selectors, objects, pods, containers and namespaces exist in the rendered manifests.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { requireBinary } from '@ai-orchestrator/testkit';
import { configMap, kustomize, type KubeObject } from './kube.js';
import { COMPOSE_FILE, INFRA, read } from './paths.js';
import { isPlaceholder, runbookRefs } from './runbook-refs.js';

const kubectl = requireBinary('kubectl');
const RUNBOOKS = join(INFRA, 'runbooks');
const files = readdirSync(RUNBOOKS).filter((f) => f.endsWith('.md'));
const KINDS: Record<string, string> = {
  statefulset: 'StatefulSet',
  deployment: 'Deployment',
  daemonset: 'DaemonSet',
  svc: 'Service',
  service: 'Service',
  pod: 'Pod',
};

interface Relabel {
  source_labels?: string[];
  target_label?: string;
}
interface Job {
  job_name: string;
  relabel_configs?: Relabel[];
  static_configs?: unknown[];
}

type PodTemplate = {
  metadata?: { labels?: Record<string, string> };
  spec: { containers: { name: string }[] };
};
const template = (o: KubeObject): PodTemplate | undefined =>
  (o.spec as { template?: PodTemplate } | undefined)?.template;

/** Job names a Prometheus config gives its targets; `job` from a Service name means every scraped Service. */
function jobsOf(config: string, objects: KubeObject[]): Set<string> {
  const jobs = new Set<string>();
  const scraped = objects.filter(
    (o) =>
      o.kind === 'Service' &&
      o.metadata.labels?.monitoring === 'enabled' &&
      (o.spec as { ports: { name: string }[] }).ports.some((p) => p.name === 'metrics'),
  );
  for (const job of (parse(config) as { scrape_configs: Job[] }).scrape_configs) {
    const fromService = (job.relabel_configs ?? []).some(
      (r) =>
        r.target_label === 'job' && r.source_labels?.includes('__meta_kubernetes_service_name'),
    );
    if (fromService) for (const s of scraped) jobs.add(s.metadata.name);
    else jobs.add(job.job_name);
  }
  return jobs;
}

describe.skipIf(!kubectl)('runbook commands match the stack', () => {
  const overlays = ['overlays/dev', 'overlays/production'].map((dir) =>
    kustomize(kubectl as string, dir),
  );
  const objects = overlays.flat();
  const k8sJobs = new Set(
    overlays.flatMap((o) => [
      ...jobsOf(configMap(o, 'prometheus-config').data?.['prometheus.yml'] as string, o),
    ]),
  );
  const composeJobs = new Set(
    (
      parse(read(join(INFRA, 'prometheus/prometheus.yml'))) as { scrape_configs: Job[] }
    ).scrape_configs.map((j) => j.job_name),
  );
  const templates = objects.map(template).filter((t): t is PodTemplate => t !== undefined);
  const labels = [
    ...templates.map((t) => t.metadata?.labels ?? {}),
    ...objects.map((o) => o.metadata.labels ?? {}),
  ];
  const containers = new Set(templates.flatMap((t) => t.spec.containers.map((c) => c.name)));
  // Pods and claims of the StatefulSets, up to the largest replica count of any overlay.
  const ordinals = new Set(
    objects
      .filter((o) => o.kind === 'StatefulSet')
      .flatMap((o) => {
        const spec = o.spec as {
          replicas: number;
          volumeClaimTemplates?: { metadata: { name: string } }[];
        };
        return Array.from({ length: spec.replicas }, (_, i) => [
          `${o.metadata.name}-${i}`,
          ...(spec.volumeClaimTemplates ?? []).map(
            (c) => `${c.metadata.name}-${o.metadata.name}-${i}`,
          ),
        ]).flat();
      }),
  );
  const composeServices = new Set(
    Object.keys((parse(read(COMPOSE_FILE)) as { services: object }).services),
  );

  it('knows the real job names: prometheus-headless and alertmanager-cluster on Kubernetes', () => {
    expect([...k8sJobs].sort()).toEqual(
      expect.arrayContaining([
        'alertmanager-cluster',
        'kubelet',
        'node-exporter',
        'prometheus-headless',
      ]),
    );
    expect(k8sJobs.has('prometheus')).toBe(false);
    expect(composeJobs).toEqual(
      new Set(['demo-services', 'node-exporter', 'prometheus', 'alertmanager']),
    );
  });

  it.each(files)('%s', (file) => {
    const refs = runbookRefs(read(join(RUNBOOKS, file)));
    const problems: string[] = [];
    for (const [op, value] of refs.jobs) {
      if (op === '=' && !k8sJobs.has(value) && !composeJobs.has(value)) {
        problems.push(`job="${value}" is no job of Kubernetes or compose`);
      }
      if (op === '=~') {
        const re = new RegExp(`^(?:${value})$`);
        if (![...k8sJobs].some((j) => re.test(j)))
          problems.push(`job=~"${value}" matches no Kubernetes job`);
        for (const alt of value.split('|').filter((a) => /^[\w-]+$/.test(a))) {
          if (!k8sJobs.has(alt) && !composeJobs.has(alt))
            problems.push(`job "${alt}" does not exist`);
        }
      }
    }
    for (const [key, value] of refs.selectors) {
      const known = labels.some((l) => key in l && (isPlaceholder(value) || l[key] === value));
      if (!known) problems.push(`selector ${key}=${value} selects nothing in the manifests`);
    }
    for (const [kind, name] of refs.objects) {
      if (isPlaceholder(name)) continue;
      const found =
        kind === 'pod'
          ? ordinals.has(name)
          : objects.some((o) => o.kind === KINDS[kind] && o.metadata.name === name);
      if (!found) problems.push(`${kind}/${name} is not in the manifests`);
    }
    for (const c of refs.containers) if (!containers.has(c)) problems.push(`no container ${c}`);
    for (const ns of refs.namespaces) {
      if (!objects.some((o) => o.metadata.namespace === ns)) problems.push(`no namespace ${ns}`);
    }
    for (const name of refs.ordinals) {
      if (!ordinals.has(name)) problems.push(`${name} is no pod or claim of the StatefulSets`);
    }
    for (const s of refs.composeServices) {
      if (!composeServices.has(s)) problems.push(`docker compose has no service ${s}`);
    }
    expect(problems).toEqual([]);
  });

  it('catches what watchdog.md and service-down.md used to say', () => {
    const old = runbookRefs(
      'up{job=~"prometheus|alertmanager"} and `kubectl get pods -l app=<service>` and `kubectl logs statefulset/prometheus-server`',
    );
    const [op, value] = old.jobs[0] as [string, string];
    expect(op).toBe('=~');
    expect([...k8sJobs].some((j) => new RegExp(`^(?:${value})$`).test(j))).toBe(false);
    expect(labels.some((l) => 'app' in l)).toBe(false);
    expect(old.objects).toEqual([['statefulset', 'prometheus-server']]);
  });
});
