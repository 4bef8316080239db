// What a runbook command may name, read from the rendered Kubernetes objects of every overlay (a
// name is right when one overlay has it: `prometheus-1` is production's): pods (a StatefulSet's
// ordinals), their containers, ports and mount paths, claims, Services and their ports, labels a
// selector can match, and the Secrets with the keys the manifests read.
import { spawnSync } from 'node:child_process';
import type { KubeObject } from './kube.js';
import { podSpec } from './pod-security.js';

export interface ContainerInfo {
  readonly name: string;
  readonly image: string;
  readonly args: readonly string[];
  readonly ports: readonly number[];
  readonly mountPaths: readonly string[];
}

export interface Workload {
  readonly kind: string;
  readonly name: string;
  readonly namespace: string;
  readonly containers: readonly ContainerInfo[];
  readonly object: KubeObject;
}

interface RawContainer {
  name: string;
  image: string;
  args?: string[];
  ports?: { containerPort: number }[];
  volumeMounts?: { mountPath: string }[];
  env?: { valueFrom?: { secretKeyRef?: { name: string; key: string } } }[];
}

/** `<namespace>`, `<service>`: a value the reader fills in. */
export const isPlaceholder = (value: string): boolean => /^<[^>]+>$/.test(value);

type Labels = Record<string, string>;

/** The rendered Kubernetes stack, indexed for the runbook checks. */
export class KubeStack {
  readonly workloads: Workload[];

  constructor(readonly objects: KubeObject[]) {
    this.workloads = objects
      .filter((o) => ['Deployment', 'StatefulSet', 'DaemonSet'].includes(o.kind))
      .map((o) => ({
        kind: o.kind.toLowerCase(),
        name: o.metadata.name,
        namespace: o.metadata.namespace ?? '',
        object: o,
        containers: (podSpec(o).containers as RawContainer[]).map((c) => ({
          name: c.name,
          image: c.image,
          args: c.args ?? [],
          ports: (c.ports ?? []).map((p) => p.containerPort),
          mountPaths: (c.volumeMounts ?? []).map((m) => m.mountPath),
        })),
      }));
  }

  namespaces(): string[] {
    return this.objects.filter((o) => o.kind === 'Namespace').map((o) => o.metadata.name);
  }

  /**
   * Whether `-l k=v,…` selects an object or pod template in `namespace` (any, when it is a
   * placeholder); a placeholder value matches any value of its key.
   */
  selects(namespace: string, selectors: readonly [string, string][]): boolean {
    const objects = isPlaceholder(namespace)
      ? this.objects
      : this.objects.filter((o) => o.metadata.namespace === namespace);
    const labelSets: Labels[] = objects.flatMap((o) => [
      o.metadata.labels ?? {},
      (o.spec as { template?: { metadata?: { labels?: Labels } } } | undefined)?.template?.metadata
        ?.labels ?? {},
    ]);
    return labelSets.some((labels) =>
      selectors.every(([k, v]) => k in labels && (isPlaceholder(v) || labels[k] === v)),
    );
  }

  /** The ports of Service `name`: `port` numbers a port-forward to it can use. */
  servicePorts(namespace: string, name: string): number[] | undefined {
    const svc = this.objects.find(
      (o) => o.kind === 'Service' && o.metadata.name === name && o.metadata.namespace === namespace,
    );
    return svc && (svc.spec as { ports: { port: number }[] }).ports.map((p) => p.port);
  }

  workload(namespace: string, kind: string, name: string): Workload | undefined {
    return this.workloads.find(
      (w) => w.namespace === namespace && w.kind === kind && w.name === name,
    );
  }

  /** Pod names a user can type: a StatefulSet's `<name>-<ordinal>`. */
  pod(namespace: string, name: string): Workload | undefined {
    return this.workloads.find((w) => {
      if (w.kind !== 'statefulset' || w.namespace !== namespace) return false;
      const replicas = (w.object.spec as { replicas?: number }).replicas ?? 1;
      return Array.from({ length: replicas }, (_, i) => `${w.name}-${i}`).includes(name);
    });
  }

