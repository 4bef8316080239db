import { existsSync, readFileSync, readdirSync, readlinkSync } from 'node:fs';
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

// What each server prints when the port it was given is already bound (Go servers, redis-server,
// Node), and what assertOwnListener() throws.
const CLASH = /address already in use|EADDRINUSE|Failed listening on port|held by another process/i;

/** The error says a server could not have the port it was given. */
export function isPortClash(error: unknown): boolean {
  return CLASH.test(error instanceof Error ? error.message : String(error));
}

/**
 * Starts a server on ports picked inside `start`, and starts it again on newly picked ones when it
 * lost a port to another process between the pick and its bind (free ports are only free "a
 * moment ago": parallel test files pick from the same pool). Other errors are thrown at once.
 *
 * @example
 * const prom = await retryOnPortClash(async () => launchOn(await freePort()));
 */
export async function retryOnPortClash<T>(start: () => Promise<T>, attempts = 4): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await start();
    } catch (error) {
      if (attempt >= attempts || !isPortClash(error)) throw error;
    }
  }
}

function listenerInodes(port: number): Set<string> {
  const inodes = new Set<string>();
  const hex = port.toString(16).toUpperCase().padStart(4, '0');
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    if (!existsSync(table)) continue;
    for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      // local_address is HEXIP:HEXPORT, state 0A is LISTEN, the tenth field is the socket's inode
      if (fields[1]?.endsWith(`:${hex}`) && fields[3] === '0A') inodes.add(fields[9]!);
    }
  }
  return inodes;
}

/** The socket inodes `pid` holds; 'exited' when it is gone, undefined when /proc will not say. */
function socketInodes(pid: number): Set<string> | 'exited' | undefined {
  const inodes = new Set<string>();
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'exited' : undefined;
  }
  for (const fd of fds) {
    try {
      const socket = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (socket) inodes.add(socket[1]!);
    } catch {
      // the fd closed while we looked
    }
  }
  return inodes;
}

/**
 * Throws a port clash when what answers on `port` is not `pid`'s listener: a server that lost its
 * port to another one would otherwise look ready through the other server's answers, then exit.
 * It reads /proc, and checks nothing where /proc does not show the port's listener or the
 * process's sockets (another OS, a sandbox that hides them).
 */
export function assertOwnListener(pid: number | undefined, port: number): void {
  if (pid === undefined || !existsSync('/proc/net/tcp')) return;
  const own = socketInodes(pid);
  if (own === 'exited') {
    throw new Error(`port ${port} is held by another process: process ${pid} has exited`);
  }
  const listeners = listenerInodes(port);
  if (own === undefined || listeners.size === 0) return;
  if ([...listeners].some((inode) => own.has(inode))) return;
  throw new Error(`port ${port} is held by another process: its listener is not process ${pid}'s`);
}
