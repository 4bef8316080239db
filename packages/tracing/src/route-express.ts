// The lean profile's Express part (Express 4 and 5): the full route template on the HTTP server
// span, with no span per layer and no wrapper around every layer. Express assigns a route to the
// request in `Route#dispatch`, while `req.baseUrl` holds the mount prefixes the request went
// through: that one call, once per matched route, is where the route is written. A mount prefix
// with parameters (`app.use('/teams/:team', router)`) puts the request's values in `req.baseUrl`,
// so only the layers of such mounts record, per request, the template they were mounted under,
// and put back what was recorded before when the request leaves the mount.
import { expressPathTemplate } from '@ai-orchestrator/metrics/shared';
import {
  InstrumentationBase,
  InstrumentationNodeModuleDefinition,
} from '@opentelemetry/instrumentation';
import { moduleValue, serverMetadata } from './route.js';

interface Request {
  readonly baseUrl?: unknown;
}
type Handler = (this: unknown, req: Request, res: unknown, next: unknown) => unknown;
interface Layer {
  /** The part of the path this layer matched for the request being handled. */
  readonly path?: unknown;
  // Express 5's router calls the first, Express 4 the second
  handleRequest?: Handler;
  handle_request?: Handler;
}
interface Router {
  readonly stack?: Layer[];
  use(this: Router, ...args: unknown[]): unknown;
}
interface Route {
  readonly path?: unknown;
  dispatch(this: Route, req: Request, res: unknown, done: unknown): unknown;
}
interface ExpressModule {
  // Express 5: the router package's class; Express 4: an object of methods, routers inherit it
  readonly Router?: { readonly prototype?: Partial<Router> } & Partial<Router>;
  readonly Route?: { readonly prototype?: Partial<Route> };
}

// The prefix templates of the parameterised mounts a request entered, innermost first: `raw` is
// `req.baseUrl` as it was inside the mount, `template` the same prefix written as mounted.
interface Mount {
  readonly raw: string;
  readonly template: string;
  readonly outer: Mount | undefined;
}
const mounts = new WeakMap<object, Mount>();
// No WeakMap look-up per request until some app mounts under a prefix with parameters.
let parameterisedMounts = false;

const PARAMETER = /[:*?+()[\]{}]/;

/**
 * Whether a mount path puts request values into `req.baseUrl` (a literal prefix does not). An
 * array of paths is not followed: which entry matched is not known, so its routes keep the
 * request's own prefix.
 */
function parameterised(path: unknown): boolean {
  if (typeof path === 'string') return PARAMETER.test(path);
  return path instanceof RegExp;
}

const withoutTrailingSlash = (path: string): string =>
  path.endsWith('/') ? path.slice(0, -1) : path;

/** `raw` (a `req.baseUrl`) written with the templates of the mounts the request is inside. */
function baseTemplate(req: object, raw: string): string {
  for (let mount = mounts.get(req); mount !== undefined; mount = mount.outer) {
    if (raw === mount.raw) return mount.template;
    // a literal mount inside a parameterised one keeps its text
    if (raw.startsWith(mount.raw) && raw.charCodeAt(mount.raw.length) === 0x2f) {
      return mount.template + raw.slice(mount.raw.length);
    }
  }
  return raw;
}

// How to find, inside a mount, where `req.baseUrl` held the outer prefix. A template of literal
// and `:name` segments (each matches one segment) gives the count of segments to drop; for any
// other shape Express 4 keeps the part the layer matched in `layer.path` (shared by concurrent
// requests: read only where the count cannot serve), Express 5's router keeps nothing, and such a
// mount keeps its raw prefix in the route.
interface MountShape {
  readonly template: string;
  readonly segments: number | undefined;
}

function shapeOf(path: unknown): MountShape {
  const template = withoutTrailingSlash(expressPathTemplate(path) ?? '');
  const simple = typeof path === 'string' && !/[*?+()[\]{}]/.test(path);
  return {
    template,
    segments: simple ? template.split('/').filter((s) => s !== '').length : undefined,
  };
}

/** `raw` without its last `count` path segments, or undefined if it has fewer. */
function dropSegments(raw: string, count: number): string | undefined {
  let end = raw.length;
  for (let i = 0; i < count; i++) {
    end = raw.lastIndexOf('/', end - 1);
    if (end < 0) return undefined;
  }
  return raw.slice(0, end);
}

/** `req.baseUrl` as it was outside the mount the request just entered through `layer`. */
function outerPrefix(layer: Layer, raw: string, shape: MountShape): string | undefined {
  if (shape.segments !== undefined) return dropSegments(raw, shape.segments);
  if (typeof layer.path !== 'string') return undefined;
  const matched = withoutTrailingSlash(layer.path);
  return raw.endsWith(matched) ? raw.slice(0, raw.length - matched.length) : undefined;
}

/**
 * Records, as the request enters a parameterised mount, the template of its new `req.baseUrl`;
 * returns what was recorded before, to be put back when the request leaves the mount, or `false`
 * when nothing was recorded.
 */
