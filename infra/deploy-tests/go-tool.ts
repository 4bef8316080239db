// Finds the Go programs of the deployment tests (servers.json `tools`: operator-config/), which
// `pnpm servers` builds once per source version into the servers' cache, the way it builds
// Prometheus and Alertmanager. Missing, the tests that need one skip with a message, except under
// CI=true, where they fail: CI runs `pnpm servers` first.
import { createHash } from 'node:crypto';
import { accessSync, constants, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { serversDir, TOOLS } from '@ai-orchestrator/testkit';
import { REPO } from './paths.js';

/** The cache key scripts/servers.mjs builds a tool under: a hash of its folder's files. */
function sourceHash(folder: string): string {
  const hash = createHash('sha256');
  for (const file of readdirSync(folder).sort())
    hash.update(file).update(readFileSync(join(folder, file)));
  return hash.digest('hex').slice(0, 16);
}

/**
 * The built program of the current source, or undefined (with the reason printed) outside CI.
 *
 * @example
 * const bin = requireGoTool('operator-config');
 * describe.skipIf(!bin)('routes through the Operator', () => {});
 */
export function requireGoTool(name: string): string | undefined {
  const source = TOOLS[name]?.source;
  if (!source) throw new Error(`unknown tool ${name}; known: ${Object.keys(TOOLS).join(', ')}`);
  const bin = join(serversDir(), `${name}-${sourceHash(join(REPO, source))}`, name);
  try {
    accessSync(bin, constants.X_OK);
    return bin;
  } catch {
    const message = `${name} for the current ${source} is not built in ${serversDir()}; run: pnpm servers ${name} (needs Go 1.26)`;
    if (process.env.CI === 'true') throw new Error(`CI=true: ${message}`);
    console.warn(`skipping tests that need ${name}: ${message}`);
    return undefined;
  }
}
