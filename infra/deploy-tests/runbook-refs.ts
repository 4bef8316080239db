// What a runbook refers to in the deployed stack: Prometheus job names in its queries, kubectl
// label selectors, `kind/name` objects, StatefulSet pods and claims, containers, and docker
// compose services. The runbook test checks each against the rendered manifests.

export interface RunbookRefs {
  /** `job="x"` and `job=~"a|b"` matchers: [operator, value]. */
  readonly jobs: [string, string][];
  /** `-l key=value` selectors of kubectl commands, one entry per key=value pair. */
  readonly selectors: [string, string][];
  /** `statefulset/prometheus`, `svc/alertmanager`: [kind as written, name]. */
  readonly objects: [string, string][];
  /** `-c prometheus` of kubectl logs/exec. */
  readonly containers: string[];
  /** `-n monitoring` of kubectl commands (placeholders excluded). */
  readonly namespaces: string[];
  /** Bare names that look like StatefulSet pods or their claims: `alertmanager-2`, `data-prometheus-0`. */
  readonly ordinals: string[];
  /** The services named by `docker compose ... <verb> <service...>`. */
  readonly composeServices: string[];
}

/** `<namespace>`, `<service>`: a value the reader fills in. */
export const isPlaceholder = (value: string): boolean => /^<[^>]+>$/.test(value);

const COMPOSE_VERBS = 'restart|logs|ps|exec|stop|start|up|kill';

/** Every kubectl command line of the text (in code blocks and inline code). */
function kubectlLines(text: string): string[] {
  return [...text.matchAll(/kubectl[^`\n]*/g)].map((m) => m[0]);
}

function composeServices(text: string): string[] {
  const names: string[] = [];
  const re = new RegExp(
    `docker compose(?: -f \\S+)? (?:${COMPOSE_VERBS})((?: [a-z][\\w-]*)*)`,
    'g',
  );
  for (const m of text.matchAll(re)) {
    names.push(...(m[1] ?? '').split(' ').filter(Boolean));
  }
  return names;
}

/**
 * The references of one runbook's text.
 *
 * @example
 * runbookRefs('`kubectl -n monitoring get pods -l app.kubernetes.io/name=prometheus`').selectors;
 * // [['app.kubernetes.io/name', 'prometheus']]
 */
export function runbookRefs(text: string): RunbookRefs {
  const lines = kubectlLines(text);
  const selectors = lines.flatMap((line) =>
    [...line.matchAll(/(?:-l|--selector)[ =](\S+)/g)].flatMap((m) =>
      (m[1] as string).split(',').map((pair) => pair.split('=') as [string, string]),
    ),
  );
  return {
    jobs: [...text.matchAll(/\bjob\s*(=~|!~|!=|=)\s*"([^"]*)"/g)].map(
      (m) => [m[1], m[2]] as [string, string],
    ),
    selectors,
    objects: lines.flatMap((line) =>
      [...line.matchAll(/\b(statefulset|deployment|daemonset|svc|service|pod)\/([\w<>-]+)/g)].map(
        (m) => [m[1], m[2]] as [string, string],
      ),
    ),
    containers: lines.flatMap((line) =>
      [...line.matchAll(/ -c ([\w-]+)/g)].map((m) => m[1] as string),
    ),
    namespaces: lines
      .flatMap((line) => [...line.matchAll(/ -n (\S+)/g)].map((m) => m[1] as string))
      .filter((ns) => !isPlaceholder(ns)),
    ordinals: lines.flatMap((line) =>
      [...line.matchAll(/(?<![\w/-])((?:data-)?[a-z][a-z-]*-\d+)\b/g)].map((m) => m[1] as string),
    ),
    composeServices: composeServices(text),
  };
}
