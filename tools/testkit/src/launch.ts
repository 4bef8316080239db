import type { SpawnOptions } from 'node:child_process';
import { startProcess, waitForHttp, type RunningProcess } from './process.js';

export interface Launched {
  readonly process: RunningProcess;
  /** Stops the process, then removes its temp dir. */
  stop(): Promise<void>;
}

/**
 * Spawns a server that owns a temp dir and waits until `readyUrl` answers 2xx; on failure the
 * process is stopped and the dir removed before the error (with the server's output) is thrown.
 */
export async function launch(
  binary: string,
  args: string[],
  dir: { path: string; remove: () => void },
  readyUrl: string,
  spawnOptions: SpawnOptions = {},
): Promise<Launched> {
  const proc = startProcess(binary, args, { cwd: dir.path, ...spawnOptions });
  const stop = async () => {
    await proc.stop();
    dir.remove();
  };
  try {
    await waitForHttp(readyUrl, proc);
  } catch (error) {
    await stop();
    throw error;
  }
  return { process: proc, stop };
}
