// The /metrics handler: content negotiation, GET/HEAD only, optional auth, a deadline, never a
// crash. A failed or slow collection is answered without the collector's words (they may hold
// internals), logged once per process and counted in metrics_scrape_errors_total.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { register as globalRegistry } from 'prom-client';
import { authorized, challenge, checkAuth } from './auth.js';
import { METRICS, type SCRAPE_ERROR_REASONS } from './contract.js';
import { negotiate, render } from './exposition.js';
import { ensureCounter } from './registry.js';
import { serviceOf } from './state.js';
import type { AnyRegistry, Exposition, MetricsHandler, MetricsHandlerOptions } from './types.js';
import { requirePositiveInteger } from './validate.js';

// Prometheus' default scrape_timeout.
const DEFAULT_TIMEOUT_MS = 10_000;
const warned = new Set<string>();

type Reason = (typeof SCRAPE_ERROR_REASONS)[number];

function reply(
  res: ServerResponse,
  status: number,
  body: string,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent || res.destroyed) {
    res.end();
    return;
  }
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', ...headers });
  res.end(body);
}

class Timeout extends Error {}

/** render(), or a Timeout after `ms`; a late rejection of render() is handled, not floating. */
function renderWithin(registry: AnyRegistry, accept: string | undefined, ms: number) {
  return new Promise<Exposition>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Timeout(`collection took over ${ms} ms`)), ms);
    render(registry, negotiate(accept)).then(
      (exposition) => {
        clearTimeout(timer);
        resolve(exposition);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

/** Logs the first failure of each kind, and counts every one. */
function recordFailure(registry: AnyRegistry, reason: Reason, error: unknown): void {
  if (!warned.has(reason)) {
    warned.add(reason);
    const message = error instanceof Error ? error.message : String(error);
    process.emitWarning(
      `@ai-orchestrator/metrics: /metrics answered an error (${reason}): ${message}; ` +
        'later failures are only counted in metrics_scrape_errors_total',
      'MetricsWarning',
    );
  }
  try {
    const service = serviceOf(registry) ?? 'unknown_service:node';
    ensureCounter(registry, METRICS.scrapeErrors).inc({ service, reason });
  } catch {
    // a registry that refuses the counter still gets its answer
  }
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
  const timeoutMs =
    options.timeoutMs === undefined
      ? DEFAULT_TIMEOUT_MS
      : requirePositiveInteger('createMetricsHandler', 'timeoutMs', options.timeoutMs);

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
      const { contentType, body } = await renderWithin(registry, req.headers.accept, timeoutMs);
      if (res.headersSent || res.destroyed) return;
      res.writeHead(200, {
        'Content-Type': contentType,
        'Content-Length': Buffer.byteLength(body),
        'Cache-Control': 'no-store',
      });
      res.end(req.method === 'HEAD' ? undefined : body);
    } catch (error) {
      const timedOut = error instanceof Timeout;
      recordFailure(registry, timedOut ? 'timeout' : 'collector_failed', error);
      try {
        if (timedOut) reply(res, 503, 'metrics collection timed out\n', { 'Retry-After': '1' });
        else reply(res, 500, 'metrics collection failed\n');
      } catch {
        // the socket is gone; nothing left to tell
      }
    }
  };
}
