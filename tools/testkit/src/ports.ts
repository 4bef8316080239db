import { createServer } from 'node:net';

function tryListen(port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(undefined));
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      const actual = typeof address === 'object' && address ? address.port : undefined;
      server.close(() => resolve(actual));
    });
  });
}

/**
 * A TCP port that was free on 127.0.0.1 a moment ago: `preferred` when it is free (the demo
 * keeps the well-known ports), else one the OS picks.
 *
 * @example
 * const port = await freePort();
 */
export async function freePort(preferred?: number): Promise<number> {
  const port = (preferred ? await tryListen(preferred) : undefined) ?? (await tryListen(0));
  if (port === undefined) throw new Error('no free TCP port on 127.0.0.1');
  return port;
}

/**
 * `count` distinct free ports: a port freed a moment ago can come back from the OS, so picking
 * them one by one could hand two listeners the same one.
 *
 * @example
 * const [web, cluster] = await freePorts(2);
 */
export async function freePorts(count: number, taken: readonly number[] = []): Promise<number[]> {
  const ports: number[] = [];
  while (ports.length < count) {
    const port = await freePort();
    if (!ports.includes(port) && !taken.includes(port)) ports.push(port);
  }
  return ports;
}
