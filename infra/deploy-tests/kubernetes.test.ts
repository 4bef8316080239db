// The Kubernetes deployment as kubectl renders it: schemas, workload rules, network policies,
// disruption budgets, secrets, the one copy of every config file, and Prometheus's config.
import { spawnSync } from 'node:child_process';
import { isDeepStrictEqual } from 'node:util';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { requireBinary } from '@ai-orchestrator/testkit';
import { sharedPartsDiff } from '../lib/prometheus-config.js';
import {
  configMap,
  find,
  grafanaRootUrl,
  kustomize,
  parseYamlObjects,
  validateObject,
  type KubeObject,
} from './kube.js';
import { INFRA, REPO, SCRIPTS, dashboardFiles, listDir, read } from './paths.js';
import { checkConfig } from './promtool.js';

const kubectl = requireBinary('kubectl');
const promtool = requireBinary('promtool');
const OVERLAYS = ['overlays/dev', 'overlays/production'] as const;
const NODE_EXPORTER_NS = 'monitoring-node-exporter';
/** Where the kubelet mounts a pod's ServiceAccount token (Prometheus scrapes node-exporter with it). */
const SERVICE_ACCOUNT_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';
const WORKLOAD_KINDS = ['Deployment', 'StatefulSet', 'DaemonSet'];

interface Container {
  name: string;
  image: string;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  readinessProbe?: unknown;
  livenessProbe?: unknown;
  securityContext?: {
    runAsNonRoot?: boolean;
    readOnlyRootFilesystem?: boolean;
    allowPrivilegeEscalation?: boolean;
    capabilities?: { drop?: string[] };
  };
  env?: { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string } } }[];
  args?: string[];
}
interface PodSpec {
  securityContext?: { runAsNonRoot?: boolean };
  containers: Container[];
  initContainers?: Container[];
  volumes?: {
    configMap?: { name: string };
    secret?: { secretName: string };
    projected?: {
      sources: {
        configMap?: { name: string };
        secret?: { name: string; items?: { path: string }[] };
      }[];
    };
  }[];
}
const podSpec = (o: KubeObject): PodSpec =>
  (o.spec as { template: { spec: PodSpec } }).template.spec;
const podLabels = (o: KubeObject): Record<string, string> =>
  (o.spec as { template: { metadata: { labels: Record<string, string> } } }).template.metadata
    .labels;
const matches = (
  selector: Record<string, string> | undefined,
  labels: Record<string, string>,
): boolean => selector !== undefined && Object.entries(selector).every(([k, v]) => labels[k] === v);

/** Every Secret name the objects reference (env, volumes, Ingress TLS and auth). */
function referencedSecrets(objects: KubeObject[]): Set<string> {
  const names = new Set<string>();
  for (const o of objects) {
    if (WORKLOAD_KINDS.includes(o.kind)) {
      const spec = podSpec(o);
      for (const c of [...spec.containers, ...(spec.initContainers ?? [])]) {
        for (const e of c.env ?? [])
          if (e.valueFrom?.secretKeyRef) names.add(e.valueFrom.secretKeyRef.name);
      }
      for (const v of spec.volumes ?? []) {
        if (v.secret) names.add(v.secret.secretName);
        for (const s of v.projected?.sources ?? []) if (s.secret) names.add(s.secret.name);
      }
    }
    if (o.kind === 'Ingress') {
      for (const tls of (o.spec as { tls?: { secretName: string }[] }).tls ?? [])
        names.add(tls.secretName);
      const auth = o.metadata.annotations?.['nginx.ingress.kubernetes.io/auth-secret'];
      if (auth) names.add(auth);
    }
  }
  return names;
}

