// Renders the kustomizations with the real kubectl and validates objects against the Kubernetes
// (and Prometheus Operator) schemas of kubernetes-models.
import { spawnSync } from 'node:child_process';
import { isAbsolute, join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { K8S } from './paths.js';

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  spec?: Record<string, unknown>;
  data?: Record<string, string>;
  [key: string]: unknown;
}

/** `kubectl kustomize --load-restrictor LoadRestrictionsNone infra/k8s/<dir>` (or an absolute dir), parsed. */
export function kustomize(kubectl: string, dir: string): KubeObject[] {
  const result = spawnSync(
    kubectl,
    [
      'kustomize',
      '--load-restrictor',
      'LoadRestrictionsNone',
      isAbsolute(dir) ? dir : join(K8S, dir),
    ],
    { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
  );
  if (result.status !== 0) {
    throw new Error(`kubectl kustomize ${dir} failed:\n${result.stderr}`);
  }
  return parseYamlObjects(result.stdout);
}

export function parseYamlObjects(text: string): KubeObject[] {
  return parseAllDocuments(text)
    .map((doc) => doc.toJS() as KubeObject | null)
    .filter((obj): obj is KubeObject => obj !== null);
}

type ModelClass = new (data: unknown) => { validate(): void };

/** The kubernetes-models module path of an apiVersion/kind. */
function modelPath(apiVersion: string, kind: string): string {
  if (apiVersion.startsWith('monitoring.coreos.com/')) {
    return `@kubernetes-models/prometheus-operator/${apiVersion}/${kind}`;
  }
  return `kubernetes-models/${apiVersion}/${kind}`;
}

/** Throws with the schema errors when `obj` does not validate; unknown kinds throw too. */
export async function validateObject(obj: KubeObject): Promise<void> {
  const path = modelPath(obj.apiVersion, obj.kind);
  let Model: ModelClass | undefined;
  try {
    const mod = (await import(path)) as Record<string, ModelClass>;
    Model = mod[obj.kind];
  } catch {
    Model = undefined;
  }
  if (!Model) throw new Error(`no schema for ${obj.apiVersion} ${obj.kind}`);
  new Model(obj).validate();
}

export function find(objects: KubeObject[], kind: string, name: string): KubeObject {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name}`);
  return found;
}

/** A ConfigMap by its generator name (kustomize appends a content hash). */
export function configMap(objects: KubeObject[], name: string): KubeObject {
  const found = objects.find(
    (o) => o.kind === 'ConfigMap' && new RegExp(`^${name}-[a-z0-9]{10}$`).test(o.metadata.name),
  );
  if (!found) throw new Error(`no ConfigMap generated as ${name}`);
  return found;
}

/** The grafana Deployment's GF_SERVER_ROOT_URL: where people reach Grafana in this overlay. */
export function grafanaRootUrl(objects: KubeObject[]): string {
  const grafana = find(objects, 'Deployment', 'grafana').spec as {
    template: { spec: { containers: { env?: { name: string; value?: string }[] }[] } };
  };
  const env = grafana.template.spec.containers[0]?.env ?? [];
  return env.find((e) => e.name === 'GF_SERVER_ROOT_URL')?.value ?? '';
}
