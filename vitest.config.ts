import { readdirSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

// Unit tests import workspace packages from source, so `pnpm test` needs no build for them;
// end-to-end suites spawn the built apps and rely on `pnpm build` having run.
const root = import.meta.dirname;
const alias: { find: RegExp; replacement: string }[] = [];
for (const dir of readdirSync(join(root, 'packages'))) {
  const pkgFile = join(root, 'packages', dir, 'package.json');
  if (!existsSync(pkgFile)) continue;
  const pkg = JSON.parse(readFileSync(pkgFile, 'utf8')) as {
    name: string;
    exports?: Record<string, unknown>;
  };
  // `.` is src/index.ts; a subpath `./x` is the entry src/x.ts (as in each tsup.config.ts).
  for (const subpath of Object.keys(pkg.exports ?? { '.': null })) {
    const entry = subpath === '.' ? 'index' : subpath.slice(2);
    const source = join(root, 'packages', dir, 'src', `${entry}.ts`);
    if (!existsSync(source)) continue;
    const specifier = subpath === '.' ? pkg.name : `${pkg.name}/${entry}`;
    const escaped = specifier.replace(/[/.]/g, (c) => `\\${c}`);
    alias.push({ find: new RegExp(`^${escaped}$`), replacement: source });
  }
}

export default defineConfig({
  resolve: { alias },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['packages/*/src/**/*.test.ts'],
          testTimeout: 30_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'stack',
          include: [
            'infra/**/*.test.ts',
            'dashboards/**/*.test.ts',
            'apps/**/*.test.ts',
            'bench/**/*.test.ts',
            'packages/*/test/**/*.test.ts',
            'tools/release-test/test/**/*.test.ts',
            'tools/testkit/test/**/*.test.ts',
            'scripts/**/*.test.mjs',
          ],
          exclude: ['**/node_modules/**', '**/dist/**'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
