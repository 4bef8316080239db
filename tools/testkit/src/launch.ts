import type { SpawnOptions } from 'node:child_process';
import { assertOwnListener } from './ports.js';
import { startProcess, waitForHttp, type RunningProcess } from './process.js';

export interface LaunchOptions {
  /** Extra spawn options (the demo starts servers in their own process group). */
  readonly spawn?: SpawnOptions;
  /** Headers of the readiness poll (a server behind basic auth). */
  readonly headers?: Readonly<Record<string, string>>;
}

export interface Launched {
  readonly process: RunningProcess;
  /** Stops the process, then removes its temp dir. */
  stop(): Promise<void>;
}

/**
 * Spawns a server that owns a temp dir and waits until `readyUrl` answers 2xx from this process
 * (not from another server that holds the port); on failure the process is stopped and the dir
 * removed before the error (with the server's output) is thrown.
 */
export async function launchServer(
  binary: string,
  args: string[],
  dir: { path: string; remove: () => void },
  readyUrl: string,
  options: LaunchOptions = {},
): Promise<Launched> {
  const proc = startProcess(binary, args, { cwd: dir.path, ...options.spawn });
  const stop = async () => {
    await proc.stop();
    dir.remove();
  };
  try {
    await waitForHttp(readyUrl, proc, options.headers ? { headers: options.headers } : {});
    assertOwnListener(proc.child.pid, Number(new URL(readyUrl).port));
  } catch (error) {
    await stop();
    throw error;
  }
  return { process: proc, stop };
}
