import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

export interface PackageContents {
  /** Top-level entries of the installed package directory. */
  entries: string[];
  /** Every file an `exports` condition points at, with whether the tarball carried it. */
  targets: { subpath: string; condition: string; file: string; exists: boolean }[];
}

/**
 * What a published package really shipped: its top-level files and every `exports` target.
 * @example
 * const { targets } = packageContents('node_modules/@ai-orchestrator/metrics');
 */
export function packageContents(dir: string): PackageContents {
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
    exports?: Record<string, unknown>;
  };
  const targets: PackageContents['targets'] = [];
  const visit = (subpath: string, condition: string, value: unknown): void => {
    if (typeof value === 'string') {
      targets.push({ subpath, condition, file: value, exists: existsSync(join(dir, value)) });
    } else if (value && typeof value === 'object') {
      for (const [key, inner] of Object.entries(value)) {
        visit(subpath, condition ? `${condition}.${key}` : key, inner);
      }
    }
  };
  for (const [subpath, value] of Object.entries(manifest.exports ?? {})) visit(subpath, '', value);
  return { entries: readdirSync(dir).sort(), targets };
}
