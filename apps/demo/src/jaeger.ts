// Jaeger v2 for `pnpm demo` when the binary is there (built by `pnpm servers`): the repo's
// infra/jaeger config and sampling strategies, on the usual ports when they are free.
import { readFileSync } from 'node:fs';
import { locateBinary, startJaeger, type JaegerServer } from '@ai-orchestrator/testkit';
import { OWN_GROUP, track } from './children.js';
import { infraFile } from './paths.js';

/** Starts Jaeger, or returns undefined when there is no `jaeger` binary. */
export async function startLocalJaeger(): Promise<JaegerServer | undefined> {
  const binary = locateBinary('jaeger');
  if (!binary) return undefined;
  const jaeger = await startJaeger(binary.path, {
    config: readFileSync(infraFile('jaeger', 'config.yaml'), 'utf8'),
    strategiesFile: infraFile('jaeger', 'sampling-strategies.json'),
    preferStandardPorts: true,
    spawn: OWN_GROUP,
  });
  track(jaeger.process.child);
  return jaeger;
}