  /** Claims a StatefulSet creates: `<template>-<name>-<ordinal>`. */
  claims(namespace: string): string[] {
    return this.workloads
      .filter((w) => w.kind === 'statefulset' && w.namespace === namespace)
      .flatMap((w) => {
        const spec = w.object.spec as {
          replicas?: number;
          volumeClaimTemplates?: { metadata: { name: string } }[];
        };
        return (spec.volumeClaimTemplates ?? []).flatMap((t) =>
          Array.from({ length: spec.replicas ?? 1 }, (_, i) => `${t.metadata.name}-${w.name}-${i}`),
        );
      });
  }

  hasObject(namespace: string, kind: string, name: string): boolean {
    return this.objects.some(
      (o) => o.kind === kind && o.metadata.name === name && o.metadata.namespace === namespace,
    );
  }

  /** Each Secret the manifests read, with the keys they read from it. */
  secrets(): Map<string, Set<string>> {
    const out = new Map<string, Set<string>>();
    const add = (name: string, key?: string) => {
      const keys = out.get(name) ?? new Set<string>();
      if (key) keys.add(key);
      out.set(name, keys);
    };
    for (const w of this.workloads) {
      const spec = podSpec(w.object) as unknown as {
        containers: RawContainer[];
        volumes?: {
          secret?: { secretName: string };
          projected?: { sources: { secret?: { name: string; items?: { key: string }[] } }[] };
        }[];
      };
      for (const c of spec.containers)
        for (const e of c.env ?? [])
          if (e.valueFrom?.secretKeyRef)
            add(e.valueFrom.secretKeyRef.name, e.valueFrom.secretKeyRef.key);
      for (const v of spec.volumes ?? []) {
        if (v.secret) add(v.secret.secretName);
        for (const s of v.projected?.sources ?? [])
          for (const item of s.secret?.items ?? [{ key: '' }])
            if (s.secret) add(s.secret.name, item.key);
      }
    }
    for (const i of this.objects.filter((o) => o.kind === 'Ingress')) {
      for (const tls of (i.spec as { tls?: { secretName: string }[] }).tls ?? []) {
        add(tls.secretName, 'tls.crt');
        add(tls.secretName, 'tls.key');
      }
      const auth = i.metadata.annotations?.['nginx.ingress.kubernetes.io/auth-secret'];
      if (auth) add(auth, 'auth'); // ingress-nginx reads the htpasswd file from key `auth`
    }
    return out;
  }
}

const helpCache = new Map<string, string>();

/** A binary's context help (`<binary> [sub…] --help`), to check a subcommand or flag exists. */
export function helpText(binary: string, sub: readonly string[] = []): string {
  const key = [binary, ...sub].join(' ');
  if (!helpCache.has(key)) {
    const r = spawnSync(binary, [...sub, '--help'], { encoding: 'utf8' });
    helpCache.set(key, `${r.stdout}${r.stderr}`);
  }
  return helpCache.get(key) as string;
}

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Whether a kingpin help text lists `flag`. Kingpin 2.4+ (Prometheus 3, Alertmanager 0.28+)
 * prints a boolean flag as `--[no-]name`, which takes `--name` and `--no-name`.
 *
 * @example
 * helpHasFlag('      --[no-]web.enable-admin-api  Enable API endpoints', '--web.enable-admin-api'); // true
 */
export function helpHasFlag(help: string, flag: string): boolean {
  const listed = (form: string) =>
    new RegExp(`(^|[\\s,])${escape(form)}([=\\s,]|$)`, 'm').test(help);
  if (!flag.startsWith('--')) return listed(flag);
  const name = flag.slice(2);
  if (listed(flag) || listed(`--[no-]${name}`)) return true;
  return name.startsWith('no-') && listed(`--[no-]${name.slice(3)}`);
}
