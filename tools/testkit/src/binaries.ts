import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { builtBinary, serverOf, serversDir, SERVERS } from './servers.js';

// Debian's packages: the fallback for a machine without Go, and where redis/kubectl come from.
const PACKAGES: Record<string, string> = {
  prometheus: 'prometheus',
  promtool: 'prometheus',
  alertmanager: 'prometheus-alertmanager',
  amtool: 'prometheus-alertmanager',
  'redis-server': 'redis-server',
  'redis-cli': 'redis-tools',
};

// Names a binary has on the PATH; Debian calls Alertmanager `prometheus-alertmanager`.
const PATH_NAMES: Record<string, string[]> = {
  alertmanager: ['alertmanager', 'prometheus-alertmanager'],
};

/** `prometheus-alertmanager` (Debian's name) and `alertmanager` are the same server. */
function canonical(name: string): string {
  return name === 'prometheus-alertmanager' ? 'alertmanager' : name;
}

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

export interface LocatedBinary {
  readonly path: string;
  /** True for the Go-built pinned version, false for whatever the PATH had. */
  readonly pinned: boolean;
}

/**
 * A server binary: the Go-built pinned version from `pnpm servers` first, then the PATH.
 *
 * @example
 * locateBinary('jaeger')?.path; // '/home/me/.cache/ai-orchestrator/servers/jaeger-2.13.0/jaeger'
 */
export function locateBinary(name: string): LocatedBinary | undefined {
  const binary = canonical(name);
  const built = builtBinary(binary);
  if (built) return { path: built, pinned: true };
  for (const candidate of PATH_NAMES[binary] ?? [binary]) {
    const found = which(candidate);
    if (found) return { path: found, pinned: false };
  }
  return undefined;
}

const warned = new Set<string>();
function warnOnce(key: string, message: string): void {
  if (warned.has(key)) return;
  warned.add(key);
  console.warn(message);
}

/**
 * The binary's path for a test. Go-built servers come from `pnpm servers`; a machine with Go
 * builds them, so only a developer machine without Go falls back to the PATH (Debian's older
 * versions), with a message. Otherwise a missing binary skips the suite with a message, and under
 * CI=true it throws: CI must never pass by skipping or by testing other versions.
 *
 * @example
 * const prometheus = requireBinary('prometheus');
 * describe.skipIf(!prometheus)('rules on a real Prometheus', () => {});
 */
export function requireBinary(name: string): string | undefined {
  const binary = canonical(name);
  const server = serverOf(binary);
  const located = locateBinary(binary);
  if (located?.pinned || (located && !server)) return located.path;
  const debian = PACKAGES[binary] ? `apt-get install -y ${PACKAGES[binary]}` : '';
  let message = `${binary} is not on the PATH; install it with: ${debian || `apt-get install -y ${binary}`}`;
  if (server) {
    const { release } = SERVERS[server];
    message = `${binary} ${release} is not built in ${serversDir()}; run: pnpm servers`;
    if (process.env.CI === 'true') throw new Error(`CI=true: ${message}`);
    if (!which('go')) {
      message += ' (needs Go 1.26)';
      if (located) {
        warnOnce(binary, `${message}; using ${located.path} from the PATH instead`);
        return located.path;
      }
      if (debian) message += `, or for an older version: ${debian}`;
    }
  }
  if (process.env.CI === 'true') throw new Error(`CI=true: ${message}`);
  warnOnce(binary, `skipping tests that need ${binary}: ${message}`);
  return undefined;
}
