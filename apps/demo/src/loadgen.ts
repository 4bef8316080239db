import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { OWN_GROUP, track } from './children.js';
import { appDir } from './paths.js';

export interface LoadgenOptions {
  readonly gateway: string;
  readonly rps: number;
  readonly users: number;
  readonly durationS: number;
}

/** Runs apps/loadgen in its own process, so the load does not share the runner's event loop. */
export function startLoadgen(options: LoadgenOptions, log: (line: string) => void): ChildProcess {
  const child = spawn(
    process.execPath,
    [
      join(appDir('loadgen'), 'dist', 'index.js'),
      '--gateway',
      options.gateway,
      '--rps',
      String(options.rps),
      '--users',
      String(options.users),
      '--duration',
      String(options.durationS),
    ],
    { ...OWN_GROUP, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  track(child);
  const keep = (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n').filter(Boolean)) log(`[loadgen] ${line}`);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return child;
}
