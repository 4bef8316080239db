// The /metrics handler: content negotiation, GET/HEAD only, optional auth, never a crash.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { register as globalRegistry } from 'prom-client';
import { authorized, challenge, checkAuth } from './auth.js';
import { negotiate, render } from './exposition.js';
import type { AnyRegistry, MetricsHandler, MetricsHandlerOptions } from './types.js';

let warned = false;

function reply(
  res: ServerResponse,
  status: number,
  body: string,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', ...headers });
  res.end(body);
}

/**
 * A Node `(req, res)` handler that serves the registry: OpenMetrics with exemplars when the
 * scraper's `Accept` asks for it, the classic text format otherwise.
 *
 * @example
 * app.get('/metrics', createMetricsHandler());
 */
export function createMetricsHandler(options: MetricsHandlerOptions = {}): MetricsHandler {
  const registry: AnyRegistry = options.registry ?? (globalRegistry as AnyRegistry);
  const auth = checkAuth('createMetricsHandler', options.auth);

  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    try {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        reply(res, 405, 'Method Not Allowed\n', { Allow: 'GET, HEAD' });
        return;
      }
      if (auth && !authorized(auth, req)) {
        reply(res, 401, 'Unauthorized\n', { 'WWW-Authenticate': challenge(auth) });
        return;
      }
      const { contentType, body } = await render(registry, negotiate(req.headers.accept));
      if (res.headersSent) return;
      res.writeHead(200, {
        'Content-Type': contentType,
        'Content-Length': Buffer.byteLength(body),
        'Cache-Control': 'no-store',
      });
      res.end(req.method === 'HEAD' ? undefined : body);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (!warned) {
        warned = true;
        process.emitWarning(
          `@ai-orchestrator/metrics: collection failed: ${message}`,
          'MetricsWarning',
        );
      }
      try {
        reply(res, 500, `metrics collection failed: ${message.slice(0, 200)}\n`);
      } catch {
        // the socket is gone; nothing left to tell
      }
    }
  };
}
