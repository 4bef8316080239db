// The full route template of an Express request, found without patching Express.
import type { ExpressRequest, ExpressRoute } from './types.js';

// Shared by every copy of this package, so two middlewares on one request watch it once. A
// WeakMap rather than a property: each property added to an Express request copies its hidden
// class (Express gives every request its own), which costs more than the lookup.
const WATCHED = Symbol.for('@ai-orchestrator/express-monitoring.route');
const slot = globalThis as { [WATCHED]?: WeakMap<object, Watched> };
const watches = (slot[WATCHED] ??= new WeakMap());

interface Watched {
  route: ExpressRoute | undefined;
  template: string | undefined;
}

/** A route path as written: strings as is, a RegExp as `String(re)`, an array by its first entry. */
export function pathTemplate(path: unknown): string | undefined {
  if (Array.isArray(path)) return pathTemplate(path[0]);
  if (typeof path === 'string') return path;
  if (path instanceof RegExp) return String(path);
  return undefined;
}

// One getter and one setter for every request: V8 shares the hidden class of objects whose
// accessors are the same functions, where a closure per request would give each request its own
// class and make every property access on it in Express a slow, megamorphic one.
function getRoute(this: ExpressRequest): ExpressRoute | undefined {
  return watches.get(this)?.route;
}

function setRoute(this: ExpressRequest, value: ExpressRoute | undefined): void {
  const watched = watches.get(this);
  if (!watched) return;
  watched.route = value;
  const template = pathTemplate(value?.path);
  // A later route (after `next()`) wins; a route without a path keeps what was seen before.
  if (template !== undefined) watched.template = (this.baseUrl ?? '') + template;
}

/**
 * Express assigns `req.route` just before it runs a route's handlers, while `req.baseUrl` still
 * holds the mount prefix of every router and sub-app the request went through; once an error
 * unwinds those routers, `req.baseUrl` is restored to the parent's. So the template is captured
 * at that assignment, through an accessor on this one request object.
 */
export function watchRoute(req: ExpressRequest): () => string | undefined {
  const existing = watches.get(req);
  if (existing) return () => existing.template;

  const watched: Watched = { route: req.route, template: undefined };
  try {
    Object.defineProperty(req, 'route', {
      configurable: true,
      enumerable: true,
      get: getRoute,
      set: setRoute,
    });
  } catch {
    // `route` cannot be redefined on this object: read it at the end, as Express leaves it.
    return () => {
      const template = pathTemplate(req.route?.path);
      return template === undefined ? undefined : (req.baseUrl ?? '') + template;
    };
  }
  watches.set(req, watched);
  if (watched.route !== undefined) setRoute.call(req, watched.route);
  return () => watched.template;
}
