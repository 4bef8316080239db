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
import { isPlaceholder, runbookRefs, type KubectlRef } from './runbook-refs.js';

const kubectl = requireBinary('kubectl');
const RUNBOOKS = join(INFRA, 'runbooks');
const files = readdirSync(RUNBOOKS).filter((f) => f.endsWith('.md'));
const KINDS: Record<string, string> = {
  statefulset: 'StatefulSet',
  deployment: 'Deployment',
  daemonset: 'DaemonSet',
  svc: 'Service',
  service: 'Service',
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

/** Pods and claims of the StatefulSets, up to the largest replica count of any overlay. */
function ordinalsOf(objects: KubeObject[]): Set<string> {
  return new Set(
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
}

/** Problems of one kubectl command, looked up in the namespace it runs in. */
function kubectlProblems(ref: KubectlRef, all: KubeObject[]): string[] {
  const problems: string[] = [];
  const objects = ref.namespace ? all.filter((o) => o.metadata.namespace === ref.namespace) : all;
  if (ref.namespace && objects.length === 0) return [`no namespace ${ref.namespace}`];
  const templates = objects.map(template).filter((x): x is PodTemplate => x !== undefined);
  const labelSets = [
    ...templates.map((x) => x.metadata?.labels ?? {}),
    ...objects.map((o) => o.metadata.labels ?? {}),
  ];
  if (ref.selectors.length > 0) {
    const selected = labelSets.some((labels) =>
      ref.selectors.every(([k, v]) => k in labels && (isPlaceholder(v) || labels[k] === v)),
    );
    if (!selected)
      problems.push(`-l ${ref.selectors.map((s) => s.join('=')).join(',')} selects nothing`);
  }
  const ordinals = ordinalsOf(objects);
  for (const [kind, name] of ref.objects) {
    if (isPlaceholder(name)) continue;
    const found =
      kind === 'pod' || kind === 'pvc'
        ? ordinals.has(name)
        : objects.some((o) => o.kind === KINDS[kind] && o.metadata.name === name);
    if (!found) problems.push(`${kind}/${name} is not there`);
  }
  const containers = new Set(templates.flatMap((x) => x.spec.containers.map((c) => c.name)));
  for (const c of ref.containers) if (!containers.has(c)) problems.push(`no container ${c}`);
  for (const name of ref.ordinals) {
    if (!ordinals.has(name)) problems.push(`${name} is no pod or claim of a StatefulSet there`);
  }
  return problems.map((p) => `${ref.line}: ${p}`);
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

  function jobProblems(jobs: [string, string][]): string[] {
    const problems: string[] = [];
    for (const [op, value] of jobs) {
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
    return problems;
  }

  it.each(files)('%s', (file) => {
    const refs = runbookRefs(read(join(RUNBOOKS, file)));
    const problems = [
      ...jobProblems(refs.jobs),
      ...refs.kubectl.flatMap((ref) => kubectlProblems(ref, objects)),
      ...refs.composeServices
        .filter((s) => !composeServices.has(s))
        .map((s) => `docker compose has no service ${s}`),
    ];
    expect(problems).toEqual([]);
  });

  it('catches what watchdog.md, service-down.md and disk-space-low.md used to say', () => {
    const old = runbookRefs(
      'up{job=~"prometheus|alertmanager"} and `kubectl get pods -l app=<service>`, ' +
        '`kubectl -n monitoring logs statefulset/prometheus-server` and ' +
        '`kubectl -n monitoring get pods -l app.kubernetes.io/name=node-exporter`',
    );
    expect(jobProblems(old.jobs)).toEqual([
      'job=~"prometheus|alertmanager" matches no Kubernetes job',
    ]);
    const [selector, object, wrongNamespace] = old.kubectl.map((r) => kubectlProblems(r, objects));
    expect(selector).toEqual([`${old.kubectl[0]?.line}: -l app=<service> selects nothing`]);
    expect(object?.[0]).toMatch(/statefulset\/prometheus-server is not there$/);
    expect(wrongNamespace?.[0]).toMatch(/selects nothing$/);
  });
});
