// Checks a runbook's `kubectl` command against the rendered stack: the namespace, every
// kind/name it names, the pods and claims of a StatefulSet, `-l` selectors, the container of `-c`,
// the ports of a port-forward, the paths an exec'd command reads or writes, the fields and flags
// of a patch, the Secrets and their keys. A `<placeholder>` namespace (the reader's own service)
// is checked for what it can be: known verbs and kinds, selector keys some object carries.
import { option } from './runbook-shell.js';
import { isPlaceholder, type KubeStack, type Workload } from './runbook-stack.js';

/** What a runbook's commands set up as they go, for later commands to use. */
export interface RunbookState {
  /** localhost port -> what a port-forward serves there (container or Service name). */
  readonly forwards: Map<number, string>;
  /** Secret name -> keys a `create secret` command gives it. */
  readonly createdSecrets: Map<string, Set<string>>;
}

export interface ExecCheck {
  /** Checks the command run inside the container; returns problems. */
  (program: string, args: readonly string[], container: string): string[];
}

export interface KubectlTools {
  readonly exec: ExecCheck;
  readonly flagExists: (program: string, flag: string) => boolean;
}

/** Kinds as typed -> the rendered object's kind; pods and claims are a StatefulSet's ordinals. */
const KINDS: Record<string, string> = {
  statefulset: 'StatefulSet',
  deployment: 'Deployment',
  daemonset: 'DaemonSet',
  svc: 'Service',
  service: 'Service',
  endpoints: 'Service', // a Service's Endpoints object has its name
  ingress: 'Ingress',
  configmap: 'ConfigMap',
  pod: 'Pod',
  pvc: 'PersistentVolumeClaim',
};
const CLUSTER_KINDS = new Set(['node', 'pv', 'namespace']);
/** Flags followed by a value (not a positional argument). */
const VALUE_FLAGS = new Set(['-n', '-l', '--selector', '-c', '-o', '-p', '--type', '-f']);

/** `pods` -> `pod`, `statefulsets` -> `statefulset`; `endpoints`, `ingress`, `svc` as they are. */
const kindOf = (typed: string): string =>
  KINDS[typed] || CLUSTER_KINDS.has(typed) ? typed : typed.replace(/s$/, '');

/** Positional arguments of a kubectl command (verb first), up to `--`. */
function positionals(words: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 1; i < words.length && words[i] !== '--'; i++) {
    const w = words[i] as string;
    if (VALUE_FLAGS.has(w)) i += 1;
    else if (!w.startsWith('-')) out.push(w);
  }
  return out;
}

/** `kind/name` or kind + name in `ns`: a pod or claim of a StatefulSet, or a rendered object. */
function named(stack: KubeStack, ns: string, typed: string, name: string): string[] {
  const kind = kindOf(typed);
  if (!KINDS[kind]) return [`${typed}/${name}: kind ${typed} is not checked`];
  if (isPlaceholder(name) || isPlaceholder(ns)) return [];
  if (kind === 'pod') return stack.pod(ns, name) ? [] : [`no pod ${name} in ${ns}`];
  if (kind === 'pvc') return stack.claims(ns).includes(name) ? [] : [`no claim ${name} in ${ns}`];
  return stack.hasObject(ns, KINDS[kind] as string, name) ? [] : [`no ${typed}/${name} in ${ns}`];
}

/** The resources of get/describe/delete/rollout: `a/x b/y`, `kind x y`, or bare `kind,kind`. */
function resources(stack: KubeStack, ns: string, args: readonly string[]): string[] {
  if (args.some((a) => a.includes('/')))
    return args.flatMap((a) => named(stack, ns, ...(a.split('/') as [string, string])));
  const [kinds = '', ...names] = args;
  if (names.length > 0) return names.flatMap((n) => named(stack, ns, kinds, n));
  return kinds
    .split(',')
    .filter((k) => !KINDS[kindOf(k)] && !CLUSTER_KINDS.has(kindOf(k)))
    .map((k) => `kind ${k} is not checked`);
}

/** The workload a logs/exec target runs in: `pod/x`, a bare pod `x`, or `statefulset/x`. */
function target(stack: KubeStack, ns: string, ref: string): Workload | undefined {
  const [kind, name] = ref.includes('/') ? (ref.split('/') as [string, string]) : ['pod', ref];
  if (kind === 'pod') return stack.pod(ns, name);
  return stack.workload(ns, kind, name);
}

/** The container `-c` names (the first one without -c) in the target of logs or exec. */
function container(stack: KubeStack, ns: string, words: readonly string[], ref: string) {
  const w = target(stack, ns, ref);
  if (!w) return { problems: [`no ${ref} in ${ns}`] };
  const name = option(words, '-c') ?? w.containers[0]?.name;
  const found = w.containers.find((c) => c.name === name);
  return found ? { found, problems: [] } : { problems: [`${ref}: no container ${name}`] };
}

/** Absolute paths among `args` must lie under one of the container's mounts. */
function pathProblems(args: readonly string[], mounts: readonly string[], at: string): string[] {
  return args
    .filter((a) => a.startsWith('/'))
    .filter((a) => !mounts.some((m) => a === m || a.startsWith(`${m}/`)))
    .map((a) => `${at}: ${a} is on no volume of the container (${mounts.join(', ')})`);
}

function exec(
  stack: KubeStack,
  ns: string,
  words: readonly string[],
  ref: string,
  check: ExecCheck,
): string[] {
  const { found, problems } = container(stack, ns, words, ref);
  if (!found) return problems;
  const [program, ...args] = words.slice(words.indexOf('--') + 1);
  return [
    ...pathProblems(args, found.mountPaths, `${ref} ${found.name}`),
    ...check(program ?? '', args, found.name),
  ];
}

