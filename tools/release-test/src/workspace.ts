import { execFileSync } from 'node:child_process';
import { appendFileSync, copyFileSync, cpSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { tempDir } from '@ai-orchestrator/testkit';
import { run } from './commands.js';
import { cleanEnv } from './env.js';
import type { LocalRegistry } from './registry.js';

export interface PublicPackage {
  name: string;
  version: string;
  dir: string;
}

export interface WorkspaceCopy {
  readonly dir: string;
  /** `pnpm <args>` in the copy, with our scope pointed at the local registry. */
  pnpm(args: string[], timeoutMs?: number): Promise<string>;
  /** The copy's published (non-private) packages as their package.json files say now. */
  publicPackages(): PublicPackage[];
  /** Adds a changeset file, as `pnpm changeset` writes it. */
  addChangeset(
    id: string,
    bumps: Record<string, 'patch' | 'minor' | 'major'>,
    summary: string,
  ): void;
  remove(): void;
}

/**
 * Copies the work tree as git would commit it (tracked and untracked files, minus ignored ones)
 * into a temp dir and installs it from the pnpm store, so releasing never touches `root`.
 * @example
 * const copy = await copyWorkspace('/work/main', registry);
 */
export async function copyWorkspace(root: string, registry: LocalRegistry): Promise<WorkspaceCopy> {
  const tmp = tempDir('release-copy');
  const dir = tmp.path;
  const files = execFileSync(
    'git',
    ['ls-files', '-z', '--cached', '--others', '--exclude-standard'],
    {
      cwd: root,
      encoding: 'utf8',
    },
  )
    .split('\0')
    .filter((file) => file && existsSync(join(root, file)));
  for (const file of new Set(files)) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    copyFileSync(join(root, file), join(dir, file));
  }
  // turbo's cache makes the copy's build free when the tree was built with the same inputs.
  if (existsSync(join(root, '.turbo', 'cache'))) {
    cpSync(join(root, '.turbo', 'cache'), join(dir, '.turbo', 'cache'), { recursive: true });
  }

  const host = registry.url.replace(/^https?:/, '');
  const env = cleanEnv({ 'npm_config_@ai-orchestrator:registry': registry.url });
  const pnpm = (args: string[], timeoutMs = 180_000): Promise<string> =>
    run('pnpm', args, { cwd: dir, env, timeoutMs });
  try {
    await pnpm(['install', '--frozen-lockfile', '--prefer-offline']);
    // Publishing credentials live in the copy only; other scopes keep the default registry.
    appendFileSync(
      join(dir, '.npmrc'),
      `\n@ai-orchestrator:registry=${registry.url}\n${host}:_authToken=${registry.token}\n`,
    );
  } catch (error) {
    tmp.remove();
    throw error;
  }

  return {
    dir,
    pnpm,
    publicPackages() {
      const found: PublicPackage[] = [];
      for (const name of readdirSync(join(dir, 'packages'))) {
        const file = join(dir, 'packages', name, 'package.json');
        if (!existsSync(file)) continue;
        const pkg = JSON.parse(readFileSync(file, 'utf8')) as PublicPackage & { private?: boolean };
        if (!pkg.private) found.push({ name: pkg.name, version: pkg.version, dir: dirname(file) });
      }
      return found;
    },
    addChangeset(id, bumps, summary) {
      const front = Object.entries(bumps).map(([name, bump]) => `'${name}': ${bump}`);
      writeFileSync(
        join(dir, '.changeset', `${id}.md`),
        `---\n${front.join('\n')}\n---\n\n${summary}\n`,
      );
    },
    remove: tmp.remove,
  };
}
