// Checks a runbook's `kubectl` command against the rendered stack: the namespace, every
// kind/name it names, the container of `-c`, the ports of a port-forward, the paths an exec'd
// command reads or writes, the fields and flags of a JSON patch, the Secrets and their keys.
import { option } from './runbook-shell.js';
import type { KubeStack, Workload } from './runbook-stack.js';

/** What a runbook's commands set up as they go, for later commands to use. */
export interface RunbookState {
  /** localhost port -> what a port-forward serves there (container name). */
  readonly forwards: Map<number, string>;
  /** Secret name -> keys a `create secret` command gives it. */
  readonly createdSecrets: Map<string, Set<string>>;
}

export interface ExecCheck {
  /** Checks the command run inside the container; returns problems. */
  (program: string, args: readonly string[], container: string): string[];
}

const KINDS: Record<string, string> = {
  statefulset: 'statefulset',
  deployment: 'deployment',
  daemonset: 'daemonset',
  svc: 'Service',
  service: 'Service',
  ingress: 'Ingress',
};

function resource(stack: KubeStack, ns: string, ref: string): string[] {
  const [kind, name] = ref.split('/') as [string, string | undefined];
  if (!name) return [`${ref}: not kind/name`];
  if (kind === 'pod') return stack.pod(ns, name) ? [] : [`no pod ${name} in ${ns}`];
  if (kind === 'pvc') return stack.claims(ns).includes(name) ? [] : [`no claim ${name} in ${ns}`];
  const k = KINDS[kind];
  if (!k) return [`${ref}: kind ${kind} is not checked`];
  const found = k === kind ? stack.workload(ns, kind, name) : stack.hasObject(ns, k, name);
  return found ? [] : [`no ${ref} in ${ns}`];
}

function container(w: Workload | undefined, words: readonly string[]) {
  const name = option(words, '-c') ?? w?.containers[0]?.name;
  return w?.containers.find((c) => c.name === name);
}

/** Absolute paths among `args` must lie under one of the container's mounts. */
function pathProblems(args: readonly string[], mounts: readonly string[], at: string): string[] {
  return args
    .filter((a) => a.startsWith('/'))
    .filter((a) => !mounts.some((m) => a === m || a.startsWith(`${m}/`)))
    .map((a) => `${at}: ${a} is on no volume of the container (${mounts.join(', ')})`);
}

function exec(stack: KubeStack, ns: string, words: readonly string[], check: ExecCheck): string[] {
  const ref = words.find((w) => w.startsWith('pod/')) ?? '';
  const problems = resource(stack, ns, ref);
  const pod = stack.pod(ns, ref.slice(4));
  const c = container(pod, words);
  if (!c) return [...problems, `${ref}: no container ${option(words, '-c')}`];
  const [program, ...args] = words.slice(words.indexOf('--') + 1);
  return [
    ...problems,
    ...pathProblems(args, c.mountPaths, `${ref} ${c.name}`),
    ...check(program ?? '', args, c.name),
  ];
}

function portForward(stack: KubeStack, ns: string, words: readonly string[], state: RunbookState) {
  const ref = words.find((w) => w.startsWith('pod/')) ?? '';
  const [local, remote] = (words[words.indexOf(ref) + 1] ?? '').split(':').map(Number);
  const pod = stack.pod(ns, ref.slice(4));
  const serving = pod?.containers.find((c) => c.ports.includes(remote ?? -1));
  if (!serving) return [...resource(stack, ns, ref), `${ref}: no container port ${remote}`];
  state.forwards.set(local ?? 0, serving.name);
  return [];
}

function patch(
  stack: KubeStack,
  ns: string,
  words: readonly string[],
  flagExists: (program: string, flag: string) => boolean,
) {
  const ref = words.find((w) => /^\w+\//.test(w)) ?? '';
  const w = stack.workload(ns, ref.split('/')[0] ?? '', ref.split('/')[1] ?? '');
  if (!w) return [`no ${ref} in ${ns}`];
  const ops = JSON.parse(option(words, '-p') ?? '[]') as { path: string; value?: unknown }[];
  return ops.flatMap((op) => {
    const m = /^\/spec\/template\/spec\/containers\/(\d+)\/args\/-$/.exec(op.path);
    const c = m ? w.containers[Number(m[1])] : undefined;
    if (!c) return [`${ref}: patch path ${op.path} is no container's args`];
    const flag = String(op.value).split('=')[0] as string;
    if (c.args.some((a) => a.split('=')[0] === flag))
      return [`${ref}: ${c.name} already has ${flag}`];
    return flagExists(c.name, flag) ? [] : [`${ref}: ${c.name} has no flag ${flag}`];
  });
}

function createSecret(stack: KubeStack, words: readonly string[], state: RunbookState): string[] {
  const [type, name] = words.slice(words.indexOf('secret') + 1) as [string, string];
  if (!stack.secrets().has(name)) return [`secret ${name}: no manifest reads it`];
  const keys =
    type === 'tls'
      ? ['tls.crt', 'tls.key']
      : words
          .filter((w) => /^--from-(literal|file)=/.test(w))
          .map((w) => (w.split('=')[1] ?? '').replace(/.*\//, ''));
  state.createdSecrets.set(name, new Set(keys));
  return [];
}

function getSecret(stack: KubeStack, words: readonly string[]): string[] {
  const name = words[words.indexOf('secret') + 1] ?? '';
  const keys = stack.secrets().get(name);
  if (!keys) return [`secret ${name}: no manifest reads it`];
  const key = /\{\.data\.([\w.-]+)\}/.exec(option(words, '-o') ?? '')?.[1];
  return key && !keys.has(key) ? [`secret ${name}: no manifest reads key ${key}`] : [];
}

/**
 * Problems with one `kubectl` command of a runbook; `state` collects port-forwards and
 * created Secrets for the commands after it.
 */
export function checkKubectl(
  words: readonly string[],
  stack: KubeStack,
  state: RunbookState,
  tools: { exec: ExecCheck; flagExists: (program: string, flag: string) => boolean },
): string[] {
  const ns = option(words, '-n');
  if (!ns || !stack.namespaces().includes(ns))
    return [`namespace ${ns ?? '(none)'} is not rendered`];
  const verb = words.slice(3)[0];
  const rest = words.slice(4);
  switch (verb) {
    case 'exec':
      return exec(stack, ns, rest, tools.exec);
    case 'port-forward':
      return portForward(stack, ns, rest, state);
    case 'patch':
      return patch(stack, ns, rest, tools.flagExists);
    case 'create':
      return rest[0] === 'secret'
        ? createSecret(stack, rest, state)
        : [`create ${rest[0]}: not checked`];
    case 'get':
      if (rest[0] === 'secret') return getSecret(stack, rest);
      return rest.flatMap((r) => (r.includes('/') ? resource(stack, ns, r) : []));
    case 'delete':
    case 'rollout':
      return rest.filter((r) => r.includes('/')).flatMap((r) => resource(stack, ns, r));
    default:
      return [`kubectl ${verb}: not checked`];
  }
}
