// The one check of a runbook (every file in infra/runbooks): each command, in a ```sh block or in
// inline code, against the stack it operates — kubectl (runbook-kubectl.ts) against the rendered
// overlays, docker against the compose file (runbook-docker.ts), amtool, promtool and Prometheus
// flags against the binaries, curl against the ports forwarded or published before, the repo's
// scripts and files against the repo — and each `job` its queries name against the scrape
// configs (runbook-jobs.ts). A command of a form no check knows fails, and so does a command
// written in prose, where no check would see it.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { kustomize, type KubeObject } from './kube.js';
import { INFRA, REPO, read } from './paths.js';
import { podSpec } from './pod-security.js';
import { checkDocker, composeStack, type ComposeStack } from './runbook-docker.js';
import { jobProblems, prometheusJobs, type PrometheusJobs } from './runbook-jobs.js';
import { checkKubectl, type RunbookState } from './runbook-kubectl.js';
import { commandLines, commandsInProse, option, pipeline } from './runbook-shell.js';
import { helpHasFlag, helpText, KubeStack } from './runbook-stack.js';

export interface Binaries {
  readonly prometheus: string;
  readonly promtool: string;
  readonly amtool: string;
}

/** Everything a runbook may name: the overlays as rendered, compose, the binaries, the jobs. */
export interface RunbookStack {
  readonly kube: KubeStack;
  readonly compose: ComposeStack;
  readonly binaries: Binaries;
  readonly jobs: PrometheusJobs;
}

export const OVERLAYS = ['overlays/dev', 'overlays/production'];

/** The stack of every overlay (a name is right when one overlay has it) and of compose. */
export function runbookStack(kubectl: string, binaries: Binaries): RunbookStack {
  const overlays = OVERLAYS.map((dir) => kustomize(kubectl, dir));
  return {
    kube: new KubeStack(overlays.flat()),
    compose: composeStack(),
    binaries,
    jobs: prometheusJobs(overlays, read(join(INFRA, 'prometheus/prometheus.yml'))),
  };
}

const podSpecEnv = (o: KubeObject): { name: string; value?: string }[] =>
  (podSpec(o).containers as { env?: { name: string; value?: string }[] }[]).flatMap(
    (c) => c.env ?? [],
  );

/** Programs that take no stack names worth checking, run locally or inside a container. */
const PLAIN = new Set(['tar', 'rm', 'base64', 'df', 'grep']);

/** `amtool|promtool <sub…> [flags] [files]`: the subcommand exists, each flag, each repo file. */
function tool(name: string, binary: string, args: readonly string[]): string[] {
  const sub = args.filter((a) => /^[a-z][a-z-]*$/.test(a)).slice(0, 2);
  const help = helpText(binary, sub);
  if (!help.startsWith(`usage: ${name} ${sub.join(' ')}`.trim()) || sub.length === 0)
    return [`${name} ${sub.join(' ')}: no such command`];
  return [
    ...args
      .filter((a) => a.startsWith('-'))
      .map((a) => a.split('=')[0] as string)
      .filter((f) => !helpHasFlag(help, f))
      .map((f) => `${name} ${sub.join(' ')}: no flag ${f}`),
    ...args
      .filter((a) => a.startsWith('infra/') && !existsSync(join(REPO, a)))
      .map((a) => `${a}: no such file in the repo`),
  ];
}

/** `curl http://localhost:<port>/…`: a port published by compose or forwarded before. */
function localPort(url: string, compose: ComposeStack, state: RunbookState): string[] {
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

/** Problems of one command (a pipeline stage) of a runbook. */
function checkCommand(words: readonly string[], stack: RunbookStack, state: RunbookState) {
  const { kube, compose, binaries } = stack;
  const program = words[0] ?? '';
  const inContainer = (name: string, args: readonly string[]) =>
    name === 'amtool'
      ? tool('amtool', binaries.amtool, args)
      : name === 'promtool'
        ? tool('promtool', binaries.promtool, args)
        : PLAIN.has(name)
          ? []
          : [`${name}: not checked`];
  if (/^[A-Z_]+=\S+$/.test(program) && words.length === 1) return [];
  if (program === 'kubectl')
    return checkKubectl(words, kube, state, {
      exec: inContainer,
      flagExists: (name, flag) =>
        name === 'prometheus' && helpHasFlag(helpText(binaries.prometheus), flag),
    });
  if (program === 'docker') return checkDocker(words, compose);
  if (program === 'curl')
    return localPort(words.find((w) => w.startsWith('http://')) ?? '', compose, state);
  if (program === 'amtool') {
    const url = option(words, '--alertmanager.url');
    return [
      ...inContainer(program, words.slice(1)),
      ...(url === undefined ? [] : localPort(url, compose, state)),
    ];
  }
  if (program === 'promtool') return inContainer(program, words.slice(1));
  if (program.startsWith('infra/scripts/')) return script(words);
  if (program === 'pg_dump' || program === 'pg_restore') {
    // The database of the overlay that has one (production's PostgreSQL).
    const db = kube.workloads
      .filter((w) => w.name === 'grafana')
      .flatMap((w) => podSpecEnv(w.object))
      .find((e) => e.name === 'GF_DATABASE_NAME')?.value;
    return option(words, '-d') === db
      ? []
      : [`${program}: database is ${db}, not ${option(words, '-d')}`];
  }
  return PLAIN.has(program) ? [] : [`${program}: not checked`];
}

/**
 * Every problem of a runbook, in order: each command's, prefixed with its line; each `job` its
 * queries name that no scrape config has; each command written outside code.
 *
 * @example
 * checkRunbook(read('infra/runbooks/disaster-recovery.md'), runbookStack(kubectl, binaries)); // []
 */
export function checkRunbook(
  markdown: string,
  stack: RunbookStack,
  state: RunbookState = { forwards: new Map(), createdSecrets: new Map() },
): string[] {
  return [
    ...commandLines(markdown).flatMap((line) =>
      pipeline(line).flatMap((c) =>
        checkCommand(c.words, stack, state).map((p) => `${line}\n  -> ${p}`),
      ),
    ),
    ...jobProblems(markdown, stack.jobs),
    ...commandsInProse(markdown).map((text) => `${text}\n  -> a command outside code`),
  ];
}
