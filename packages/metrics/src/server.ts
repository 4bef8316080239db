// A metrics server on its own port, so /metrics never shares the API's port, auth or middleware.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { checkAuth } from './auth.js';
import { createMetricsHandler } from './handler.js';
import type { MetricsServer, MetricsServerOptions } from './types.js';
import { invalid } from './validate.js';

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
  const auth = checkAuth(where, options.auth);
  const handler = createMetricsHandler({
    ...(options.registry ? { registry: options.registry } : {}),
    ...(auth ? { auth } : {}),
  });

  const server: Server = createServer((req, res) => {
    const url = (req.url ?? '/').split('?')[0];
    if (url === path) {
      void handler(req, res);
    } else if (url === '/healthz') {
      res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('ok\n');
    } else {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('Not Found\n');
    }
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const actual = (server.address() as AddressInfo).port;
  const shownHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return {
    url: `http://${shownHost.includes(':') ? `[${shownHost}]` : shownHost}:${actual}${path}`,
    port: actual,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
