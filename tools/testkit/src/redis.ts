import { createConnection } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from './ports.js';
import { startProcess, type RunningProcess } from './process.js';
import { tempDir } from './tmp.js';

export interface RedisServer {
  readonly url: string;
  readonly port: number;
  readonly process: RunningProcess;
  stop(): Promise<void>;
}

async function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host: '127.0.0.1' }, () => socket.write('PING\r\n'));
    socket.once('data', (data) => {
      socket.destroy();
      resolve(data.toString().startsWith('+PONG'));
    });
    socket.once('error', () => resolve(false));
  });
}

/** Starts redis-server on a free loopback port (or `port`), without persistence. */
export async function startRedis(binary: string, port?: number): Promise<RedisServer> {
  const actual = port ?? (await freePort());
  const dir = tempDir('redis');
  const proc = startProcess(binary, [
    '--port',
    String(actual),
    '--bind',
    '127.0.0.1',
    '--dir',
    dir.path,
    '--save',
    '',
    '--appendonly',
    'no',
    '--protected-mode',
    'yes',
  ]);
  const deadline = Date.now() + 10_000;
  while (!(await ping(actual))) {
    if (Date.now() > deadline || proc.child.exitCode !== null) {
      await proc.stop();
      dir.remove();
      throw new Error(`redis-server did not start on ${actual}:\n${proc.output()}`);
    }
    await sleep(50);
  }
  return {
    url: `redis://127.0.0.1:${actual}`,
    port: actual,
    process: proc,
    async stop() {
      await proc.stop();
      dir.remove();
    },
  };
}
