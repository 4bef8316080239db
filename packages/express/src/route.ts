// The full route template of an Express request, found without patching Express.
import { IncomingMessage } from 'node:http';
import {
  distrustMounts,
  expressPathTemplate,
  mountedBaseUrl,
} from '@ai-orchestrator/metrics/shared';
import { followApp } from './mounts.js';
import type { ExpressRequest, ExpressRoute } from './types.js';

// What a request's `route` accessor holds: the route Express assigned and the full template
// (mount path + route path) of the last route with a path. One object per (route, mount path),
// made once and shared by every request that matches there, so a request builds no object or string.
interface Watched {
  readonly route: ExpressRoute | undefined;
  readonly template: string | undefined;
}

// Per-request state is never kept on the request: Express gives each request its prototype
// (`Object.setPrototypeOf(req, app.request)`), after which every request has a hidden class of its
// own, so a property added to it or read from it misses V8's caches. It is kept on the request's
// connection instead, in slots naming the request they are for (one hidden-class step per
// connection, shared by all of them): an entry in a WeakMap keyed by the short-lived request cost
// about 1 µs a request on Express (profiled, Node 20). The connection's next request takes the
// slots over; a request whose template was not read yet (pipelined, HTTP/2 streams sharing a
// session's socket, or a request no middleware timed) then moves to the WeakMap, as does one whose
// connection takes no property.

// Mount prefixes are written as mounted (see mounts.ts), but a mount that is not followed (a
// router reached through the app's own function, Express 5 with router < 2.3) gives each request
// its own prefix: past this many prefixes per route the template is built per request instead of
// cached.
const MAX_MOUNTS_PER_ROUTE = 64;

// Per route object: its path as last seen and its states by mount path (an app's routes and
// mount points are few).
interface Mounts {
  readonly path: unknown;
  readonly states: Map<string, Watched>;
}
const byRoute = new WeakMap<object, Mounts>();

/** The shared state of `route` reached through the mount path `base`. */
function stateAt(route: ExpressRoute | undefined, base: string): Watched {
  if (typeof route !== 'object' || route === null) return { route, template: undefined };
  const path = route.path;
  let mounts = byRoute.get(route);
  // A route whose path was changed since is seen anew.
  if (mounts === undefined || mounts.path !== path) {
    mounts = { path, states: new Map() };
    byRoute.set(route, mounts);
  }
  const cached = mounts.states.get(base);
  if (cached !== undefined) return cached;
  const template = expressPathTemplate(path);
  const state = { route, template: template === undefined ? undefined : base + template };
  if (mounts.states.size < MAX_MOUNTS_PER_ROUTE) mounts.states.set(base, state);
  return state;
}

// Shared by every copy of this package (through the global symbol registry), so two
// middlewares on one app install one accessor and read one template.
interface Shared {
  /** The template of a request whose response closed (see routeTemplate). */
  templateOf(req: ExpressRequest): string | undefined;
  get(this: ExpressRequest): ExpressRoute | undefined;
  set(this: ExpressRequest, value: ExpressRoute | undefined): void;
}
const SHARED = Symbol.for('@ai-orchestrator/express-monitoring.route-accessor.v3');
const FOR = Symbol('@ai-orchestrator/express-monitoring.route-request');
const STATE = Symbol('@ai-orchestrator/express-monitoring.route-state');
const READ = Symbol('@ai-orchestrator/express-monitoring.route-read');
interface Slots {
  [FOR]?: ExpressRequest;
  [STATE]?: Watched;
  /** Whether the template of the request in the slots was read (its response closed). */
  [READ]?: boolean;
}

