// promtool checks for rendered configs, with the pinned promtool (built with Kubernetes service
// discovery by `pnpm servers`), so kubernetes_sd_configs are checked as they are.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
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