function portForward(
  stack: KubeStack,
  ns: string,
  ref: string,
  ports: string,
  state: RunbookState,
) {
  const [local, remote = local] = ports.split(':').map(Number) as [number, number?];
  const [kind, name = ''] = ref.split('/');
  if (kind === 'svc' || kind === 'service') {
    const served = stack.servicePorts(ns, name);
    if (!served) return [`no ${ref} in ${ns}`];
    if (!served.includes(remote)) return [`${ref}: no Service port ${remote}`];
    state.forwards.set(local, name);
    return [];
  }
  const serving = stack.pod(ns, name)?.containers.find((c) => c.ports.includes(remote));
  if (!serving)
    return [...named(stack, ns, kind ?? '', name), `${ref}: no container port ${remote}`];
  state.forwards.set(local, serving.name);
  return [];
}

/** A JSON patch appending a flag to a container's args: the flag exists and is not set yet. */
function argsPatch(w: Workload, ref: string, patchText: string, tools: KubectlTools): string[] {
  const ops = JSON.parse(patchText) as { path: string; value?: unknown }[];
  return ops.flatMap((op) => {
    const m = /^\/spec\/template\/spec\/containers\/(\d+)\/args\/-$/.exec(op.path);
    const c = m ? w.containers[Number(m[1])] : undefined;
    if (!c) return [`${ref}: patch path ${op.path} is no container's args`];
    const flag = String(op.value).split('=')[0] as string;
    if (c.args.some((a) => a.split('=')[0] === flag))
      return [`${ref}: ${c.name} already has ${flag}`];
    return tools.flagExists(c.name, flag) ? [] : [`${ref}: ${c.name} has no flag ${flag}`];
  });
}

function patch(
  stack: KubeStack,
  ns: string,
  words: readonly string[],
  args: readonly string[],
  tools: KubectlTools,
) {
  const [kind = '', name = ''] = args[0]?.includes('/')
    ? (args[0].split('/') as [string, string])
    : args;
  const text = option(words, '-p') ?? '';
  if (option(words, '--type') === 'json') {
    const w = stack.workload(ns, kind, name);
    return w ? argsPatch(w, `${kind}/${name}`, text, tools) : [`no ${kind}/${name} in ${ns}`];
  }
  // A merge patch of an object's fields, such as a claim's storage request.
  try {
    JSON.parse(text);
  } catch {
    return [`${kind}/${name}: -p is not JSON: ${text}`];
  }
  return named(stack, ns, kind, name);
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

function getSecret(stack: KubeStack, name: string, words: readonly string[]): string[] {
  const keys = stack.secrets().get(name);
  if (!keys) return [`secret ${name}: no manifest reads it`];
  const key = /\{\.data\.([\w.-]+)\}/.exec(option(words, '-o') ?? '')?.[1];
  return key && !keys.has(key) ? [`secret ${name}: no manifest reads key ${key}`] : [];
}

/** `-l k=v,…`: some object or pod template in the namespace carries those labels. */
function selector(stack: KubeStack, ns: string, words: readonly string[]): string[] {
  const text = option(words, '-l') ?? option(words, '--selector');
  if (text === undefined) return [];
  const pairs = text.split(',').map((p) => p.split('=') as [string, string]);
  return stack.selects(ns, pairs) ? [] : [`-l ${text} selects nothing in ${ns}`];
}

/** The namespace rule: rendered, or a placeholder; none only for cluster-scoped kinds. */
function namespaceProblem(stack: KubeStack, ns: string | undefined, args: string[]) {
  if (ns === undefined)
    return args[0] === 'get' && CLUSTER_KINDS.has(kindOf(args[1] ?? ''))
      ? undefined
      : 'names no namespace (-n)';
  if (isPlaceholder(ns) || stack.namespaces().includes(ns)) return undefined;
  return `namespace ${ns} is not rendered`;
}

/**
 * Problems with one `kubectl` command of a runbook; `state` collects port-forwards and
 * created Secrets for the commands after it.
 */
export function checkKubectl(
  words: readonly string[],
  stack: KubeStack,
  state: RunbookState,
  tools: KubectlTools,
): string[] {
  const ns = option(words, '-n');
  const [verb = '', ...args] = positionals(words);
  const wrong = namespaceProblem(stack, ns, [verb, ...args]);
  if (wrong) return [wrong];
  const at = ns ?? '';
  switch (verb) {
    case 'get':
    case 'describe':
      if (args[0] === 'secret') return getSecret(stack, args[1] ?? '', words);
      return [...resources(stack, at, args), ...selector(stack, at, words)];
    case 'logs':
    case 'exec':
      if (isPlaceholder(at)) return [];
      return verb === 'logs'
        ? container(stack, at, words, args[0] ?? '').problems
        : exec(stack, at, words, args[0] ?? '', tools.exec);
    case 'port-forward':
      return portForward(stack, at, args[0] ?? '', args[1] ?? '', state);
    case 'patch':
      return patch(stack, at, words, args, tools);
    case 'create':
      return args[0] === 'secret'
        ? createSecret(stack, words, state)
        : [`create ${args[0]}: not checked`];
    case 'apply':
      return option(words, '-f') === '-' ? [] : ['apply: only `-f -` (a piped object) is checked'];
    case 'delete':
    case 'scale':
      return resources(stack, at, args);
    case 'rollout':
      return ['status', 'restart', 'undo'].includes(args[0] ?? '')
        ? resources(stack, at, args.slice(1))
        : [`rollout ${args[0]}: not checked`];
    case 'top':
      return ['pods', 'pod', 'nodes', 'node'].includes(args[0] ?? '')
        ? []
        : [`top ${args[0]}: not checked`];
    default:
      return [`kubectl ${verb}: not checked`];
  }
}
