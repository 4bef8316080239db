// The full route template of an Express request, found without patching Express.
import type { ExpressRequest, ExpressRoute } from './types.js';

// Shared by every copy of this package, so two middlewares on one request watch it once.
const WATCHED = Symbol.for('@ai-orchestrator/express-monitoring.route');

interface Watched {
  template: string | undefined;
}

/** A route path as written: strings as is, a RegExp as `String(re)`, an array by its first entry. */
export function pathTemplate(path: unknown): string | undefined {
  if (Array.isArray(path)) return pathTemplate(path[0]);
  if (typeof path === 'string') return path;
  if (path instanceof RegExp) return String(path);
  return undefined;
}

/**
 * Express assigns `req.route` just before it runs a route's handlers, while `req.baseUrl` still
 * holds the mount prefix of every router and sub-app the request went through; once an error
 * unwinds those routers, `req.baseUrl` is restored to the parent's. So the template is captured
 * at that assignment, through an accessor on this one request object.
 */
export function watchRoute(req: ExpressRequest): () => string | undefined {
  const holder = req as ExpressRequest & { [WATCHED]?: Watched };
  const existing = holder[WATCHED];
  if (existing) return () => existing.template;

  const watched: Watched = { template: undefined };
  let route = req.route;
  const capture = (value: ExpressRoute | undefined): void => {
    route = value;
    const template = pathTemplate(value?.path);
    // A later route (after `next()`) wins; a route without a path keeps what was seen before.
    if (template !== undefined) watched.template = (req.baseUrl ?? '') + template;
  };
  try {
    Object.defineProperty(req, 'route', {
      configurable: true,
      enumerable: true,
      get: () => route,
      set: capture,
    });
    Object.defineProperty(req, WATCHED, { value: watched });
  } catch {
    // `route` cannot be redefined on this object: read it at the end, as Express leaves it.
    return () => {
      const template = pathTemplate(req.route?.path);
      return template === undefined ? undefined : (req.baseUrl ?? '') + template;
    };
  }
  if (route !== undefined) capture(route);
  return () => watched.template;
}
