// The /metrics handler: content negotiation, GET/HEAD only, optional auth, a deadline, never a
// crash. A failed or slow collection is answered without the collector's words (they may hold
// internals), logged once per process and counted in metrics_scrape_errors_total.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { register as globalRegistry } from 'prom-client';
import { authorized, challenge, checkAuth } from './auth.js';
import { METRICS, type SCRAPE_ERROR_REASONS } from './contract.js';
import { negotiate, renderStream } from './exposition.js';
import { ensureCounter, isRegistry } from './registry.js';
import { abandon, sendBody, type PendingBody } from './respond.js';
import { UNKNOWN_SERVICE } from './service-name.js';
import { serviceOf } from './state.js';
import type { AnyRegistry, MetricsAuth, MetricsHandler, MetricsHandlerOptions } from './types.js';
import { invalid, requirePositiveInteger } from './validate.js';
import { metricsWarnings } from './warnings.js';

// Prometheus' default scrape_timeout.
const DEFAULT_TIMEOUT_MS = 10_000;

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

/** The stream's first chunks, enough to tell a one-chunk body from a longer one. */
async function firstChunks(
  registry: AnyRegistry,
  accept: string | undefined,
): Promise<PendingBody> {
  const { contentType, chunks, release } = await renderStream(registry, negotiate(accept));
  const rest = chunks[Symbol.asyncIterator]();
  const read: Buffer[] = [];
  for (let i = 0; i < 2; i++) {
    const next = await rest.next();
    if (next.done === true) return { contentType, read, rest, whole: true, release };
    read.push(next.value);
  }
  return { contentType, read, rest, whole: false, release };
}

/** firstChunks(), or a Timeout after `ms`; a late result is abandoned, a late rejection handled. */
function renderWithin(registry: AnyRegistry, accept: string | undefined, ms: number) {
  return new Promise<PendingBody>((resolve, reject) => {
    let late = false;
    const timer = setTimeout(() => {
      late = true;
      reject(new Timeout(`collection took over ${ms} ms`));
    }, ms);
    firstChunks(registry, accept).then(
      (body) => {
        clearTimeout(timer);
        if (late) abandon(body.rest);
        else resolve(body);
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
  const message = error instanceof Error ? error.message : String(error);
  metricsWarnings.once(
    `scrape:${reason}`,
    `/metrics answered an error (${reason}): ${message}; ` +
      'later failures are only counted in metrics_scrape_errors_total',
  );
  try {
    const service = serviceOf(registry) ?? UNKNOWN_SERVICE;
    ensureCounter(registry, METRICS.scrapeErrors).inc({ service, reason });
  } catch {
    // a registry that refuses the counter still gets its answer
  }
}

interface CheckedOptions {
  readonly registry: AnyRegistry;
  readonly auth: MetricsAuth | undefined;
  readonly timeoutMs: number;
}

function checkOptions(where: string, options: unknown): CheckedOptions {
  if (options === undefined) options = {};
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw invalid(where, 'options', options, 'an object { registry?, auth?, timeoutMs? }');
  }
  const given = options as MetricsHandlerOptions;
  const registry = given.registry ?? (globalRegistry as AnyRegistry);
  if (!isRegistry(registry)) throw invalid(where, 'registry', registry, 'a prom-client Registry');
  const timeoutMs =
    given.timeoutMs === undefined
      ? DEFAULT_TIMEOUT_MS
      : requirePositiveInteger(where, 'timeoutMs', given.timeoutMs);
  return { registry, auth: checkAuth(where, given.auth), timeoutMs };
}

/**
 * The Node handler of {@link createNodeMetricsHandler}, with option errors named after `where`:
 * the public call of the package that builds it (`createMetricsMiddleware`, …).
 *
 * @example
 * const handler = metricsHandlerFor('createMetricsHandler', options);
 */
export function metricsHandlerFor(where: string, options: unknown): MetricsHandler {
  const { registry, auth, timeoutMs } = checkOptions(where, options);

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
      const deadline = performance.now() + timeoutMs;
      const body = await renderWithin(registry, req.headers.accept, timeoutMs);
      const late = (): Error => new Timeout(`sending the body took over ${timeoutMs} ms`);
      await sendBody(res, body, req.method === 'HEAD', deadline, late);
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

/**
 * A Node `(req, res)` handler that serves the registry: OpenMetrics with exemplars when the
 * scraper's `Accept` asks for it, the text format otherwise; GET and HEAD only (405 otherwise).
 *
 * @example
 * http.createServer(createNodeMetricsHandler({ registry })).listen(9464);
 */
export function createNodeMetricsHandler(options: MetricsHandlerOptions = {}): MetricsHandler {
  return metricsHandlerFor('createNodeMetricsHandler', options);
}

/**
 * The first name of {@link createNodeMetricsHandler}, which it is.
 *
 * @deprecated Use `createNodeMetricsHandler`, or the framework adapter's `createMetricsHandler`.
 * @example
 * app.get('/metrics', createMetricsHandler());
 */
export function createMetricsHandler(options: MetricsHandlerOptions = {}): MetricsHandler {
  return metricsHandlerFor('createMetricsHandler', options);
}
