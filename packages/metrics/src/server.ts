// A metrics server on its own port, so /metrics never shares the API's port, auth or middleware.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { metricsHandlerFor } from './handler.js';
import { urlPath } from './mounted-paths.js';
import type { MetricsServer, MetricsServerOptions } from './types.js';
import { invalid } from './validate.js';
import { metricsWarnings } from './warnings.js';

/** The error a failed listen() rejects with: what failed, on which host and port, and what to do. */
function listenError(error: NodeJS.ErrnoException, host: string, port: number): Error {
  const where = `startMetricsServer: cannot listen on ${host}:${port}`;
  const hint =
    error.code === 'EADDRINUSE'
      ? `port ${port} on ${host} is already in use; pass another \`port\` (0 picks a free one)`
      : error.code === 'EACCES'
        ? `port ${port} needs privileges; use a port above 1023`
        : error.code === 'EADDRNOTAVAIL' || error.code === 'ENOTFOUND'
          ? `host ${host} is not an address of this machine`
          : error.message;
  return Object.assign(new Error(`${where}: ${hint}`, { cause: error }), { code: error.code });
}

/**
 * The warning for a server left on the default host (all interfaces) without auth; passing
 * `host`, even `'0.0.0.0'`, is an explicit choice and silences it.
 */
export function openWarning(
  options: MetricsServerOptions,
  host: string,
  port: number,
): string | undefined {
  if (options.host !== undefined || options.auth !== undefined) return undefined;
  return (
    `metrics server on ${host}:${port} (all interfaces) has no auth: anyone who can reach ` +
    "this port reads the metrics. Pass `auth`, or `host: '127.0.0.1'` to keep it local, or " +
    "`host: '0.0.0.0'` to choose all interfaces explicitly (no warning then)."
  );
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const failed = (error: NodeJS.ErrnoException): void => reject(listenError(error, host, port));
    server.once('error', failed);
    server.listen(port, host, () => {
      server.off('error', failed);
      resolve();
    });
  });
}

/**
 * Starts a standalone metrics server (`/metrics` and `/healthz`).
 *
 * @example
 * const server = await startMetricsServer({ port: 9464 });
 * // …
 * await server.close();
 */
export async function startMetricsServer(
  options: MetricsServerOptions = {},
): Promise<MetricsServer> {
  const where = 'startMetricsServer';
  const port = options.port ?? 9464;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw invalid(where, 'port', port, 'an integer from 0 to 65535');
  }
  const host = options.host ?? '0.0.0.0';
  if (typeof host !== 'string' || host === '')
    throw invalid(where, 'host', host, 'a host name or address');
  const path = options.path ?? '/metrics';
  if (typeof path !== 'string' || !path.startsWith('/')) {
    throw invalid(where, 'path', path, 'a path starting with "/"');
  }
  const handler = metricsHandlerFor(where, {
    ...(options.registry ? { registry: options.registry } : {}),
    ...(options.auth === undefined ? {} : { auth: options.auth }),
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
  });

  const server: Server = createServer((req, res) => {
    const url = urlPath(req.url);
    if (url === path) {
      // The handler catches everything itself; it never rejects.
      void handler(req, res);
    } else if (url === '/healthz') {
      res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('ok\n');
    } else {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('Not Found\n');
    }
  });

  await listen(server, port, host);
  // An 'error' without a listener would crash the process (EMFILE on accept, for one).
  server.on('error', (error) => {
    const code = 'AIO_METRICS_SERVER';
    metricsWarnings.once(code, `metrics server error: ${error.message}`, code);
  });
  const actual = (server.address() as AddressInfo).port;
  const open = openWarning(options, host, actual);
  if (open) metricsWarnings.once('AIO_METRICS_OPEN', open, 'AIO_METRICS_OPEN');
  const shownHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${shownHost.includes(':') ? `[${shownHost}]` : shownHost}:${actual}${path}`,
    port: actual,
    // Every call gets the same promise: a second close() resolves when the first does.
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      })),
  };
}