function enterMount(layer: Layer, req: Request, shape: MountShape): Mount | undefined | false {
  const raw = req.baseUrl;
  if (typeof raw !== 'string' || serverMetadata() === undefined) return false;
  const outer = outerPrefix(layer, raw, shape);
  if (outer === undefined) return false;
  const before = mounts.get(req);
  mounts.set(req, { raw, template: baseTemplate(req, outer) + shape.template, outer: before });
  return before;
}

/** The mount's `next`, which first puts back the record of the mounts outside it. */
function leaving(req: Request, before: Mount | undefined, next: unknown): unknown {
  if (typeof next !== 'function') return next;
  return function (this: unknown, ...args: unknown[]): unknown {
    if (before === undefined) mounts.delete(req);
    else mounts.set(req, before);
    return (next as (...a: unknown[]) => unknown).apply(this, args);
  };
}

/** Gives the layers a parameterised mount added their own request method, which records it. */
function recordMounts(layers: readonly Layer[], path: unknown): void {
  const shape = shapeOf(path);
  for (const layer of layers) {
    const method = typeof layer.handleRequest === 'function' ? 'handleRequest' : 'handle_request';
    const handle = layer[method];
    if (typeof handle !== 'function') continue;
    const own = function (this: unknown, req: Request, res: unknown, next: unknown): unknown {
      let out = next;
      try {
        const before = enterMount(layer, req, shape);
        // a request that leaves the mount (no match, `next('router')`, an error) leaves its record
        if (before !== false) out = leaving(req, before, next);
      } catch {
        // a request we cannot follow keeps the raw prefix in its route
      }
      return handle.call(this, req, res, out);
    };
    // an own property of this layer only (not enumerable, as the prototype's method is not):
    // every other layer keeps the prototype's method
    Object.defineProperty(layer, method, { value: own, writable: true, configurable: true });
    parameterisedMounts = true;
  }
}

/** The mount path of a `use()` call, as Express reads its arguments. */
function mountPath(args: readonly unknown[]): unknown {
  let first = args[0];
  while (Array.isArray(first) && first.length !== 0) first = first[0];
  return typeof first === 'function' ? '/' : args[0];
}

function using(original: Router['use']): Router['use'] {
  return function use(this: Router, ...args: unknown[]): unknown {
    const before = Array.isArray(this.stack) ? this.stack.length : -1;
    const out = original.apply(this, args);
    try {
      const path = mountPath(args);
      if (before >= 0 && Array.isArray(this.stack) && parameterised(path)) {
        recordMounts(this.stack.slice(before), path);
      }
    } catch {
      // a mount we cannot follow keeps the raw prefix in its routes
    }
    return out;
  };
}

function dispatching(original: Route['dispatch']): Route['dispatch'] {
  return function dispatch(this: Route, req, res, done) {
    const metadata = serverMetadata();
    if (metadata !== undefined) {
      try {
        const path = expressPathTemplate(this.path);
        const base = typeof req.baseUrl === 'string' ? req.baseUrl : '';
        // a later route (after `next()`) overwrites an earlier one
        if (path !== undefined) {
          metadata.route = (parameterisedMounts ? baseTemplate(req, base) : base) + path;
        }
      } catch {
        // the span keeps the route it had
      }
    }
    return original.call(this, req, res, done);
  };
}

function moduleOf(exports: unknown): ExpressModule | undefined {
  const express = moduleValue<ExpressModule>(exports);
  return typeof express === 'function' || typeof express === 'object' ? express : undefined;
}

/** Where `use` lives: Express 5's Router class prototype, or Express 4's router methods object. */
function routerMethods(express: ExpressModule): Partial<Router> | undefined {
  const router = express.Router;
  if (typeof router?.prototype?.use === 'function') return router.prototype;
  return typeof router?.use === 'function' ? router : undefined;
}

/** Names Express's HTTP server spans by their full route without a span or wrapper per layer. */
export class ExpressRouteInstrumentation extends InstrumentationBase {
  constructor() {
    super('@ai-orchestrator/tracing/express-route', '1.0.0', {});
  }

  protected init(): InstrumentationNodeModuleDefinition {
    return new InstrumentationNodeModuleDefinition(
      'express',
      ['>=4.0.0 <6'],
      (exports: unknown) => {
        const express = moduleOf(exports);
        const route = express?.Route?.prototype;
        const router = express && routerMethods(express);
        if (typeof route?.dispatch === 'function')
          this._wrap(route as Route, 'dispatch', dispatching);
        if (router !== undefined) this._wrap(router as Router, 'use', using);
        return exports;
      },
      (exports: unknown) => {
        const express = moduleOf(exports);
        const route = express?.Route?.prototype;
        const router = express && routerMethods(express);
        if (route !== undefined) this._unwrap(route, 'dispatch');
        if (router !== undefined) this._unwrap(router, 'use');
      },
    );
  }
}
