// promtool checks for rendered configs. Debian's Prometheus is built without Kubernetes service
// discovery (`field kubernetes_sd_configs not found`), so with that promtool the k8s SD blocks
// are checked here against the documented fields and swapped for file SD before promtool reads
// the rest; an upstream promtool checks the config unchanged.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { stringify } from 'yaml';
import { tempDir } from '@ai-orchestrator/testkit';

export interface CheckResult {
  readonly code: number;
  readonly output: string;
}

/** Runs `promtool check config` on `config` with `files` (relative paths) beside it. */
export function checkConfig(
  promtool: string,
  config: string,
  files: Record<string, string> = {},
): CheckResult {
  const dir = tempDir('promtool-config');
  try {
    for (const [name, text] of Object.entries(files)) {
      mkdirSync(dirname(join(dir.path, name)), { recursive: true });
      writeFileSync(join(dir.path, name), text);
    }
    writeFileSync(join(dir.path, 'prometheus.yml'), config);
    const result = spawnSync(promtool, ['check', 'config', 'prometheus.yml'], {
      cwd: dir.path,
      encoding: 'utf8',
    });
    return { code: result.status ?? -1, output: `${result.stdout}${result.stderr}` };
  } finally {
    dir.remove();
  }
}

export function checkRules(promtool: string, rules: string): CheckResult {
  const dir = tempDir('promtool-rules');
  try {
    writeFileSync(join(dir.path, 'rules.yml'), rules);
    const result = spawnSync(promtool, ['check', 'rules', 'rules.yml'], {
      cwd: dir.path,
      encoding: 'utf8',
    });
    return { code: result.status ?? -1, output: `${result.stdout}${result.stderr}` };
  } finally {
    dir.remove();
  }
}

let kubernetesSd: boolean | undefined;
/** Whether this promtool was built with Kubernetes service discovery. */
export function supportsKubernetesSd(promtool: string): boolean {
  kubernetesSd ??=
    checkConfig(
      promtool,
      'scrape_configs:\n  - job_name: probe\n    kubernetes_sd_configs:\n      - role: endpoints\n',
    ).code === 0;
  return kubernetesSd;
}

const SD_ROLES = ['node', 'service', 'pod', 'endpoints', 'endpointslice', 'ingress'];
const SD_FIELDS = [
  'role',
  'namespaces',
  'selectors',
  'api_server',
  'kubeconfig_file',
  'attach_metadata',
];

/** Problems in one kubernetes_sd_configs entry, by Prometheus's documented fields. */
export function kubernetesSdProblems(sd: unknown, where: string): string[] {
  if (typeof sd !== 'object' || sd === null) return [`${where}: not a mapping`];
  const entry = sd as Record<string, unknown>;
  const problems: string[] = [];
  for (const key of Object.keys(entry)) {
    if (!SD_FIELDS.includes(key)) problems.push(`${where}: unknown field ${key}`);
  }
  if (!SD_ROLES.includes(String(entry.role)))
    problems.push(`${where}: role ${String(entry.role)} is not one of ${SD_ROLES.join(', ')}`);
  const ns = entry.namespaces as { names?: unknown } | undefined;
  if (
    ns !== undefined &&
    !(Array.isArray(ns.names) && ns.names.every((n) => typeof n === 'string'))
  ) {
    problems.push(`${where}: namespaces.names must be a list of names`);
  }
  return problems;
}

/**
 * The config with every kubernetes_sd_configs replaced by a file SD (so a promtool without
 * Kubernetes SD can check the rest), and the problems found in the replaced blocks.
 */
export function replaceKubernetesSd(config: unknown): {
  config: string;
  problems: string[];
  count: number;
} {
  const problems: string[] = [];
  let count = 0;
  const walk = (node: unknown, where: string): unknown => {
    if (Array.isArray(node)) return node.map((item, i) => walk(item, `${where}[${i}]`));
    if (typeof node !== 'object' || node === null) return node;
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(node)) {
      if (key === 'kubernetes_sd_configs') {
        count += 1;
        const list = Array.isArray(value) ? value : [];
        if (list.length === 0) problems.push(`${where}.${key}: empty`);
        list.forEach((sd, i) =>
          problems.push(...kubernetesSdProblems(sd, `${where}.${key}[${i}]`)),
        );
        out.file_sd_configs = [{ files: ['kubernetes-targets.json'] }];
      } else {
        out[key] = walk(value, `${where}.${key}`);
      }
    }
    return out;
  };
  return { config: stringify(walk(config, 'config')), problems, count };
}
