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
 * `router.use('/v1', inner.routes())` mounts already joined, and the koa-mount paths in front of
 * a mounted app's routes (`mountedTemplate`). `url` and `mount` are what the middleware saw when
 * the request came in. Undefined without a router or a match.
 */
function routeOf(ctx: KoaContextLike, url: string, mount: string): string | undefined {
  const route = (ctx as { _matchedRoute?: unknown })._matchedRoute;
  if (typeof route === 'string') {
    // No koa-mount ran on this request (koa-mount sets mountPath and leaves it set): the
    // template is the whole path's already.
    if (ctx.mountPath === undefined) return route;
    const innermost = mountPathOf(ctx);
    // the mount under the one the middleware is in, when the request entered one
    const under = innermost === mount ? mount : mount + innermost;
    const prefixes = under === mount ? [mount, ''] : [under, mount, ''];
    // Else the innermost mount path known: mount paths only, so mounted apps do not merge.
    return mountedTemplate(ctx, route, mount + urlPath(url), prefixes) ?? under + route;
  }
  return route instanceof RegExp ? String(route) : undefined;
}

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

// A segment of a template that is not literal: a parameter, a wildcard, an optional part.
const PATTERN = /[:*?+(){}]/;

/** `part` and `actual` are one literal segment (the router matches without case by default). */
const same = (part: string, actual: string | undefined): boolean =>
  actual !== undefined && part.toLowerCase() === actual.toLowerCase();

/** What the adapter reads of an @koa/router layer (13 and 15). */
interface LayerLike {
  readonly path?: unknown;
  readonly methods?: unknown;
  captures?(path: string): unknown;
}

/** The layer of the route `template` the router ran last, from its `ctx.matched`. */
function routeLayer(ctx: KoaContextLike, template: string): LayerLike | undefined {
  const matched = (ctx as { matched?: unknown }).matched;
  if (!Array.isArray(matched)) return undefined;
  for (let i = matched.length - 1; i >= 0; i--) {
    const layer = matched[i] as LayerLike | null | undefined;
    if (
      layer?.path === template &&
      Array.isArray(layer.methods) &&
      layer.methods.length > 0 &&
      typeof layer.captures === 'function'
    ) {
      return layer;
    }
  }
  return undefined;
}

/** The values the layer captures from `path` are the ones the router captured (`ctx.captures`). */
function capturesAgain(layer: LayerLike, path: string, captured: readonly unknown[]): boolean {
  let again: unknown;
  try {
    again = layer.captures?.(path);
  } catch {
    return false;
  }
  return (
    Array.isArray(again) &&
    again.length === captured.length &&
    again.every((value, i) => value === captured[i])
  );
}

/**
 * The whole template of a route matched on a request koa-mount passed: the mount paths the route
 * was matched under, then the template. `path` is the request's path in the app the middleware is
 * used in, with the mount that app is under in front; the router matched its end after one of
 * `prefixes` (longest first), which are mount paths the developer wrote (under a mount, that
 * app's own, a mount inside it, or none: the mounted app handed the request back to its parent's
 * router), never a request's own values. A template of literal and `:param` segments matched as
 * many segments as it has, each literal one equal. Another (wildcards, optional parts) matched
 * where its layer captures from the rest of the path what the router captured; without the layer,
 * where its literal first segments are. Undefined when no prefix fits: the caller keeps the
 * innermost mount it knows.
 */
function mountedTemplate(
  ctx: KoaContextLike,
  template: string,
  path: string,
  prefixes: readonly string[],
): string | undefined {
  const actual = segmentsOf(path);
  const own = segmentsOf(template);
  const plain = own.every((part) => !PATTERN.test(part) || /^:\w+$/.test(part));
  const layer = plain ? undefined : routeLayer(ctx, template);
  const captured = (ctx as { captures?: unknown }).captures;
  const head = plain
    ? own
    : own.slice(
        0,
        own.findIndex((part) => PATTERN.test(part)),
      );
  for (const prefix of prefixes) {
    const cut = segmentsOf(prefix).length;
    if (`/${actual.slice(0, cut).join('/')}` !== (cut === 0 ? '/' : prefix)) continue;
    if (layer !== undefined && Array.isArray(captured)) {
      const rest = `/${actual.slice(cut).join('/')}`;
      if (capturesAgain(layer, rest, captured)) return prefix + template;
      continue;
    }
    if (plain ? actual.length - cut !== own.length : head.length === 0) continue;
    if (head.every((part, i) => part.startsWith(':') || same(part, actual[cut + i]))) {
      return prefix + template;
    }
  }
  return undefined;
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

/**
 * routeOf for a request the middleware saw at the app's own URL (no koa-mount above it, no
 * rewrite before it), the common case: what it needs is on `ctx`, so no closure is made for it.
 */
function routeAtOriginalUrl(ctx: KoaContextLike): string | undefined {
  return routeOf(ctx, ctx.originalUrl ?? '', '');
}

function recordRequest(metrics: Metrics, ctx: KoaContextLike, url: string): void {
  try {
    const mount = mountOf(ctx, url);
    // Koa writes the response after the middleware chain returns, and its error handling picks
    // the status a throw ends with; Node's 'finish' is the one moment that sees what was sent.
    if (mount === '' && url === ctx.originalUrl) {
      instrumentRequest(metrics.http, ctx.req, ctx.res, routeAtOriginalUrl, ctx);
    } else {
      instrumentRequest(metrics.http, ctx.req, ctx.res, () => routeOf(ctx, url, mount));
    }
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
