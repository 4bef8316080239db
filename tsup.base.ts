// One build for every published package: ESM + CJS + declarations, Node 20 target.
import { defineConfig, type Options } from 'tsup';

export function packageBuild(entry: Record<string, string> = { index: 'src/index.ts' }) {
  return defineConfig({
    entry,
    format: ['esm', 'cjs'],
    dts: true,
    clean: true,
    sourcemap: true,
    target: 'node20',
    platform: 'node',
    shims: true,
    splitting: false,
    treeshake: true,
  } satisfies Options);
}
