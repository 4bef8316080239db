// What a runbook refers to in the deployed stack: Prometheus job names in its queries, and per
// kubectl command its namespace, label selectors, `kind/name` objects, StatefulSet pods and
// claims and containers; and the docker compose services it names. The runbook test checks each
// against the rendered manifests, in the namespace the command runs in.

export interface KubectlRef {
  /** The command line, for messages. */
  readonly line: string;
  /** `-n monitoring`; undefined when the command names none or a placeholder. */
  readonly namespace?: string;
  /** `-l key=value` selectors, one entry per key=value pair. */
  readonly selectors: [string, string][];
  /** `statefulset/prometheus`, `svc/alertmanager`: [kind as written, name]. */
  readonly objects: [string, string][];
  /** `-c prometheus` of kubectl logs/exec. */
  readonly containers: string[];
  /** Bare names that look like StatefulSet pods or their claims: `alertmanager-2`, `data-prometheus-0`. */
  readonly ordinals: string[];
}

export interface RunbookRefs {
  /** `job="x"` and `job=~"a|b"` matchers: [operator, value]. */
  readonly jobs: [string, string][];
  readonly kubectl: KubectlRef[];
  /** The services named by `docker compose ... <verb> <service...>`. */
  readonly composeServices: string[];
}

/** `<namespace>`, `<service>`: a value the reader fills in. */
export const isPlaceholder = (value: string): boolean => /^<[^>]+>$/.test(value);

const COMPOSE_VERBS = 'restart|logs|ps|exec|stop|start|up|kill';

function composeServices(text: string): string[] {
  const names: string[] = [];
  const re = new RegExp(
    `docker compose(?: -f \\S+)? (?:${COMPOSE_VERBS})((?: [a-z][\\w-]*)*)`,
    'g',
  );
  for (const m of text.matchAll(re)) names.push(...(m[1] ?? '').split(' ').filter(Boolean));
  return names;
}

function kubectlRef(line: string): KubectlRef {
  const namespace = / -n (\S+)/.exec(line)?.[1];
  return {
    line,
    ...(namespace && !isPlaceholder(namespace) ? { namespace } : {}),
    selectors: [...line.matchAll(/(?:-l|--selector)[ =](\S+)/g)].flatMap((m) =>
      (m[1] as string).split(',').map((pair) => pair.split('=') as [string, string]),
    ),
    objects: [
      ...line.matchAll(/\b(statefulset|deployment|daemonset|svc|service|pod|pvc)\/([\w<>-]+)/g),
    ].map((m) => [m[1], m[2]] as [string, string]),
    containers: [...line.matchAll(/ -c ([\w-]+)/g)].map((m) => m[1] as string),
    ordinals: [...line.matchAll(/(?<![\w/.-])((?:data-)?[a-z][a-z-]*-\d+)\b/g)].map(
      (m) => m[1] as string,
    ),
  };
}

/**
 * The references of one runbook's text (code blocks and inline code alike).
 *
 * @example
 * runbookRefs('`kubectl -n monitoring get pods -l app.kubernetes.io/name=prometheus`').kubectl[0]?.selectors;
 * // [['app.kubernetes.io/name', 'prometheus']]
 */
export function runbookRefs(text: string): RunbookRefs {
  return {
    jobs: [...text.matchAll(/\bjob\s*(=~|!~|!=|=)\s*"([^"]*)"/g)].map(
      (m) => [m[1], m[2]] as [string, string],
    ),
    kubectl: [...text.matchAll(/kubectl[^`\n]*/g)].map((m) => kubectlRef(m[0])),
    composeServices: composeServices(text),
  };
}
