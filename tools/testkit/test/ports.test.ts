// A free port is only free "a moment ago": these hold the port a server is about to take, with
// another listener, and check that the starters notice (never returning a server that lost its
// port while someone else answers there) and start again on a new port when they picked it.
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import {
  assertOwnListener,
  freePort,
  isPortClash,
  launchServer,
  requireBinary,
  retryOnPortClash,
  startPrometheus,
  startRedis,
  tempDir,
  type RedisServer,
} from '@ai-orchestrator/testkit';
import { afterEach, describe, expect, it } from 'vitest';

const redisBinary = requireBinary('redis-server');
const prometheusBinary = requireBinary('prometheus');

const held: Server[] = [];
const started: { stop(): Promise<void> }[] = [];

/** A listener in this process, on a free port, that answers whatever it is sent with `reply`. */
async function impostor(reply = '+PONG\r\n'): Promise<number> {
  const server = createServer((socket) => {
    socket.on('data', () => socket.write(reply));
    socket.on('error', () => socket.destroy());
  });
  held.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as { port: number }).port;
}

// A foreign server that says it is ready: 200 to every HTTP request.
const OK_HTTP = 'HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok';

afterEach(async () => {
  await Promise.all(started.splice(0).map((s) => s.stop()));
  await Promise.all(
    held.splice(0).map((s) => new Promise<void>((resolve) => s.close(() => resolve()))),
  );
});

describe('assertOwnListener', () => {
  it('passes for the process that listens on the port, throws a port clash for any other', async () => {
    const port = await impostor();
    expect(() => assertOwnListener(process.pid, port)).not.toThrow();
    const other = process.ppid;
    let error: unknown;
    try {
      assertOwnListener(other, port);
    } catch (caught) {
      error = caught;
    }
    expect(String(error)).toContain(`port ${port} is held by another process`);
    expect(isPortClash(error)).toBe(true);
  });

  it('throws for a process that has exited, and says nothing when no listener is shown', async () => {
    const port = await impostor();
    const gone = spawnSync(process.execPath, ['-e', '0']).pid;
    expect(() => assertOwnListener(gone, port)).toThrow(`process ${gone} has exited`);
    // nothing listens: /proc shows no listener to compare, as in a sandbox that hides them
    const nobody = await freePort();
    expect(() => assertOwnListener(process.ppid, nobody)).not.toThrow();
  });
});

describe('retryOnPortClash', () => {
  it('tries again on a clash, and throws any other error at once', async () => {
    let calls = 0;
    const value = await retryOnPortClash(async () => {
      calls += 1;
      if (calls < 3) throw new Error('listen tcp 127.0.0.1:9: bind: address already in use');
      return 'up';
    });
    expect([value, calls]).toEqual(['up', 3]);

    calls = 0;
    const failing = retryOnPortClash(async () => {
      calls += 1;
      throw new Error('bad config: scrape_interval');
    });
    await expect(failing).rejects.toThrow('bad config: scrape_interval');
    expect(calls).toBe(1);
  });

  it('gives up after the attempts it was given, with the last clash', async () => {
    let calls = 0;
    const failing = retryOnPortClash(async () => {
      calls += 1;
      throw new Error(`Failed listening on port ${calls} (tcp), aborting.`);
    }, 2);
    await expect(failing).rejects.toThrow('Failed listening on port 2');
    expect(calls).toBe(2);
  });
});

describe.skipIf(!redisBinary)('startRedis when its port is taken', () => {
  it('does not take a PONG from another listener for its own start', async () => {
    const port = await impostor();
    const start = startRedis(redisBinary!, port);
    await expect(start).rejects.toThrow(/did not start on \d+ \(port \d+ is held by another/);
    await expect(start.catch((e: unknown) => isPortClash(e))).resolves.toBe(true);
  });

  it('reports a cluster bus port that is taken as a port clash', async () => {
    const [port, bus] = [await freePort(), await impostor('')];
    const args = ['--cluster-enabled', 'yes', '--cluster-port', String(bus)];
    const start = startRedis(redisBinary!, port, { args });
    const error = await start.then(
      (server) => server.stop().then(() => undefined),
      (e: unknown) => e,
    );
    expect(String(error)).toContain(`Failed listening on port ${bus}`);
    expect(isPortClash(error)).toBe(true);
  });

  it('starts on a new port when the one it picked was taken', async () => {
    const taken = await impostor();
    const ports: number[] = [];
    const server: RedisServer = await retryOnPortClash(async () => {
      const port = ports.length === 0 ? taken : await freePort();
      ports.push(port);
      return startRedis(redisBinary!, port);
    });
    started.push(server);
    expect(ports[0]).toBe(taken);
    expect(ports).toHaveLength(2);
    expect(server.port).toBe(ports[1]);
    expect(server.process.child.exitCode).toBeNull();
    assertOwnListener(server.process.child.pid, server.port);
  });
});

describe.skipIf(!prometheusBinary)(
  'launchServer when another listener answers its ready URL',
  () => {
    it('throws a port clash instead of returning the server that lost the port', async () => {
      const port = await impostor(OK_HTTP);
      const dir = tempDir('ports-test');
      const args = [
        `--config.file=${join(dir.path, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(dir.path, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
      ];
      writeFileSync(join(dir.path, 'prometheus.yml'), 'scrape_configs: []\n');
      const error = await launchServer(
        prometheusBinary!,
        args,
        dir,
        `http://127.0.0.1:${port}/-/ready`,
      ).then(
        (server) => server.stop().then(() => undefined),
        (e: unknown) => e,
      );
      expect(isPortClash(error)).toBe(true);
      expect(existsSync(dir.path)).toBe(false);
    });

    it('startPrometheus returns a server that owns the port it reports', async () => {
      const prom = await startPrometheus(prometheusBinary!, 'scrape_configs: []\n');
      started.push(prom);
      expect(() => assertOwnListener(prom.process.child.pid, prom.port)).not.toThrow();
    });
  },
);
