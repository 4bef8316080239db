import { connect } from 'node:net';
import { freePort, freePorts } from '@ai-orchestrator/testkit';

// Ports this process handed out: one freed a moment ago can come back from the OS.
const handedOut = new Set<number>();

/** `preferred` when it is free on 127.0.0.1, else any free port; never one it gave before. */
export async function pickPort(preferred: number): Promise<number> {
  let port = await freePort(preferred);
  if (handedOut.has(port)) port = (await freePorts(1, [...handedOut]))[0] as number;
  handedOut.add(port);
  return port;
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
