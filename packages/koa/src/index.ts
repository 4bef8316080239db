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
 * `router.use('/v1', inner.routes())` mounts already joined, and the koa-mount path in front of a
 * mounted app's routes (`mountedTemplate`). Undefined without a router or a match.
 */
function routeOf(ctx: KoaContextLike, mount: string): string | undefined {
  const route = (ctx as { _matchedRoute?: unknown })._matchedRoute;
  if (typeof route === 'string') {
    // No koa-mount ran on this request (koa-mount sets mountPath and leaves it set): the
    // template is the whole path's already.
    if (ctx.mountPath === undefined) return route;
    return mountedTemplate(ctx, route) ?? (mount === '' ? route : mount + route);
  }
  return route instanceof RegExp ? String(route) : undefined;
}

// A template whose segments are each a literal or one `:param`: it matched exactly as many
// segments of a path as it has. Wildcards, optional and custom-pattern parameters do not.
const PLAIN_TEMPLATE = /^(?:\/(?:[^/:*?+(){}]*|:\w+))*\/?$/;

/** A path's segments, without the trailing slash the router ignores (`/a/b/` is `/a/b`). */
function segmentsOf(path: string): string[] {
  const parts = path.split('/');
  parts.shift();
  if (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  return parts;
}

/** koa-mount's path without its trailing slash (`mount('/api/', app)` serves `/api/...`). */
function mountPathOf(ctx: KoaContextLike): string {
  return (ctx.mountPath ?? '').replace(/\/+$/, '');
}

/**
 * The whole template of a route matched on a request koa-mount passed, read when the response
 * closed, wherever the middleware is (in the mounted app, or in a parent app around the mount,
 * where the mount it saw is ''). By then koa-mount has put back the path of the app it was used
 * in: the router matched its last segments, as many as the template has, each literal one equal,
 * and the segments before are what koa-mount cut. That cut is trusted only when it is the mount
 * path itself, or nothing (the mounted app handed the request back to its parent's router): a
 * rewrite of the URL or nested mounts may put a request's own values there. Undefined otherwise,
 * and for a template that is not plain: the caller keeps the mount it saw.
 */
function mountedTemplate(ctx: KoaContextLike, template: string): string | undefined {
  if (!PLAIN_TEMPLATE.test(template)) return undefined;
  const path = segmentsOf(urlPath(ctx.url));
  const own = segmentsOf(template);
  const cut = path.length - own.length;
  if (cut < 0) return undefined;
  for (let i = 0; i < own.length; i++) {
    const part = own[i] as string;
    if (!part.startsWith(':') && part.toLowerCase() !== (path[cut + i] as string).toLowerCase()) {
      return undefined;
    }
  }
  if (cut === 0) return template;
  const mount = mountPathOf(ctx);
  return `/${path.slice(0, cut).join('/')}` === mount ? mount + template : undefined;
}

/**
 * The path koa-mount cut off `ctx.url` before this app's middleware ran (`/api` for
 * `mount('/api', app)`), or ''. A mounted app's router matches relative paths: its template
 * gets this prefix back, so the label is the full path as in Express and Fastify. Only the mount
 * path itself: a cut that holds more (a rewrite before the mount, `/t/acme/api/...` to
 * `/api/...`, or an outer mount) gives the innermost mount path, never a request's own values.
 */
function mountOf(ctx: KoaContextLike, url: string): string {
  const full = ctx.originalUrl;
  // only koa-mount's cut: a rewrite of ctx.url (`/legacy/users/7` to `/users/7`) is no mount
  if (full === url || full === undefined || ctx.mountPath === undefined) return '';
  return mountPathOf(ctx);
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
