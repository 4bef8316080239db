// The lean profile's Koa part: the route template @koa/router matched, on the HTTP server span,
// with no span per middleware. Koa has no hooks, so `app.use` is wrapped (as the official Koa
// instrumentation does) and only router dispatchers are touched.
import {
  InstrumentationBase,
  InstrumentationNodeModuleDefinition,
} from '@opentelemetry/instrumentation';
import type { RPCMetadata } from '@opentelemetry/core';
import { moduleValue, serverMetadata } from './route.js';

type Middleware = ((this: unknown, ctx: RoutedContext, next: unknown) => unknown) & {
  router?: unknown;
};
interface RoutedContext {
  _matchedRoute?: unknown;
}
interface KoaClass {
  prototype: { use(this: unknown, middleware: Middleware): unknown };
}

function matched(ctx: RoutedContext): string | undefined {
  const route = ctx._matchedRoute;
  return typeof route === 'string' || route instanceof RegExp ? String(route) : undefined;
}

/** The route matched so far, on the server span: the last write before the span ends wins. */
function setRoute(metadata: RPCMetadata, ctx: RoutedContext): void {
  const route = matched(ctx);
  if (route !== undefined) metadata.route = route;
}

function routed(dispatch: Middleware): Middleware {
  const wrapped: Middleware = function (this: unknown, ctx, next) {
    const metadata = serverMetadata();
    const out = dispatch.call(this, ctx, next);
    if (metadata === undefined) return out;
    setRoute(metadata, ctx);
    // nested routers match after the outer dispatch returned; Koa responds once it settles
    if (!isThenable(out)) return out;
    return out.then(
      (value) => {
        setRoute(metadata, ctx);
        return value;
      },
      (error: unknown) => {
        setRoute(metadata, ctx);
        throw error;
      },
    );
  };
  // tools that recognise a router's dispatcher by its `router` keep doing so
  wrapped.router = dispatch.router;
  return wrapped;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

function classOf(module: unknown): KoaClass | undefined {
  const koa = moduleValue<KoaClass>(module);
  return typeof koa?.prototype?.use === 'function' ? koa : undefined;
}

/** Names Koa's HTTP server spans by the @koa/router route, without a span per middleware. */
export class KoaRouteInstrumentation extends InstrumentationBase {
  constructor() {
    super('@ai-orchestrator/tracing/koa-route', '1.0.0', {});
  }

  protected init(): InstrumentationNodeModuleDefinition {
    return new InstrumentationNodeModuleDefinition(
      'koa',
      ['>=2.0.0 <4'],
      (module: unknown) => {
        const koa = classOf(module);
        if (koa === undefined) return module;
        this._wrap(
          koa.prototype,
          'use',
          (original: KoaClass['prototype']['use']) =>
            function use(this: unknown, middleware: Middleware): unknown {
              const routerDispatch = typeof middleware === 'function' && middleware.router;
              return original.call(this, routerDispatch ? routed(middleware) : middleware);
            },
        );
        return module;
      },
      (module: unknown) => {
        const koa = classOf(module);
        if (koa !== undefined) this._unwrap(koa.prototype, 'use');
      },
    );
  }
}
