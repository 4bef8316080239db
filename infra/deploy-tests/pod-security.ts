// The Pod Security Standards' `restricted` profile (https://kubernetes.io/docs/concepts/security/pod-security-standards/)
// as a check over a rendered pod template, so a workload that would be refused by the
// namespace's admission fails a test first, with the rule it breaks.
import type { KubeObject } from './kube.js';

interface SecurityContext {
  privileged?: boolean;
  allowPrivilegeEscalation?: boolean;
  runAsNonRoot?: boolean;
  runAsUser?: number;
  seccompProfile?: { type?: string };
  capabilities?: { add?: string[]; drop?: string[] };
}

interface Container {
  name: string;
  securityContext?: SecurityContext;
  ports?: { hostPort?: number }[];
}

export interface PodSpec {
  hostNetwork?: boolean;
  hostPID?: boolean;
  hostIPC?: boolean;
  securityContext?: SecurityContext;
  containers: Container[];
  initContainers?: Container[];
  volumes?: Record<string, unknown>[];
}

/** The pod template of a Deployment, StatefulSet or DaemonSet. */
export function podSpec(o: KubeObject): PodSpec {
  return (o.spec as { template: { spec: PodSpec } }).template.spec;
}

const RESTRICTED_VOLUMES = new Set([
  'configMap',
  'csi',
  'downwardAPI',
  'emptyDir',
  'ephemeral',
  'persistentVolumeClaim',
  'projected',
  'secret',
]);
const SECCOMP_OK = new Set(['RuntimeDefault', 'Localhost']);

function containerViolations(c: Container, pod: SecurityContext): string[] {
  const sc = c.securityContext ?? {};
  const at = `container ${c.name}`;
  const out: string[] = [];
  if (sc.privileged) out.push(`${at}: privileged`);
  if (sc.allowPrivilegeEscalation !== false) out.push(`${at}: allowPrivilegeEscalation not false`);
  if (!(sc.runAsNonRoot ?? pod.runAsNonRoot)) out.push(`${at}: runAsNonRoot not true`);
  if ((sc.runAsUser ?? pod.runAsUser) === 0) out.push(`${at}: runAsUser 0`);
  const seccomp = sc.seccompProfile?.type ?? pod.seccompProfile?.type;
  if (!seccomp || !SECCOMP_OK.has(seccomp)) out.push(`${at}: seccompProfile ${seccomp ?? 'unset'}`);
  if (!sc.capabilities?.drop?.includes('ALL')) out.push(`${at}: capabilities not dropped (ALL)`);
  for (const cap of sc.capabilities?.add ?? [])
    if (cap !== 'NET_BIND_SERVICE') out.push(`${at}: adds capability ${cap}`);
  for (const port of c.ports ?? []) if (port.hostPort) out.push(`${at}: hostPort ${port.hostPort}`);
  return out;
}

/**
 * What in a pod spec the `restricted` level refuses; empty when it would be admitted.
 *
 * @example
 * restrictedViolations(podSpec(find(objects, 'StatefulSet', 'prometheus'))); // []
 */
export function restrictedViolations(spec: PodSpec): string[] {
  const out: string[] = [];
  for (const host of ['hostNetwork', 'hostPID', 'hostIPC'] as const)
    if (spec[host]) out.push(`pod: ${host}`);
  for (const volume of spec.volumes ?? []) {
    const type = Object.keys(volume).find((k) => k !== 'name') ?? '?';
    if (!RESTRICTED_VOLUMES.has(type)) out.push(`volume ${String(volume.name)}: ${type}`);
  }
  const pod = spec.securityContext ?? {};
  for (const c of [...spec.containers, ...(spec.initContainers ?? [])])
    out.push(...containerViolations(c, pod));
  return out;
}
