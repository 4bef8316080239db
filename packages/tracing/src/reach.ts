// Whether the collector takes TCP connections, asked once at shutdown: spans pending for a
// collector that refuses connections (or whose host does not resolve) are not waited for.
import { connect } from 'node:net';
import type { ReachCheck } from './export-queue.js';

// A connection that is neither made nor refused by then says nothing: shutdown keeps waiting.
const CONNECT_WAIT_MS = 1000;

/**
 * A check of the collector at `url`: resolves the connection error, or undefined when it connects
 * (or neither happens within a second). Never rejects.
 *
 * @example
 * await collectorReach('http://127.0.0.1:4318/v1/traces')(); // undefined when Jaeger listens
 */
export function collectorReach(url: string): ReachCheck {
  return () =>
    new Promise<unknown>((resolve) => {
      let target: URL;
      try {
        target = new URL(url);
      } catch {
        resolve(undefined);
        return;
      }
      const port = Number(target.port) || (target.protocol === 'https:' ? 443 : 80);
      const host = target.hostname.replace(/^\[|\]$/g, '');
      const socket = connect({ host, port });
      const timer = setTimeout(() => done(undefined), CONNECT_WAIT_MS);
      timer.unref();
      function done(error: unknown): void {
        clearTimeout(timer);
        socket.destroy();
        resolve(error);
      }
      socket.once('connect', () => done(undefined));
      socket.once('error', (error) => done(error));
    });
}
