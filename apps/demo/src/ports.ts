import { createServer, connect } from 'node:net';

// Ports this process handed out: one freed a moment ago can come back from the OS.
const handedOut = new Set<number>();

/** `preferred` when it is free on 127.0.0.1, else any free port; never one it gave before. */
export async function pickPort(preferred: number): Promise<number> {
  let port = await freeOrAny(preferred);
  while (handedOut.has(port)) port = await freeOrAny(0);
  handedOut.add(port);
  return port;
}

async function freeOrAny(preferred: number): Promise<number> {
  const tryListen = (port: number) =>
    new Promise<number | undefined>((resolve) => {
      const server = createServer();
      server.once('error', () => resolve(undefined));
      server.listen(port, '127.0.0.1', () => {
        const address = server.address();
        const actual = typeof address === 'object' && address ? address.port : undefined;
        server.close(() => resolve(actual));
      });
    });
  return (await tryListen(preferred)) ?? ((await tryListen(0)) as number);
}

/** True when something accepts TCP connections on 127.0.0.1:port. */
export function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.setTimeout(500);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(false));
  });
}