/** The Secrets monitoring-setup.sh insists on before it applies an overlay. */
function setupScriptSecrets(overlay: string): Set<string> {
  const script = read(join(SCRIPTS, 'monitoring-setup.sh'));
  const base = /required_secrets=\(([^)]*)\)/.exec(script)?.[1]?.split(/\s+/).filter(Boolean) ?? [];
  const prod = /\[ "\$\{target\}" = production \] && required_secrets\+=\(([^)]*)\)/.exec(
    script,
  )?.[1];
  return new Set([...base, ...(overlay.endsWith('production') && prod ? prod.split(/\s+/) : [])]);
}

describe.skipIf(!kubectl)('Kubernetes manifests (kubectl kustomize)', () => {
  const rendered = new Map<string, KubeObject[]>();
  const render = (dir: string): KubeObject[] => {
    if (!rendered.has(dir)) rendered.set(dir, kustomize(kubectl as string, dir));
    return rendered.get(dir) as KubeObject[];
  };

  describe.each(OVERLAYS)('%s', (overlay) => {
    it('renders, and every object validates against its Kubernetes schema', async () => {
      const objects = render(overlay);
      expect(objects.length).toBeGreaterThan(20);
      const errors: string[] = [];
      for (const o of objects) {
        try {
          await validateObject(o);
        } catch (error) {
          errors.push(`${o.kind} ${o.metadata.name}: ${(error as Error).message}`);
        }
      }
      expect(errors).toEqual([]);
      // node-exporter has a namespace of its own (Pod Security `privileged`); the rest `monitoring`.
      const elsewhere: string[] = [];
      for (const o of objects.filter(
        (x) => x.kind !== 'Namespace' && !x.kind.startsWith('Cluster'),
      )) {
        if (o.metadata.namespace === 'monitoring') continue;
        expect(o.metadata.namespace, `${o.kind} ${o.metadata.name}`).toBe(NODE_EXPORTER_NS);
        elsewhere.push(`${o.kind}/${o.metadata.name}`);
      }
      expect(elsewhere.sort()).toEqual([
        'DaemonSet/node-exporter',
        'NetworkPolicy/default-deny',
        'NetworkPolicy/node-exporter',
        'Service/node-exporter',
        'ServiceAccount/node-exporter',
      ]);
    });

    it('gives every container requests, limits, probes and a non-root read-only security context', () => {
      const problems: string[] = [];
      const workloads = render(overlay).filter((o) => WORKLOAD_KINDS.includes(o.kind));
      expect(workloads.map((w) => w.metadata.name).sort()).toEqual([
        'alertmanager',
        'grafana',
        'jaeger',
        'node-exporter',
        'prometheus',
      ]);
      for (const w of workloads) {
        const spec = podSpec(w);
        for (const c of [...spec.containers, ...(spec.initContainers ?? [])]) {
          const at = `${w.kind} ${w.metadata.name} container ${c.name}`;
          for (const kind of ['requests', 'limits'] as const) {
            for (const resource of ['cpu', 'memory']) {
              if (!c.resources?.[kind]?.[resource]) problems.push(`${at}: no ${kind}.${resource}`);
            }
          }
          if (!c.readinessProbe) problems.push(`${at}: no readinessProbe`);
          if (!c.livenessProbe) problems.push(`${at}: no livenessProbe`);
          const sc = c.securityContext ?? {};
          if (!(sc.runAsNonRoot ?? spec.securityContext?.runAsNonRoot))
            problems.push(`${at}: not runAsNonRoot`);
          if (sc.readOnlyRootFilesystem !== true) problems.push(`${at}: root filesystem writable`);
          if (sc.allowPrivilegeEscalation !== false)
            problems.push(`${at}: privilege escalation allowed`);
          if (!sc.capabilities?.drop?.includes('ALL'))
            problems.push(`${at}: capabilities not dropped`);
          if (!/:v?\d+\.\d+\.\d+$/.test(c.image))
            problems.push(`${at}: image ${c.image} not pinned`);
        }
      }
      expect(problems).toEqual([]);
    });

    it('has a PodDisruptionBudget for every Deployment and StatefulSet', () => {
      const objects = render(overlay);
      const pdbs = objects.filter((o) => o.kind === 'PodDisruptionBudget');
      for (const w of objects.filter((o) => ['Deployment', 'StatefulSet'].includes(o.kind))) {
        const covering = pdbs.filter((p) =>
          matches(
            (p.spec as { selector: { matchLabels: Record<string, string> } }).selector.matchLabels,
            podLabels(w),
          ),
        );
        expect(covering.length, `${w.kind} ${w.metadata.name}`).toBe(1);
        // maxUnavailable 1 never blocks a drain of a single replica, and keeps one of a pair up.
        expect(covering[0]?.spec?.maxUnavailable).toBe(1);
      }
    });

    it('denies all traffic by default and lets each workload through an allow policy', () => {
      const policies = render(overlay).filter((o) => o.kind === 'NetworkPolicy');
      for (const w of render(overlay).filter((o) => WORKLOAD_KINDS.includes(o.kind))) {
        const mine = policies.filter((p) => p.metadata.namespace === w.metadata.namespace);
        const deny = mine.find((p) => p.metadata.name === 'default-deny');
        expect(deny?.spec, w.metadata.name).toEqual({
          podSelector: {},
          policyTypes: ['Ingress', 'Egress'],
        });
        const allowing = mine.filter(
          (p) =>
            p !== deny &&
            matches(
              (p.spec as { podSelector: { matchLabels?: Record<string, string> } }).podSelector
                .matchLabels,
              podLabels(w),
            ) &&
            Array.isArray((p.spec as { ingress?: unknown[] }).ingress),
        );
        expect(allowing.length, `ingress policy for ${w.metadata.name}`).toBeGreaterThan(0);
      }
    });

    it('references Secrets that monitoring-setup.sh requires, and commits none', () => {
      const objects = render(overlay);
      expect(objects.filter((o) => o.kind === 'Secret')).toEqual([]);
      expect([...referencedSecrets(objects)].sort()).toEqual(
        [...setupScriptSecrets(overlay)].sort(),
      );
    });

    it('serves grafana, prometheus and jaeger over TLS through an Ingress, to existing Services', () => {
      const objects = render(overlay);
      const services = objects.filter((o) => o.kind === 'Service');
      const hosts: string[] = [];
      for (const ingress of objects.filter((o) => o.kind === 'Ingress')) {
        const spec = ingress.spec as {
          tls: { hosts: string[] }[];
          rules: {
            host: string;
            http: { paths: { backend: { service: { name: string; port: { name: string } } } }[] };
          }[];
        };
        const tlsHosts = spec.tls.flatMap((t) => t.hosts);
        for (const rule of spec.rules) {
          hosts.push(rule.host);
          expect(tlsHosts, rule.host).toContain(rule.host);
          for (const path of rule.http.paths) {
            const svc = services.find((s) => s.metadata.name === path.backend.service.name);
            const ports = (svc?.spec as { ports: { name: string }[] } | undefined)?.ports ?? [];
            expect(
              ports.map((p) => p.name),
              `${rule.host} -> ${path.backend.service.name}`,
            ).toContain(path.backend.service.port.name);
          }
        }
        if (ingress.metadata.name !== 'grafana') {
          expect(ingress.metadata.annotations?.['nginx.ingress.kubernetes.io/auth-type']).toBe(
            'basic',
          );
        }
      }
      for (const name of ['grafana', 'prometheus', 'jaeger']) {
        expect(
          hosts.some((h) => h.startsWith(`${name}.`)),
          name,
        ).toBe(true);
      }
    });

    it('labels scrape targets the seed way: monitoring=enabled and a port named metrics', () => {
      const objects = render(overlay);
      const scraped = objects.filter(
        (o) => o.kind === 'Service' && o.metadata.labels?.monitoring === 'enabled',
      );
      // node-exporter is scraped over HTTPS by a job of its own (kubernetes-hardening.test.ts).
      expect(scraped.map((s) => s.metadata.name).sort()).toEqual([
        'alertmanager-cluster',
        'grafana',
        'jaeger',
        'prometheus-headless',
      ]);
      for (const svc of scraped) {
        const ports = (svc.spec as { ports: { name: string }[] }).ports;
        expect(
          ports.map((p) => p.name),
          svc.metadata.name,
        ).toContain('metrics');
      }
    });

    it('configures Grafana without anonymous access and with viewers by default', () => {
      const grafana = podSpec(find(render(overlay), 'Deployment', 'grafana'))
        .containers[0] as Container;
      const env = Object.fromEntries(
        (grafana.env ?? []).map((e) => [e.name, e.value ?? e.valueFrom]),
      );
      expect(env.GF_AUTH_ANONYMOUS_ENABLED).toBe('false');
      expect(env.GF_USERS_AUTO_ASSIGN_ORG_ROLE).toBe('Viewer');
      expect(env.GF_SECURITY_ADMIN_PASSWORD).toEqual({
        secretKeyRef: { name: 'grafana-admin', key: 'admin-password' },
      });
    });

    it('takes every rule, dashboard and provisioning file from its one copy in the repo', () => {
      const objects = render(overlay);
      const same = (cm: string, dir: string, files: string[]): void => {
        const data = configMap(objects, cm).data ?? {};
        expect(Object.keys(data).sort(), cm).toEqual([...files].sort());
        for (const file of files) expect(data[file], `${cm} ${file}`).toBe(read(join(dir, file)));
      };
      same('prometheus-rules', join(INFRA, 'prometheus'), [
        'alert_rules.yml',
        'recording_rules.yml',
        'slo_rules.yml',
        'genai_rules.yml',
      ]);
      same('alertmanager-config', join(INFRA, 'alertmanager'), ['alertmanager.yml']);
      // grafana-url.tmpl carries Grafana's URL of this overlay on line 2 (notification.test.ts).
      const templates = configMap(objects, 'alertmanager-templates').data ?? {};
      const templateDir = join(INFRA, 'alertmanager', 'templates');
      expect(Object.keys(templates).sort()).toEqual(listDir(templateDir));
      for (const file of listDir(templateDir)) {
        const lines = read(join(templateDir, file)).split('\n');
        if (file === 'grafana-url.tmpl') lines[1] = grafanaRootUrl(objects);
        expect(templates[file], file).toBe(lines.join('\n'));
      }
      same(
        'grafana-datasources',
        join(INFRA, 'grafana/provisioning/datasources'),
        listDir(join(INFRA, 'grafana/provisioning/datasources')),
      );
      same(
        'grafana-dashboard-providers',
        join(INFRA, 'grafana/provisioning/dashboards'),
        listDir(join(INFRA, 'grafana/provisioning/dashboards')),
      );
      same('grafana-dashboards', join(REPO, 'dashboards'), dashboardFiles());
      same('jaeger-config', join(INFRA, 'jaeger'), ['config.yaml', 'sampling-strategies.json']);
      // A ConfigMap holds at most 1 MiB.
      expect(JSON.stringify(configMap(objects, 'grafana-dashboards').data).length).toBeLessThan(
        1024 * 1024,
      );
    });

    it('mounts files where the configs expect them', () => {
      const objects = render(overlay);
      const grafana = podSpec(find(objects, 'Deployment', 'grafana')).containers[0] as Container & {
        volumeMounts: { name: string; mountPath: string }[];
      };
      const provider = parse(
        read(
          join(
            INFRA,
            'grafana/provisioning/dashboards',
            listDir(join(INFRA, 'grafana/provisioning/dashboards'))[0] as string,
          ),
        ),
      ) as {
        providers: { options: { path: string } }[];
      };
      expect(grafana.volumeMounts.find((m) => m.name === 'dashboards')?.mountPath).toBe(
        provider.providers[0]?.options.path,
      );
      // Every file alertmanager.yml reads from secrets/ and every template is projected.
      const am = podSpec(find(objects, 'StatefulSet', 'alertmanager'));
      const projected = (am.volumes ?? []).flatMap((v) => v.projected?.sources ?? []);
      const paths = projected.flatMap((s) => (s.secret?.items ?? []).map((i) => i.path));
      const wanted = [
        ...read(join(INFRA, 'alertmanager/alertmanager.yml')).matchAll(
          /\/etc\/alertmanager\/(secrets\/[\w.-]+)/g,
        ),
      ].map((m) => m[1]);
      expect([...new Set(wanted)].sort()).toEqual([...paths].sort());
      const templates = projected.flatMap((s) =>
        ((s.configMap as { items?: { path: string }[] } | undefined)?.items ?? []).map(
          (i) => i.path,
        ),
      );
      expect(templates.sort()).toEqual(
        listDir(join(INFRA, 'alertmanager/templates')).map((f) => `templates/${f}`),
      );
      // Jaeger reads its sampling file from the directory the ConfigMap is mounted on.
      const sampling = /path: (\/etc\/jaeger\/[\w.-]+)/.exec(
        read(join(INFRA, 'jaeger/config.yaml')),
      )?.[1];
      expect(sampling).toBe('/etc/jaeger/sampling-strategies.json');
    });

    it.skipIf(!promtool)(
      'renders a Prometheus config that promtool accepts, with the rule files',
      () => {
        const objects = render(overlay);
        const config = configMap(objects, 'prometheus-config').data?.['prometheus.yml'] as string;
        const rules = configMap(objects, 'prometheus-rules').data ?? {};
        // promtool checks that credential files exist: the pod's token becomes a local file.
        expect(config).toContain(SERVICE_ACCOUNT_TOKEN);
        expect(config).toContain('kubernetes_sd_configs');
        const text = config.replaceAll(SERVICE_ACCOUNT_TOKEN, 'serviceaccount-token');
        const files: Record<string, string> = { ...rules, 'serviceaccount-token': 'token' };
        const result = checkConfig(promtool as string, text, files);
        expect(result.output).toContain('SUCCESS');
        expect(result.code, result.output).toBe(0);
        // Every rule file was found and checked, not skipped.
        expect(result.output).toContain(`SUCCESS: ${Object.keys(rules).length} rule files found`);
        for (const file of Object.keys(rules)) expect(result.output).toContain(`Checking ${file}`);
      },
    );

    it('shares global and rule_files with infra/prometheus/shared.yml', () => {
      const config = configMap(render(overlay), 'prometheus-config').data?.[
        'prometheus.yml'
      ] as string;
      // alerting differs on purpose: every Alertmanager replica gets every alert (no load balancer).
      expect(sharedPartsDiff(config)).toEqual(['alerting differs from shared.yml']);
    });
  });

  it('monitoring-setup.sh --dry-run prints the rendered overlay without a cluster', () => {
    const env = { ...process.env, KUBECTL: kubectl as string };
    const script = join(SCRIPTS, 'monitoring-setup.sh');
    const dry = spawnSync('bash', [script, 'production', '--dry-run'], { encoding: 'utf8', env });
    expect(dry.status, dry.stderr).toBe(0);
    expect(parseYamlObjects(dry.stdout)).toEqual(render('overlays/production'));
    const bad = spawnSync('bash', [script, 'staging'], { encoding: 'utf8', env });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("unknown argument 'staging'");
  });

  it('dev runs one replica of everything with small volumes', () => {
    const objects = render('overlays/dev');
    for (const name of ['prometheus', 'alertmanager']) {
      expect(find(objects, 'StatefulSet', name).spec?.replicas, name).toBe(1);
    }
    expect(find(objects, 'Deployment', 'grafana').spec?.replicas).toBe(1);
    const am = podSpec(find(objects, 'StatefulSet', 'alertmanager')).containers[0] as Container;
    expect(am.args).toContain('--cluster.listen-address=');
    expect(am.args?.some((a) => a.startsWith('--cluster.peer'))).toBe(false);
    const prom = find(objects, 'StatefulSet', 'prometheus').spec as {
      volumeClaimTemplates: { spec: { resources: { requests: { storage: string } } } }[];
    };
    expect(prom.volumeClaimTemplates[0]?.spec.resources.requests.storage).toBe('4Gi');
  });

  it('production runs a Prometheus HA pair with replica labels, remote write, retention and storage class', () => {
    const objects = render('overlays/production');
    const sts = find(objects, 'StatefulSet', 'prometheus');
    expect(sts.spec?.replicas).toBe(2);
    const container = podSpec(sts).containers[0] as Container;
    expect(container.args).toEqual(expect.arrayContaining(['--storage.tsdb.retention.time=30d']));
    // Prometheus 3 expands ${POD_NAME} in external labels by default (the flag is gone).
    expect(container.env?.find((e) => e.name === 'POD_NAME')).toBeDefined();
    const claim = (sts.spec as { volumeClaimTemplates: { spec: { storageClassName?: string } }[] })
      .volumeClaimTemplates[0];
    expect(claim?.spec.storageClassName).toBe('fast-ssd');

    const config = parse(
      configMap(objects, 'prometheus-config').data?.['prometheus.yml'] as string,
    ) as Record<string, unknown> & {
      global: { external_labels: Record<string, string> };
      alerting: { alert_relabel_configs?: unknown[] };
      remote_write?: { url: string }[];
    };
    expect(config.global.external_labels.replica).toBe('${POD_NAME}');
    expect(config.remote_write?.[0]?.url).toMatch(/^https?:\/\//);
    expect(config.alerting.alert_relabel_configs).toEqual([
      { action: 'labeldrop', regex: 'replica' },
    ]);

    // Apart from HA and remote write, production scrapes and alerts exactly as the base does.
    const base = parse(read(join(INFRA, 'k8s/base/prometheus/prometheus.yml'))) as typeof config;
    const stripped = structuredClone(config) as Partial<typeof config>;
    delete stripped.remote_write;
    delete stripped.global?.external_labels.replica;
    delete stripped.alerting?.alert_relabel_configs;
    expect(stripped).toEqual(base);
  });

  it('production clusters three Alertmanagers and runs Grafana HA on PostgreSQL', () => {
    const objects = render('overlays/production');
    const am = find(objects, 'StatefulSet', 'alertmanager');
    expect(am.spec?.replicas).toBe(3);
    const peers = ((podSpec(am).containers[0] as Container).args ?? []).filter((a) =>
      a.startsWith('--cluster.peer='),
    );
    expect(peers).toHaveLength(3);
    const grafana = find(objects, 'Deployment', 'grafana');
    expect(grafana.spec?.replicas).toBe(2);
    const env = (podSpec(grafana).containers[0] as Container).env ?? [];
    expect(env.find((e) => e.name === 'GF_DATABASE_TYPE')?.value).toBe('postgres');
    expect(env.find((e) => e.name === 'GF_DATABASE_PASSWORD')?.valueFrom?.secretKeyRef?.name).toBe(
      'grafana-db',
    );
  });

  it('keeps the base free of overlay concerns: every overlay renders the same kinds of objects', () => {
    const kinds = (dir: string): string[] =>
      render(dir)
        .map((o) => `${o.kind}/${o.metadata.name.replace(/-[a-z0-9]{10}$/, '')}`)
        .sort();
    expect(kinds('overlays/dev')).toEqual(kinds('overlays/production'));
    expect(isDeepStrictEqual(kinds('base'), kinds('overlays/dev'))).toBe(true);
  });
});
