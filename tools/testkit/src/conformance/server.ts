// Loopback servers for adapter tests, and a way to wait until the server is done with responses.
import { once } from 'node:events';
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ConformanceApp } from './types.js';

/**
 * Serves `listener` on a free 127.0.0.1 port; `close()` also ends keep-alive connections.
 *
 * @example
 * const app = await listen(express());
 */
export async function listen(listener: RequestListener): Promise<ConformanceApp> {
  const server = createServer(listener);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, close: () => closeServer(server) };
}

/** Stops `server` and closes every connection it holds, idle or not. */
export async function closeServer(server: Server): Promise<void> {
  if (!server.listening) return;
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeAllConnections();
  await closed;
}

/** The base URL of a server listening on 127.0.0.1. */
export function urlOf(server: Server): string {
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Waits on the responses of one server. */
export interface ResponseTracker {
  /** Resolves once every response the server has started is closed (finished or aborted). */
  settled(): Promise<void>;
}

/**
 * Tracks the responses of `server`. Its listener runs before the app's, so by the time
 * `settled()` resumes a test, every `close` listener of the app and the adapter has run.
 *
 * @example
 * const { settled } = trackResponses(app.server);
 * await fetch(url); await settled();
 */
export function trackResponses(server: Server): ResponseTracker {
  let open = 0;
  const waiters: (() => void)[] = [];
  server.prependListener('request', (req, res) => {
    open += 1;
    let closed = false;
    const close = () => {
      if (closed) return;
      closed = true;
      open -= 1;
      if (open === 0) for (const wake of waiters.splice(0)) wake();
    };
    res.once('close', close);
    // A pipelined response still queued behind another when the client hangs up never closes.
    req.once('close', () => {
      if (res.socket === null && !res.writableFinished) close();
    });
  });
  return {
    settled: () =>
      open === 0 ? Promise.resolve() : new Promise<void>((resolve) => waiters.push(resolve)),
  };
}
