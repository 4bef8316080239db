import { spawnSync } from 'node:child_process';

/** Runs `promtool check metrics` on an exposition; returns its exit code and what it printed. */
export function promtoolCheckMetrics(
  promtool: string,
  exposition: string,
): { code: number; output: string } {
  const result = spawnSync(promtool, ['check', 'metrics'], { input: exposition, encoding: 'utf8' });
  return { code: result.status ?? -1, output: `${result.stdout}${result.stderr}` };
}
