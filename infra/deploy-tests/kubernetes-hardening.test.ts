// The hardened shape of the rendered Kubernetes stack, so it cannot come back: Pod Security
// `restricted` everywhere but node-exporter's own namespace, node-exporter behind kube-rbac-proxy,
// Prometheus's RBAC exactly what its discovery needs, admin and lifecycle APIs kept off the
// Ingress, and notification links on Grafana's configured URL.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { requireBinary } from '@ai-orchestrator/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { configMap, find, grafanaRootUrl, kustomize, type KubeObject } from './kube.js';
import { grafanaUrlSetting, linkProblems, renderTemplate } from './notification.js';
import { K8S } from './paths.js';
import { podSpec, restrictedViolations } from './pod-security.js';

const kubectl = requireBinary('kubectl');
const amtool = requireBinary('amtool');
const OVERLAYS = ['base', 'overlays/dev', 'overlays/production'] as const;
const WORKLOAD_KINDS = ['Deployment', 'StatefulSet', 'DaemonSet'];
const SERVICE_ACCOUNT_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';

/** What each Kubernetes SD role lists and watches (Prometheus docs, kubernetes_sd_config). */
const SD_NEEDS: Record<string, string[]> = {
  endpoints: ['/endpoints', '/pods', '/services'],
  endpointslice: ['discovery.k8s.io/endpointslices', '/pods', '/services'],
  pod: ['/pods'],
  service: ['/services'],
  node: ['/nodes'],
  ingress: ['networking.k8s.io/ingresses'],
};

interface Job {
  job_name: string;
  scheme?: string;
  authorization?: { credentials_file?: string };
  kubernetes_sd_configs?: { role: string; namespaces?: { names: string[] } }[];
  relabel_configs?: { source_labels?: string[]; regex?: string; action?: string }[];
}
interface PrometheusConfig {
  scrape_configs: Job[];
  alerting: { alertmanagers: Job[] };
}
interface Rule {
  apiGroups?: string[];
  resources?: string[];
  nonResourceURLs?: string[];
  verbs: string[];
}
interface Container {
  name: string;
  args?: string[];
  ports?: { name?: string; containerPort: number; hostPort?: number }[];
}

const prometheusConfig = (objects: KubeObject[]): PrometheusConfig =>
  parse(configMap(objects, 'prometheus-config').data?.['prometheus.yml'] ?? '') as PrometheusConfig;
const container = (o: KubeObject, name: string): Container =>
  podSpec(o).containers.find((c) => c.name === name) as Container;

