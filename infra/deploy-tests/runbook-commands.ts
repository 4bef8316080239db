// Checks every command of a runbook against the stack it operates: kubectl (runbook-kubectl.ts),
// docker compose and docker run against the compose file, amtool and Prometheus flags against
// the binaries, curl against the ports forwarded before, the repo's scripts against their usage.
// A command of a form no check knows fails, so a new command cannot slip in unchecked.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { checkKubectl, type RunbookState } from './runbook-kubectl.js';
import { option, pipeline, shellLines } from './runbook-shell.js';
import { helpHasFlag, helpText, type KubeStack } from './runbook-stack.js';
import { REPO, read } from './paths.js';

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

export interface Binaries {
  readonly prometheus: string;
  readonly amtool: string;
}

const PINNED = /^[\w./-]+:v?\d+(\.\d+){1,2}$/;
/** Programs run inside a container or locally that take no stack names worth checking. */
const PLAIN = new Set(['tar', 'rm', 'base64']);

/** `amtool <sub…> [flags]`: the subcommand exists and every flag is one it takes. */
function amtool(binary: string, args: readonly string[]): string[] {
  const sub = args.filter((a) => !a.startsWith('-') && /^[a-z]+$/.test(a)).slice(0, 2);
  const help = helpText(binary, sub);
  if (!help.startsWith(`usage: amtool ${sub.join(' ')}`))
    return [`amtool ${sub.join(' ')}: no such command`];
  return args
    .filter((a) => a.startsWith('-'))
    .map((a) => a.split('=')[0] as string)
    .filter((f) => !helpHasFlag(help, f))
    .map((f) => `amtool ${sub.join(' ')}: no flag ${f}`);
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

function docker(words: readonly string[], compose: ComposeStack): string[] {
  if (words[1] === 'compose') {
    if (option(words, '-f') !== compose.file) return [`docker compose -f must be ${compose.file}`];
    const rest = words.slice(4).filter((w, i, all) => !w.startsWith('-') && all[i - 1] !== '-s');
    const [verb, ...names] = rest;
    if (!['stop', 'start', 'restart', 'kill'].includes(verb ?? ''))
      return [`docker compose ${verb}: not checked`];
    return names.filter((n) => !compose.services[n]).map((n) => `compose has no service ${n}`);
  }
  if (words[1] !== 'run') return [`docker ${words[1]}: not checked`];
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

/** `curl http://localhost:<port>/…`: a port published by compose or forwarded before. */
function curl(words: readonly string[], compose: ComposeStack, state: RunbookState): string[] {
  const url = words.find((w) => w.startsWith('http://')) ?? '';
  const port = Number(/^http:\/\/localhost:(\d+)(\/|$)/.exec(url)?.[1]);
  const published = Object.values(compose.services).some((s) =>
    (s.ports ?? []).includes(`127.0.0.1:${port}:${port}`),
  );
  return state.forwards.has(port) || published
    ? []
    : [`${url}: nothing forwards or publishes ${port}`];
}

/** A repo script: it exists, and every argument is one its usage names. */
function script(words: readonly string[]): string[] {
  const path = join(REPO, words[0] as string);
  if (!existsSync(path)) return [`${words[0]}: no such script`];
  const text = read(path);
  return words
    .slice(1)
    .filter((w) => !w.startsWith('http://') && !/^\d+$/.test(w) && w !== 'none')
    .filter(
      (w) => !text.includes(w.startsWith('-') ? `${w})` : ` ${w} `) && !text.includes(`${w} |`),
    )
    .map((w) => `${words[0]}: takes no ${w}`);
}

/**
 * Every problem of the runbook's commands, in order, each prefixed with its line.
 *
 * @example
 * checkRunbook(read('infra/runbooks/disaster-recovery.md'), kube, compose, binaries); // []
 */
export function checkRunbook(
  markdown: string,
  kube: KubeStack,
  compose: ComposeStack,
  binaries: Binaries,
  state: RunbookState = { forwards: new Map(), createdSecrets: new Map() },
): string[] {
  const exec = (program: string, args: readonly string[]) =>
    program === 'amtool'
      ? amtool(binaries.amtool, args)
      : PLAIN.has(program)
        ? []
        : [`${program}: not checked`];
  const flagExists = (program: string, flag: string) =>
    program === 'prometheus' && helpHasFlag(helpText(binaries.prometheus), flag);
  const grafanaDb = (
    kube.workloads.find((w) => w.name === 'grafana')?.object.spec as {
      template: { spec: { containers: { env?: { name: string; value?: string }[] }[] } };
    }
  ).template.spec.containers[0]?.env?.find((e) => e.name === 'GF_DATABASE_NAME')?.value;
  const check = (words: readonly string[]): string[] => {
    const program = words[0] ?? '';
    if (/^[A-Z_]+=\S+$/.test(program) && words.length === 1) return [];
    if (program === 'kubectl') return checkKubectl(words, kube, state, { exec, flagExists });
    if (program === 'docker') return docker(words, compose);
    if (program === 'curl') return curl(words, compose, state);
    if (program === 'amtool')
      return [
        ...amtool(binaries.amtool, words.slice(1)),
        ...curl(
          words.map((w) => w.replace('--alertmanager.url=', '')),
          compose,
          state,
        ),
      ];
    if (program.startsWith('infra/scripts/')) return script(words);
    if (program === 'pg_dump' || program === 'pg_restore')
      return option(words, '-d') === grafanaDb
        ? []
        : [`${program}: database is ${grafanaDb}, not ${option(words, '-d')}`];
    return PLAIN.has(program) ? [] : [`${program}: not checked`];
  };
  return shellLines(markdown).flatMap((line) =>
    pipeline(line).flatMap((c) => check(c.words).map((p) => `${line}\n  -> ${p}`)),
  );
}
