// Child processes of the runner: forked with an IPC channel, each answering typed messages.
import { fork, type ChildProcess } from 'node:child_process';
import { setPriority } from 'node:os';
import { fileURLToPath } from 'node:url';

export interface Child {
  readonly process: ChildProcess;
  /** Sends `message` and resolves with the first reply of type `replyType`. */
  ask<T>(message: object, replyType: string, timeoutMs?: number): Promise<T>;
  stop(): Promise<void>;
}

type Reply = { type?: string; message?: string } & Record<string, unknown>;

/** The built entry `name` next to this file (dist/name.js). */
export function entry(name: string): string {
  // src/ and dist/ are siblings: the built entries serve the CLI and the tests alike.
  return fileURLToPath(new URL(`../dist/${name}.js`, import.meta.url));
}

function waitFor<T>(child: ChildProcess, type: string, timeoutMs: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => done(new Error(`no '${type}' from child within ${timeoutMs} ms`)),
      timeoutMs,
    );
    const onMessage = (message: Reply): void => {
      if (message.type === type) done(undefined, message as T);
      else if (message.type === 'error') done(new Error(String(message.message)));
    };
    const onExit = (code: number | null): void =>
      done(new Error(`child exited (${code}) before '${type}'`));
    function done(error: Error | undefined, value?: T): void {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
      if (error) reject(error);
      else resolve(value as T);
    }
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

export interface ChildOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly args?: string[];
  readonly execArgv?: string[];
  /** The core to pin the child (every thread of it) to, with `taskset`. */
  readonly cpu?: number;
  /** A nice value for the child; a refusal leaves it at the default. */
  readonly priority?: number;
  /** The Node.js binary to run the child on (default: the one running the bench). */
  readonly node?: string;
  /** A command Node runs under, with its arguments (`['valgrind', '--tool=cachegrind']`). */
  readonly wrapper?: readonly string[];
  /** How long the child may take to say it is ready (default 30 s). */
  readonly readyTimeoutMs?: number;
  /** How long `stop()` waits for the child to exit before it kills it (default 3 s). */
  readonly stopTimeoutMs?: number;
}

function prioritize(pid: number | undefined, priority: number | undefined): void {
  if (pid === undefined || priority === undefined) return;
  try {
    setPriority(pid, priority);
  } catch {
    // the placement was probed before; a refusal here only costs precision
  }
}

/** Forks `dist/<name>.js` and waits for its `ready` message. */
export async function startChild<R = Reply>(
  name: string,
  options: ChildOptions = {},
): Promise<{ child: Child; ready: R }> {
  const env = { ...process.env, ...options.env };
  // Tracing setups must read only what the runner gives them.
  for (const key of Object.keys(env)) if (key.startsWith('OTEL_')) delete env[key];
  const execArgv = options.execArgv ?? [];
  // `taskset -c N [wrapper …] node …` pins the child from its first instruction, threads included.
  const command = [
    ...(options.cpu === undefined ? [] : ['taskset', '-c', String(options.cpu)]),
    ...(options.wrapper ?? []),
    options.node ?? process.execPath,
    ...execArgv,
  ];
  const pinned = { execPath: command[0] as string, execArgv: command.slice(1) };
  const proc = fork(entry(name), options.args ?? [], {
    env,
    ...pinned,
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  prioritize(proc.pid, options.priority);
  const ready = await waitFor<R>(proc, 'ready', options.readyTimeoutMs ?? 30_000).catch(
    (error: unknown) => {
      proc.kill('SIGKILL');
      throw error;
    },
  );
  const child: Child = {
    process: proc,
    ask<T>(message: object, replyType: string, timeoutMs = 120_000): Promise<T> {
      const reply = waitFor<T>(proc, replyType, timeoutMs);
      proc.send(message);
      return reply;
    },
    async stop() {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
      const force = setTimeout(() => proc.kill('SIGKILL'), options.stopTimeoutMs ?? 3_000);
      if (proc.connected) proc.disconnect();
      else proc.kill('SIGTERM');
      await exited;
      clearTimeout(force);
    },
  };
  return { child, ready };
}