describe.skipIf(!kubectl)('hardened Kubernetes manifests', () => {
  const cache = new Map<string, KubeObject[]>();
  const render = (dir: string): KubeObject[] => {
    if (!cache.has(dir)) cache.set(dir, kustomize(kubectl as string, dir));
    return cache.get(dir) as KubeObject[];
  };

  describe.each(OVERLAYS)('%s', (overlay) => {
    it('admits every workload outside node-exporter’s namespace under Pod Security restricted', () => {
      const objects = render(overlay);
      const level = new Map(
        objects
          .filter((o) => o.kind === 'Namespace')
          .map((n) => [n.metadata.name, n.metadata.labels?.['pod-security.kubernetes.io/enforce']]),
      );
      expect(Object.fromEntries(level)).toEqual({
        monitoring: 'restricted',
        'monitoring-node-exporter': 'privileged',
      });
      const problems: string[] = [];
      for (const w of objects.filter((o) => WORKLOAD_KINDS.includes(o.kind))) {
        const ns = w.metadata.namespace ?? '';
        if (level.get(ns) === 'privileged') {
          // The exemption covers node-exporter and nothing else.
          expect(`${w.kind}/${w.metadata.name}`).toBe('DaemonSet/node-exporter');
          continue;
        }
        expect(level.get(ns), `${w.metadata.name} in ${ns}`).toBe('restricted');
        for (const v of restrictedViolations(podSpec(w))) problems.push(`${w.metadata.name}: ${v}`);
      }
      expect(problems).toEqual([]);
      // The check itself refuses what node-exporter needs.
      const ne = find(objects, 'DaemonSet', 'node-exporter');
      expect(restrictedViolations(podSpec(ne))).toEqual(
        expect.arrayContaining(['pod: hostNetwork', 'pod: hostPID', 'volume proc: hostPath']),
      );
    });

    it('serves node-exporter on the host loopback only, to the world through kube-rbac-proxy', () => {
      const ds = find(render(overlay), 'DaemonSet', 'node-exporter');
      const exporter = container(ds, 'node-exporter');
      expect(exporter.args).toContain('--web.listen-address=127.0.0.1:9100');
      expect(exporter.ports ?? []).toEqual([]);
      const proxy = container(ds, 'kube-rbac-proxy');
      expect(proxy.args).toEqual(
        expect.arrayContaining([
          '--secure-listen-address=[$(IP)]:9100',
          '--upstream=http://127.0.0.1:9100/',
        ]),
      );
      expect(proxy.ports).toEqual([{ name: 'https', containerPort: 9100, hostPort: 9100 }]);
      expect((ds.spec as { template: { spec: Record<string, unknown> } }).template.spec).toEqual(
        expect.objectContaining({
          serviceAccountName: 'node-exporter',
          automountServiceAccountToken: true,
        }),
      );
    });

    it('lets kube-rbac-proxy review tokens, and scrapes node-exporter over HTTPS with a token', () => {
      const objects = render(overlay);
      const role = find(objects, 'ClusterRole', 'monitoring-node-exporter').rules as Rule[];
      expect(role).toEqual([
        { apiGroups: ['authentication.k8s.io'], resources: ['tokenreviews'], verbs: ['create'] },
        {
          apiGroups: ['authorization.k8s.io'],
          resources: ['subjectaccessreviews'],
          verbs: ['create'],
        },
      ]);
      const binding = find(objects, 'ClusterRoleBinding', 'monitoring-node-exporter');
      expect(binding.subjects).toEqual([
        { kind: 'ServiceAccount', name: 'node-exporter', namespace: 'monitoring-node-exporter' },
      ]);
      const config = prometheusConfig(objects);
      const job = config.scrape_configs.find((j) => j.job_name === 'node-exporter');
      expect(job?.scheme).toBe('https');
      expect(job?.authorization?.credentials_file).toBe(SERVICE_ACCOUNT_TOKEN);
      expect(job?.kubernetes_sd_configs).toEqual([
        { role: 'endpoints', namespaces: { names: ['monitoring-node-exporter'] } },
      ]);
      const keep = job?.relabel_configs?.find((r) => r.action === 'keep');
      const svc = find(objects, 'Service', 'node-exporter');
      const port = (svc.spec as { ports: { name: string }[] }).ports[0]?.name;
      expect(`node-exporter;${port}`).toMatch(new RegExp(`^${keep?.regex}$`));
      // No plaintext job reaches node-exporter any more.
      for (const j of config.scrape_configs.filter((x) => x !== job)) {
        const names = j.kubernetes_sd_configs?.flatMap((sd) => sd.namespaces?.names ?? []) ?? [];
        expect(names, j.job_name).not.toContain('monitoring-node-exporter');
      }
      expect(svc.metadata.labels?.monitoring).toBeUndefined();
    });

    it('grants Prometheus exactly what its service discovery lists and watches', () => {
      const objects = render(overlay);
      const config = prometheusConfig(objects);
      const sds = [...config.scrape_configs, ...config.alerting.alertmanagers].flatMap(
        (j) => j.kubernetes_sd_configs ?? [],
      );
      const needed = new Set(sds.flatMap((sd) => SD_NEEDS[sd.role] ?? [`unknown role ${sd.role}`]));
      const rules = find(objects, 'ClusterRole', 'monitoring-prometheus').rules as Rule[];
      const granted = new Set<string>();
      // The kubelet job reads each kubelet's /metrics with the token: get on nodes/metrics, and
      // only while a job discovers nodes and scrapes them with the token.
      const kubeletScrape = config.scrape_configs.some(
        (j) =>
          j.authorization?.credentials_file === SERVICE_ACCOUNT_TOKEN &&
          (j.kubernetes_sd_configs ?? []).some((sd) => sd.role === 'node'),
      );
      const nodeMetrics = rules.filter((x) => x.resources?.includes('nodes/metrics'));
      expect(nodeMetrics).toEqual(
        kubeletScrape ? [{ apiGroups: [''], resources: ['nodes/metrics'], verbs: ['get'] }] : [],
      );
      for (const r of rules.filter((x) => x.resources && !nodeMetrics.includes(x))) {
        expect(r.verbs, JSON.stringify(r)).toEqual(['list', 'watch']);
        for (const g of r.apiGroups ?? [])
          for (const res of r.resources ?? []) granted.add(`${g}/${res}`);
      }
      expect([...granted].sort()).toEqual([...needed].sort());
      // Cluster-wide only because one discovery looks in every namespace (opt-in Services).
      expect(sds.some((sd) => !sd.namespaces)).toBe(true);
      // /metrics through kube-rbac-proxy, and only while a job scrapes with the token.
      const nonResource = rules.filter((x) => x.nonResourceURLs);
      const tokenScrape = config.scrape_configs.some(
        (j) => j.authorization?.credentials_file === SERVICE_ACCOUNT_TOKEN,
      );
      expect(nonResource).toEqual(
        tokenScrape ? [{ nonResourceURLs: ['/metrics'], verbs: ['get'] }] : [],
      );
      const binding = find(objects, 'ClusterRoleBinding', 'monitoring-prometheus');
      expect(binding.subjects).toEqual([
        { kind: 'ServiceAccount', name: 'prometheus', namespace: 'monitoring' },
      ]);
    });

    it('keeps the admin and lifecycle APIs off the Ingress; the admin API stays off', () => {
      const objects = render(overlay);
      for (const w of objects.filter((o) => WORKLOAD_KINDS.includes(o.kind))) {
        for (const c of podSpec(w).containers as Container[])
          expect(c.args ?? [], c.name).not.toContain('--web.enable-admin-api');
      }
      const denied = objects.filter(
        (o) =>
          o.kind === 'Ingress' &&
          o.metadata.annotations?.['nginx.ingress.kubernetes.io/denylist-source-range'] ===
            '0.0.0.0/0,::/0',
      );
      const paths = denied.flatMap((i) =>
        (
          i.spec as {
            rules: { host: string; http: { paths: { path: string; pathType: string }[] } }[];
          }
        ).rules.flatMap((r) => r.http.paths.map((p) => `${r.host.split('.')[0]} ${p.path}`)),
      );
      expect(paths.sort()).toEqual([
        'alertmanager /-/reload',
        'prometheus /-/quit',
        'prometheus /-/reload',
        'prometheus /api/v1/admin',
      ]);
    });

    it.skipIf(!amtool)('links notifications to Grafana’s own URL (GF_SERVER_ROOT_URL)', () => {
      const objects = render(overlay);
      const url = grafanaRootUrl(objects);
      expect(url).toMatch(/^https:\/\//);
      const cm = configMap(objects, 'alertmanager-templates');
      const templates = cm.data ?? {};
      expect(grafanaUrlSetting(templates['grafana-url.tmpl'] ?? '')).toBe(url);
      // Alertmanager mounts this very ConfigMap (kustomize renamed it after the replacement).
      const am = podSpec(find(objects, 'StatefulSet', 'alertmanager'));
      const sources = (am.volumes ?? []).flatMap(
        (v) =>
          (v as { projected?: { sources: { configMap?: { name: string } }[] } }).projected
            ?.sources ?? [],
      );
      expect(sources.map((s) => s.configMap?.name)).toContain(cm.metadata.name);
      const link = renderTemplate(amtool as string, templates, {
        alertname: 'HighErrorRate',
        service: 'demo-engine',
      });
      expect(linkProblems(link, url)).toEqual([]);
    });
  });

  describe('an overlay of your own that moves Grafana', () => {
    const dir = mkdtempSync(join(tmpdir(), 'aio-overlay-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('moves the notification links with it by listing the replacement', () => {
      const production = relative(dir, join(K8S, 'overlays/production'));
      const replacement = relative(dir, join(K8S, 'base/alertmanager/grafana-url.yaml'));
      writeFileSync(
        join(dir, 'kustomization.yaml'),
        [
          'resources:',
          `  - ${production}`,
          'patches:',
          '  - patch: |-',
          '      apiVersion: apps/v1',
          '      kind: Deployment',
          '      metadata: { name: grafana, namespace: monitoring }',
          '      spec:',
          '        template:',
          '          spec:',
          '            containers:',
          '              - name: grafana',
          '                env:',
          '                  - name: GF_SERVER_ROOT_URL',
          '                    value: https://grafana.ops.example.org',
          'replacements:',
          `  - path: ${replacement}`,
          '',
        ].join('\n'),
      );
      const objects = kustomize(kubectl as string, dir);
      expect(grafanaRootUrl(objects)).toBe('https://grafana.ops.example.org');
      const templates = configMap(objects, 'alertmanager-templates').data ?? {};
      expect(grafanaUrlSetting(templates['grafana-url.tmpl'] ?? '')).toBe(
        'https://grafana.ops.example.org',
      );
    });
  });
});
