import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

const PACKAGES: Record<string, string> = {
  prometheus: 'prometheus',
  promtool: 'prometheus',
  'prometheus-alertmanager': 'prometheus-alertmanager',
  amtool: 'prometheus-alertmanager',
  'redis-server': 'redis-server',
  'redis-cli': 'redis-tools',
};

/** Absolute path of an executable on the PATH, or undefined. */
export function which(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/**
 * The binary's path. Without it: under CI=true this throws (CI must never pass by skipping);
 * elsewhere it prints why the suite is skipped and returns undefined for `describe.skipIf`.
 */
export function requireBinary(name: string): string | undefined {
  const found = which(name);
  if (found) return found;
  const pkg = PACKAGES[name] ?? name;
  const message = `${name} is not on the PATH; install it with: apt-get install -y ${pkg}`;
  if (process.env.CI === 'true') throw new Error(`CI=true: ${message}`);
  console.warn(`skipping tests that need ${name}: ${message}`);
  return undefined;
}
