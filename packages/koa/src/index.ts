// Koa 2 and 3 adapter: translates Koa's request lifecycle into the metrics core's calls.
import type { Metrics, MetricsHandler } from '@ai-orchestrator/metrics';
import {
  instrumentRequest,
  metricsHandlerFor,
  resolveAdapterOptions,
  timedBy,
  urlPath,
} from '@ai-orchestrator/metrics/adapter';
import type {
  KoaContextLike,
  KoaMetricsHandlerOptions,
  KoaMetricsMiddleware,
  KoaMonitoringOptions,
} from './types.js';

export type {
  KoaContextLike,
  KoaMetricsHandlerOptions,
  KoaMetricsMiddleware,
  KoaMetricsRouteOptions,
  KoaMonitoringOptions,
} from './types.js';

/**
 * The route template @koa/router matched: the full layer path, with router prefixes and nested
 * `router.use('/v1', inner.routes())` mounts already joined. Undefined without a router or a match.
 */
function routeOf(ctx: KoaContextLike, mount: string): string | undefined {
  const route = (ctx as { _matchedRoute?: unknown })._matchedRoute;
  if (typeof route === 'string') return mount === '' ? route : mount + route;
  return route instanceof RegExp ? String(route) : undefined;
}

/**
 * The path koa-mount cut off `ctx.url` before this app's middleware ran (`/api` for
 * `mount('/api', app)`), or ''. A mounted app's router matches relative paths: its template
 * gets this prefix back, so the label is the full path as in Express and Fastify.
 */
function mountOf(ctx: KoaContextLike, url: string): string {
  const full = ctx.originalUrl;
  // only koa-mount's cut: a rewrite of ctx.url (`/legacy/users/7` to `/users/7`) is no mount
  if (full === url || full === undefined || ctx.mountPath === undefined) return '';
  const path = urlPath(url);
  const fullPath = urlPath(full);
  if (fullPath.endsWith(path)) return fullPath.slice(0, fullPath.length - path.length);
  // koa-mount's own root: `/api` (or `/api?x=1`) reaches the mounted app as `/`
  return path === '/' ? fullPath : '';
}

function serve(handler: MetricsHandler, ctx: KoaContextLike): Promise<void> {
  // The core handler writes the raw response itself, so Koa must not respond after it.
  ctx.respond = false;
  return handler(ctx.req, ctx.res);
}

function recordRequest(metrics: Metrics, ctx: KoaContextLike, url: string): void {
  try {
    const mount = mountOf(ctx, url);
    // Koa writes the response after the middleware chain returns, and its error handling picks
    // the status a throw ends with; Node's 'finish' is the one moment that sees what was sent.
    instrumentRequest(metrics.http, ctx.req, ctx.res, () => routeOf(ctx, mount));
  } catch {
    // instrumentation never breaks the request it observes
  }
}

/**
 * Koa middleware that records the HTTP server metrics of every request and serves the registry
 * on `metricsPath` (default `/metrics`, relative to a koa-mount path; `false` serves nothing
 * in-app). Mount it first, so it times the whole chain and sees the status error handlers set.
 *
 * @example
 * app.use(createMetricsMiddleware('checkout-api'));
 */
export function createMetricsMiddleware(
  options?: string | KoaMonitoringOptions,
): KoaMetricsMiddleware {
  const { metrics, handler, classify } = resolveAdapterOptions('createMetricsMiddleware', options);
  // Not async: handing on next()'s own promise saves a promise and a microtask per request.
  return function metricsMiddleware(ctx, next) {
    // A getter chain through ctx.request: read once. Under koa-mount it is relative to the mount
    // path, so metricsPath and ignorePaths are paths of the mounted app, as its routes are.
    const url = ctx.url;
    const action = classify(url);
    // (a mounted app's instance on a request an outer instance of the same metrics object times:
    // the outer one, whose options and auth did not serve this path, decides)
    if (action === 'metrics' && !timedBy(metrics.http, ctx.req, ctx.res)) {
      return serve(handler, ctx);
    }
    if (action === 'record') recordRequest(metrics, ctx, url);
    return next() as Promise<void>; // Koa ignores what a middleware's promise resolves to
  };
}

/**
 * Koa middleware that serves the registry (text or OpenMetrics by `Accept`, GET/HEAD only,
 * optional auth), for mounting on a router of your own.
 *
 * @example
 * router.get('/metrics', createMetricsHandler({ registry }));
 */
export function createMetricsHandler(options: KoaMetricsHandlerOptions = {}): KoaMetricsMiddleware {
  const handler = metricsHandlerFor('createMetricsHandler', options);
  return (ctx) => serve(handler, ctx);
}

/**
 * The first name of {@link createMetricsHandler}, which it is.
 *
 * @deprecated Use `createMetricsHandler`, the name every adapter gives its metrics handler.
 * @example
 * router.get('/metrics', createMetricsRoute({ registry }));
 */
export const createMetricsRoute: typeof createMetricsHandler = createMetricsHandler;