const slot = globalThis as { [SHARED]?: Shared };
const shared: Shared = (slot[SHARED] ??= (() => {
  const moved = new WeakMap<object, Watched>();
  const keep = (req: ExpressRequest, state: Watched): void => {
    const socket = req.socket as (Slots & object) | null | undefined;
    if (socket !== null && typeof socket === 'object') {
      const held = socket[FOR];
      // (reading whether the held request's response closed would cost more than the move)
      if (held !== undefined && held !== req && socket[READ] !== true) {
        moved.set(held, socket[STATE] as Watched);
      }
      try {
        socket[FOR] = req;
        socket[STATE] = state;
        socket[READ] = false;
        return;
      } catch {
        // a connection that takes no property (frozen): the map then
      }
    }
    moved.set(req, state);
  };
  const stateOf = (req: ExpressRequest): Watched | undefined => {
    const socket = req.socket as Slots | null | undefined;
    if (socket?.[FOR] === req) return socket[STATE];
    return moved.get(req);
  };
  /** The template of `req` as its response closed: its slots may be taken over now. */
  const templateOf = (req: ExpressRequest): string | undefined => {
    const socket = req.socket as Slots | null | undefined;
    if (socket?.[FOR] !== req) return moved.get(req)?.template;
    socket[READ] = true;
    return socket[STATE]?.template;
  };
  return {
    templateOf,
    get() {
      return stateOf(this)?.route;
    },
    set(value) {
      // A sub-app is first seen here, from inside (its parent's router does not lead to it): a
      // request that passed the sub-app's parameterised mounts before they were followed has no
      // template to trust, and is labelled unmatched rather than with its own values.
      const app = (this as { app?: unknown }).app;
      if (app !== lastApp) {
        lastApp = app;
        if (followApp(app)) distrustMounts(this);
      }
      const base = mountedBaseUrl(this, this.baseUrl ?? '');
      const state =
        base === undefined ? { route: value, template: undefined } : stateAt(value, base);
      const before = state.template === undefined ? stateOf(this) : undefined;
      // A later route (after `next()`) wins; a route without a path keeps what was seen before.
      keep(
        this,
        before?.template === undefined ? state : { route: value, template: before.template },
      );
    },
  };
})());
const accessor = { get: shared.get, set: shared.set };
// The app of the last route assignment: one app per process is the common case.
let lastApp: unknown;

// Prototypes already given the accessor (or found unable to take it), checked once each.
const installed = new WeakMap<object, boolean>();

/**
 * Gives an Express app's request prototype (`app.request`, which Express puts under every `req`
 * of the app, and which mounted sub-apps inherit from) the `route` accessor, and follows the
 * app's parameterised mounts (see mounts.ts). Never Node's own `IncomingMessage.prototype`, nor an
 * object that is no Express app's request.
 */
function install(proto: object | null, req: ExpressRequest): boolean {
  if (proto === null) return false;
  const known = installed.get(proto);
  if (known !== undefined) return known;
  let ok = false;
  const own = Object.getOwnPropertyDescriptor(proto, 'route');
  if (own?.get === accessor.get) ok = true;
  else if (proto !== IncomingMessage.prototype && Object.hasOwn(proto, 'app') && !own) {
    // The app's mounts are followed before its first request is routed; a request that already
    // passed one (the middleware is used inside a mounted router or sub-app) has no template to
    // trust.
    if (followApp((proto as { app?: unknown }).app, req) && req.baseUrl) distrustMounts(req);
    try {
      Object.defineProperty(proto, 'route', { configurable: true, enumerable: false, ...accessor });
      ok = true;
    } catch {
      // a frozen prototype: the template is read when the request is over
    }
  }
  installed.set(proto, ok);
  return ok;
}

/** The template as Express leaves `req.route` and `req.baseUrl` when the request is over. */
function templateAtEnd(req: ExpressRequest): string | undefined {
  const template = expressPathTemplate(req.route?.path);
  const base = template === undefined ? undefined : mountedBaseUrl(req, req.baseUrl ?? '');
  return base === undefined ? undefined : base + template;
}

/**
 * The full template of a request `watchRoute` was called on: `req.baseUrl` + the route path as
 * they were when Express assigned `req.route`.
 */
export function routeTemplate(req: ExpressRequest): string | undefined {
  return shared.templateOf(req) ?? templateAtEnd(req);
}

// The last prototype seen: one app per process is the common case, so this is one comparison.
let lastProto: object | null = null;

/**
 * Express assigns `req.route` just before it runs a route's handlers, while `req.baseUrl` still
 * holds the mount prefix of every router and sub-app the request went through; once an error
 * unwinds those routers, `req.baseUrl` is restored to the parent's. So the template is captured
 * at that assignment, by an accessor on the app's request prototype (installed once per app:
 * per request one WeakMap write of a state shared by all requests of that route and mount path).
 * A request whose prototype cannot take it has its template read at the end (see
 * {@link routeTemplate}).
 *
 * @example
 * watchRoute(req); // in the middleware; later: routeTemplate(req)
 */
export function watchRoute(req: ExpressRequest): void {
  const proto = Object.getPrototypeOf(req) as object | null;
  if (proto !== lastProto && install(proto, req)) lastProto = proto;
}
