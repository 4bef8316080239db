// Where the Go-built servers live. The versions come from servers.json, the one list that
// scripts/servers.mjs builds from and infra/deploy-tests/versions.test.ts checks the images against.
import { accessSync, constants } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import config from './servers.json' with { type: 'json' };

export interface PinnedServer {
  /** Go module the binaries are built from. */
  readonly module: string;
  readonly moduleVersion: string;
  /** The server's own version: what `--version` prints and the container image tag. */
  readonly release: string;
  /** The container image compose and Kubernetes run. */
  readonly image: string;
  /** Binary name -> package path inside the module. */
  readonly binaries: Readonly<Record<string, string>>;
}

export type ServerName = keyof typeof config.servers;

/** A Go program of the repo's own tests, built by `pnpm servers` from a folder of the repo. */
export interface RepoTool {
  /** The folder, relative to the repo root, with the program's go.mod. */
  readonly source: string;
  /** Binary name -> package path inside the folder. */
  readonly binaries: Readonly<Record<string, string>>;
}

/** The pinned servers, by name (prometheus, alertmanager, jaeger, victoria-metrics). */
export const SERVERS: Readonly<Record<ServerName, PinnedServer>> = config.servers;

/** The repo's own Go programs `pnpm servers` builds (operator-config), by name. */
export const TOOLS: Readonly<Record<string, RepoTool>> = config.tools;

/**
 * The cache folder `pnpm servers` builds into: $AIO_SERVERS_DIR, else
 * ${XDG_CACHE_HOME:-~/.cache}/ai-orchestrator/servers (same rule as scripts/servers.mjs).
 *
 * @example
 * serversDir(); // '/home/me/.cache/ai-orchestrator/servers'
 */
export function serversDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.AIO_SERVERS_DIR) return env.AIO_SERVERS_DIR;
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'ai-orchestrator', 'servers');
}

/** The pinned server that provides `binary` (e.g. promtool -> prometheus), if any. */
export function serverOf(binary: string): ServerName | undefined {
  return (Object.keys(SERVERS) as ServerName[]).find((name) => binary in SERVERS[name].binaries);
}

/**
 * Path of a Go-built binary of the pinned version, or undefined when `pnpm servers` has not
 * built it.
 *
 * @example
 * builtBinary('promtool'); // '/home/me/.cache/ai-orchestrator/servers/prometheus-3.16.0/promtool'
 */
export function builtBinary(binary: string): string | undefined {
  const name = serverOf(binary);
  if (!name) return undefined;
  const path = join(serversDir(), `${name}-${SERVERS[name].release}`, binary);
  try {
    accessSync(path, constants.X_OK);
    return path;
  } catch {
    return undefined;
  }
}
