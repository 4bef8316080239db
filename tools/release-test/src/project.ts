import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '@ai-orchestrator/testkit';
import { run } from './commands.js';
import { cleanEnv } from './env.js';

export interface InstalledPackage {
  name: string;
  version: string;
  path: string;
}

export interface CleanProject {
  readonly dir: string;
  /** `npm install <specs>`: our scope from the local registry, the rest from the default one. */
  install(specs: string[]): Promise<void>;
  /** Every package in node_modules, nested ones included. */
  installed(): InstalledPackage[];
  /** Version of an installed top-level package. */
  versionOf(name: string): string;
  /** Writes `file` into the project and runs it with node. */
  runScript(file: string, source: string, env?: Record<string, string>): Promise<string>;
  remove(): void;
}

/**
 * An empty npm project in the OS temp dir, outside the workspace, as a user's app starts.
 * @example
 * const app = createCleanProject('express', registry.url, npmCache);
 * await app.install(['@ai-orchestrator/express-monitoring', 'prom-client', 'express']);
 */
export function createCleanProject(
  name: string,
  registryUrl: string,
  npmCache: string,
): CleanProject {
  const tmp = tempDir(`release-app-${name}`);
  const dir = tmp.path;
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: `app-${name}`, private: true }));
  writeFileSync(join(dir, '.npmrc'), `@ai-orchestrator:registry=${registryUrl}\n`);
  const env = cleanEnv();
  return {
    dir,
    async install(specs) {
      await run(
        'npm',
        ['install', '--no-audit', '--no-fund', '--loglevel=error', '--cache', npmCache, ...specs],
        { cwd: dir, env, timeoutMs: 180_000 },
      );
    },
    installed: () => walk(join(dir, 'node_modules')),
    versionOf(pkg) {
      const file = join(dir, 'node_modules', pkg, 'package.json');
      return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
    },
    async runScript(file, source, extra = {}) {
      writeFileSync(join(dir, file), source);
      return run(process.execPath, [file], { cwd: dir, env: cleanEnv(extra), timeoutMs: 60_000 });
    },
    remove: tmp.remove,
  };
}

function walk(modules: string): InstalledPackage[] {
  if (!existsSync(modules)) return [];
  const found: InstalledPackage[] = [];
  for (const entry of readdirSync(modules)) {
    if (entry.startsWith('.')) continue;
    const dirs = entry.startsWith('@')
      ? readdirSync(join(modules, entry)).map((scoped) => join(modules, entry, scoped))
      : [join(modules, entry)];
    for (const path of dirs) {
      const manifest = join(path, 'package.json');
      if (!existsSync(manifest)) continue;
      const { name, version } = JSON.parse(readFileSync(manifest, 'utf8')) as InstalledPackage;
      found.push({ name, version, path }, ...walk(join(path, 'node_modules')));
    }
  }
  return found;
}
