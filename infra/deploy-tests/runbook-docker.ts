// Checks a runbook's `docker` command against the compose file: `docker compose -f <the file>`
// with services it has, `docker run` with its named volumes mounted where compose mounts them and
// a pinned image, and the few host-wide commands that name nothing of the stack.
import { parse } from 'yaml';
import { COMPOSE_FILE, REPO, read } from './paths.js';
import { option } from './runbook-shell.js';

interface ComposeService {
  image?: string;
  ports?: string[];
  volumes?: string[];
}
export interface ComposeStack {
  /** The compose file, relative to the repo root as the runbook names it. */
  readonly file: string;
  readonly name: string;
  readonly services: Record<string, ComposeService>;
}

const PINNED = /^[\w./-]+:v?\d+(\.\d+){1,2}$/;
/** docker compose verbs whose arguments are service names. */
const COMPOSE_VERBS = new Set(['stop', 'start', 'restart', 'kill', 'logs', 'ps', 'up']);
/** Host-wide docker commands: they name no service, volume or image of the stack. */
const HOST_WIDE = new Set(['system df', 'image prune', 'stats']);

/** infra/compose/docker-compose.monitoring.yml, parsed with its YAML merge keys. */
export function composeStack(): ComposeStack {
  const doc = parse(read(COMPOSE_FILE), { merge: true }) as {
    name: string;
    services: ComposeStack['services'];
  };
  return { file: COMPOSE_FILE.slice(REPO.length), name: doc.name, services: doc.services };
}

/** Where a compose volume is mounted: `{volume -> target}` over every service. */
function volumeTargets(compose: ComposeStack): Map<string, string> {
  const out = new Map<string, string>();
  for (const svc of Object.values(compose.services)) {
    for (const v of svc.volumes ?? []) {
      const [source, target] = v.split(':');
      if (source && target && /^[a-z][\w-]*$/.test(source))
        out.set(`${compose.name}_${source}`, target);
    }
  }
  return out;
}

function dockerCompose(words: readonly string[], compose: ComposeStack): string[] {
  if (option(words, '-f') !== compose.file) return [`docker compose -f must be ${compose.file}`];
  const rest = words.slice(4).filter((w, i, all) => !w.startsWith('-') && all[i - 1] !== '-s');
  const [verb, ...names] = rest;
  if (!COMPOSE_VERBS.has(verb ?? '')) return [`docker compose ${verb}: not checked`];
  return names.filter((n) => !compose.services[n]).map((n) => `compose has no service ${n}`);
}

function dockerRun(words: readonly string[], compose: ComposeStack): string[] {
  const targets = volumeTargets(compose);
  const problems: string[] = [];
  const mounts: string[] = [];
  words.forEach((w, i) => {
    if (words[i - 1] !== '-v') return;
    const [source, target] = w.split(':') as [string, string];
    mounts.push(target);
    if (source === '$PWD') return;
    if (targets.get(source) !== target)
      problems.push(`volume ${source} is not mounted at ${target} in compose`);
  });
  const image = words.find(
    (w, i) => i > 1 && !w.startsWith('-') && words[i - 1] !== '-v' && w.includes(':'),
  );
  if (!image || !PINNED.test(image)) problems.push(`docker run: image ${image} not pinned`);
  const args = words.slice(words.indexOf(image ?? '') + 1).filter((a) => a.startsWith('/'));
  for (const a of args)
    if (!mounts.some((m) => a === m || a.startsWith(`${m}/`)))
      problems.push(`${a} is on no -v mount`);
  return problems;
}

/**
 * Problems with one `docker` command of a runbook.
 *
 * @example
 * checkDocker(['docker', 'compose', '-f', 'infra/compose/docker-compose.monitoring.yml', 'stop', 'thanos'], composeStack());
 * // ['compose has no service thanos']
 */
export function checkDocker(words: readonly string[], compose: ComposeStack): string[] {
  if (words[1] === 'compose') return dockerCompose(words, compose);
  if (words[1] === 'run') return dockerRun(words, compose);
  const sub = words.slice(1).filter((w) => !w.startsWith('-'));
  if (HOST_WIDE.has(sub.join(' ')) || HOST_WIDE.has(sub[0] ?? '')) return [];
  return [`docker ${sub.join(' ')}: not checked`];
}
