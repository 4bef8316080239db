// Builds the Go helper programs of the deployment tests (operator-config/) once per source
// version into the user's cache, with the Go toolchain on the PATH. Without Go the tests that need
// them skip with a message, except under CI=true, where they fail.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { which } from '@ai-orchestrator/testkit';
import { INFRA } from './paths.js';

/** The first build downloads the Operator's modules and compiles them: minutes, not seconds. */
export const GO_BUILD_TIMEOUT_MS = 20 * 60 * 1000;

/** The `go` binary, or undefined (with the reason printed) when it is missing outside CI. */
export function requireGo(): string | undefined {
  const go = which('go');
  if (go) return go;
  const message = 'go is not on the PATH; install Go 1.26 (https://go.dev/dl/)';
  if (process.env.CI === 'true') throw new Error(`CI=true: ${message}`);
  console.warn(`skipping tests that need go: ${message}`);
  return undefined;
}

/**
 * The path of the built program in infra/deploy-tests/<name>, rebuilt when its sources change.
 *
 * @example
 * const bin = buildGoTool(requireGo() as string, 'operator-config');
 */
export function buildGoTool(go: string, name: string): string {
  const dir = join(INFRA, 'deploy-tests', name);
  const hash = createHash('sha256');
  for (const file of readdirSync(dir).sort())
    hash.update(file).update(readFileSync(join(dir, file)));
  const cache = join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'ai-orchestrator');
  const bin = join(cache, `${name}-${hash.digest('hex').slice(0, 16)}`);
  if (existsSync(bin)) return bin;
  mkdirSync(cache, { recursive: true });
  const result = spawnSync(go, ['build', '-o', bin, '.'], {
    cwd: dir,
    encoding: 'utf8',
    timeout: GO_BUILD_TIMEOUT_MS,
  });
  if (result.status !== 0) {
    throw new Error(
      `go build ${name} failed (${result.status ?? result.signal}):\n${result.stderr}`,
    );
  }
  return bin;
}
