import { createConnection, type Socket } from 'node:net';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { setTimeout as sleep } from 'node:timers/promises';
import { assertOwnListener, freePort, retryOnPortClash } from './ports.js';
import { startProcess, type RunningProcess } from './process.js';
import { tempDir } from './tmp.js';

export interface RedisStartOptions {
  /** `requirepass`: clients must AUTH with it. */
  readonly password?: string;
  /** Serves TLS only (no plain port) with these PEM files; the URL is then `rediss://`. */
  readonly tls?: { readonly cert: string; readonly key: string; readonly ca: string };
  /** An append-only file fsynced on every write: the data survives kill() and restart(). */
  readonly persistent?: boolean;
  /**
   * Config file text, written once to `<dir>/redis.conf` and read first (a Sentinel needs a config
   * file it can rewrite; restart() reads the rewritten one).
   */
  readonly config?: string;
  /** More redis-server arguments, e.g. `['--cluster-enabled', 'yes']` or `['--sentinel']`. */
  readonly args?: readonly string[];
}

export interface RedisServer {
  readonly url: string;
  readonly port: number;
  /** The data dir (kept across restart(), removed by stop()). */
  readonly dir: string;
  /** The running redis-server (a new one after restart()). */
  readonly process: RunningProcess;
  stop(): Promise<void>;
  /** SIGSTOP: connections stay open, nothing is answered (a frozen or swapped-out server). */
  pause(): void;
  /** SIGCONT after pause(). */
  resume(): void;
  /** SIGKILL, like a crash; the data dir stays for restart(). */
  kill(): Promise<void>;
  /** Starts redis-server again on the same port and dir, with `options` replacing the first ones. */
  restart(options?: RedisStartOptions): Promise<void>;
}

// Any reply means the server is up: +PONG, or -NOAUTH when a password is required.
async function ping(port: number, tls: boolean): Promise<boolean> {
  return new Promise((resolve) => {
    const host = '127.0.0.1';
    const send = (): void => void socket.write('PING\r\n');
    const socket: Socket = tls
      ? tlsConnect({ port, host, rejectUnauthorized: false }, send)
      : createConnection({ port, host }, send);
    socket.once('data', (data) => {
      socket.destroy();
      resolve(/^(\+PONG|-NOAUTH)/.test(data.toString()));
    });
    socket.once('error', () => resolve(false));
  });
}

function configPath(dir: string, text: string): string {
  const path = join(dir, 'redis.conf');
  if (!existsSync(path)) writeFileSync(path, text);
  return path;
}

function redisArgs(port: number, dir: string, options: RedisStartOptions): string[] {
  const { tls, password, persistent, config } = options;
  const args = config === undefined ? [] : [configPath(dir, config)];
  args.push('--bind', '127.0.0.1', '--dir', dir, '--save', '', '--protected-mode', 'yes');
  if (tls) {
    args.push('--port', '0', '--tls-port', String(port), '--tls-auth-clients', 'no');
    args.push('--tls-cert-file', tls.cert, '--tls-key-file', tls.key, '--tls-ca-cert-file', tls.ca);
  } else {
    args.push('--port', String(port));
  }
  if (password) args.push('--requirepass', password);
  args.push('--appendonly', persistent ? 'yes' : 'no');
  if (persistent) args.push('--appendfsync', 'always');
  args.push(...(options.args ?? []));
  return args;
}

async function launch(
  binary: string,
  port: number,
  dir: string,
  options: RedisStartOptions,
): Promise<RunningProcess> {
  const proc = startProcess(binary, redisArgs(port, dir, options));
  const deadline = Date.now() + 10_000;
  try {
    while (!(await ping(port, Boolean(options.tls)))) {
      if (Date.now() > deadline || proc.child.exitCode !== null) throw new Error('no answer');
      await sleep(50);
    }
    assertOwnListener(proc.child.pid, port);
  } catch (error) {
    await proc.stop();
    const why = error instanceof Error ? error.message : String(error);
    throw new Error(`redis-server did not start on ${port} (${why}):\n${proc.output()}`);
  }
  return proc;
}

/**
 * Starts redis-server on `port`, or on a free loopback port (picked again when another process
 * takes it first), without persistence unless asked.
 */
export async function startRedis(
  binary: string,
  port?: number,
  options: RedisStartOptions = {},
): Promise<RedisServer> {
  if (port !== undefined) return startRedisOn(binary, port, options);
  return retryOnPortClash(async () => startRedisOn(binary, await freePort(), options));
}

async function startRedisOn(
  binary: string,
  actual: number,
  options: RedisStartOptions,
): Promise<RedisServer> {
  const dir = tempDir('redis');
  let current = options;
  let proc: RunningProcess;
  try {
    proc = await launch(binary, actual, dir.path, current);
  } catch (error) {
    dir.remove();
    throw error;
  }
  const signal = (name: NodeJS.Signals): void => {
    if (proc.child.exitCode === null && proc.child.signalCode === null) proc.child.kill(name);
  };
  return {
    url: `${options.tls ? 'rediss' : 'redis'}://127.0.0.1:${actual}`,
    port: actual,
    dir: dir.path,
    get process() {
      return proc;
    },
    async stop() {
      signal('SIGCONT'); // a paused server cannot handle SIGTERM
      await proc.stop();
      dir.remove();
    },
    pause: () => signal('SIGSTOP'),
    resume: () => signal('SIGCONT'),
    kill: () => proc.stop('SIGKILL'),
    async restart(next = current) {
      signal('SIGCONT');
      await proc.stop();
      current = next;
      proc = await launch(binary, actual, dir.path, current);
    },
  };
}
