// The lean profile's Express part (Express 4 and 5): the full route template on the HTTP server
// span, with no span per layer and no wrapper around every layer. Express assigns a route to the
// request in `Route#dispatch`, while `req.baseUrl` holds the mount prefixes the request went
// through: that one call, once per matched route, is where the route is written. A mount prefix
// with parameters (`app.use('/teams/:team', router)`) puts the request's values in `req.baseUrl`:
// `use` hands such mounts' layers to the metrics package's mount follower, which the Express
// metrics adapter uses too, so both write the same template.
import {
  type ExpressMountLayer,
  type ExpressRouter,
  expressPathTemplate,
  followExpressMount,
  mountedBaseUrl,
} from '@ai-orchestrator/metrics/shared';
import {
  InstrumentationBase,
  InstrumentationNodeModuleDefinition,
} from '@opentelemetry/instrumentation';
import { moduleValue, serverMetadata } from './route.js';

interface Request {
  readonly baseUrl?: unknown;
}
interface Router extends ExpressRouter {
  readonly stack?: ExpressMountLayer[];
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
      if (before >= 0 && Array.isArray(this.stack)) {
        followExpressMount(this, this.stack.slice(before), mountPath(args));
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
        const mounted = path === undefined ? undefined : mountedBaseUrl(req, base);
        if (mounted !== undefined) metadata.route = mounted + path;
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
