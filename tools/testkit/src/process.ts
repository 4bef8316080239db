import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';

export interface RunningProcess {
  readonly child: ChildProcess;
  /** Everything the process printed so far, for failure messages. */
  output(): string;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/** Spawns a process and keeps its output; stop() sends SIGTERM, then SIGKILL after 5 s. */
export function startProcess(
  command: string,
  args: string[],
  options: SpawnOptions = {},
): RunningProcess {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
  let log = '';
  const keep = (chunk: Buffer): void => {
    log = (log + chunk.toString()).slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    child,
    output: () => log,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

export interface WaitForHttpOptions {
  /** Default 30 s. */
  readonly timeoutMs?: number;
  /** Sent with each poll (e.g. the basic-auth header a server's web config asks for). */
  readonly headers?: Readonly<Record<string, string>>;
}

/** Polls `url` until it answers 2xx, the process dies, or `timeoutMs` passes. */
export async function waitForHttp(
  url: string,
  proc?: RunningProcess,
  { timeoutMs = 30_000, headers = {} }: WaitForHttpOptions = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    if (proc && (proc.child.exitCode !== null || proc.child.signalCode !== null)) {
      throw new Error(`process exited before ${url} was ready:\n${proc.output()}`);
    }
    try {
      const res = await fetch(url, { headers });
      if (res.ok) return;
      last = `HTTP ${res.status}`;
    } catch (error) {
      last = String(error);
    }
    await sleep(100);
  }
  throw new Error(`${url} not ready after ${timeoutMs} ms (${last})\n${proc?.output() ?? ''}`);
}
