// One build for every published package: ESM + CJS + declarations, Node 20 target.
import { defineConfig, type Options } from 'tsup';

/**
 * `splitting: true` for a package whose entries share state (a registry's limits, warnings said
 * once): their common modules go to one chunk instead of a copy per entry.
 */
export function packageBuild(
  entry: Record<string, string> = { index: 'src/index.ts' },
  { splitting = false }: { splitting?: boolean } = {},
) {
  return defineConfig({
    entry,
    format: ['esm', 'cjs'],
    dts: true,
    clean: true,
    sourcemap: true,
    target: 'node20',
    platform: 'node',
    shims: true,
    splitting,
    treeshake: true,
  } satisfies Options);
}

/** Demo apps: ESM only, no declarations. */
export function appBuild(entry: Record<string, string> = { index: 'src/index.ts' }) {
  return defineConfig({
    entry,
    format: ['esm'],
    dts: false,
    clean: true,
    sourcemap: true,
    target: 'node20',
    platform: 'node',
    splitting: false,
  } satisfies Options);
}
