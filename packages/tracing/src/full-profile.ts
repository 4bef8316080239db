// The full profile's Express, Koa and Fastify parts: the official instrumentations, with their per-layer
// work skipped for a request that has no span (one that started a trace we did not sample: most
// requests under the default sampler). Each official layer wrapper, without a span, ends up calling
// the layer as it was, but only after work of its own: Express's records the layer's path on the
// request (a new property on Express's re-prototyped request), rebuilds the route from every layer
// so far and builds the layer's metadata; Koa's is an `async` function, a promise and its
// resolution per middleware. Each wrapped layer now asks first, and without a span calls the layer
// itself. Where an installed instrumentation's patch is not the shape known here, it is left as is.
import { type Context, context, trace, TraceFlags } from '@opentelemetry/api';
import {
  ExpressInstrumentation,
  type ExpressInstrumentationConfig,
} from '@opentelemetry/instrumentation-express';
import { KoaInstrumentation } from '@opentelemetry/instrumentation-koa';
import { FastifyOtelInstrumentation, type FastifyOtelInstrumentationOpts } from '@fastify/otel';

const hasSpan = (): boolean => trace.getSpan(context.active()) !== undefined;

type Handler = (this: unknown, ...args: unknown[]) => unknown;
interface Layer {
  handle?: Handler & { __original?: Handler };
}
type ApplyPatch = (this: ExpressInstrumentation, layer: Layer, layerPath?: string) => void;

/** `patched` for a request with a span, the layer's own handler for one without. */
function skippingUnsampled(patched: Handler, original: Handler): Handler {
  const handle = function (this: unknown, req: unknown, res: unknown, next: unknown): unknown {
    if (!hasSpan()) return original.call(this, req, res, next);
    // eslint-disable-next-line prefer-rest-params -- the layer's arguments, as Express passed them
    return patched.apply(this, arguments as unknown as unknown[]);
  };
  // shimmer's marks, so tools that unwrap or check a wrapped handler still can
  for (const mark of ['__original', '__unwrap', '__wrapped'] as const) {
    if (mark in patched) {
      Object.defineProperty(handle, mark, {
        value: (patched as unknown as Record<string, unknown>)[mark],
        configurable: true,
        writable: true,
      });
    }
  }
  // a router or sub-app's handler carries state (`stack`, `params`): read and write it through
  for (const key in original) {
    Object.defineProperty(handle, key, {
      get: () => original[key as keyof Handler],
      set: (value: unknown) => {
        (original as unknown as Record<string, unknown>)[key] = value;
      },
    });
  }
  return handle;
}

/**
 * Builds ExpressInstrumentation with `config`; where its layer patch is what this package knows
 * (a `_applyPatch` method, shimmer's `__original` on the patched handler), each patched layer
 * first asks whether the request has a span. Any other version is left as it is.
 *
 * @example
 * expressInstrumentation({ ignoreLayers: [OWN_EXPRESS_LAYER] }).enable();
 */
export function expressInstrumentation(
  config: ExpressInstrumentationConfig,
): ExpressInstrumentation {
  const instrumentation = new ExpressInstrumentation(config);
  const target = instrumentation as unknown as { _applyPatch?: ApplyPatch };
  const applyPatch = target._applyPatch;
  if (typeof applyPatch !== 'function') return instrumentation;
  target._applyPatch = function (layer, layerPath) {
    const before = layer.handle;
    applyPatch.call(this, layer, layerPath);
    const patched = layer.handle;
    const original = patched?.__original;
    // shimmer's wrapper of the handler that was there, or nothing this code knows
    if (typeof patched !== 'function' || typeof original !== 'function' || original !== before) {
      return;
    }
    layer.handle = skippingUnsampled(patched, original);
  };
  return instrumentation;
}

type KoaMiddleware = (context: unknown, next: unknown) => unknown;
type PatchLayer = (
  this: KoaInstrumentation,
  layer: KoaMiddleware,
  isRouter: boolean,
  layerPath?: string | RegExp,
) => KoaMiddleware;

/**
 * KoaInstrumentation whose wrapped middleware calls the middleware itself, synchronously, for a
 * request with no span (where its `_patchLayer` is what this package knows).
 *
 * @example
 * koaInstrumentation().enable();
 */
export function koaInstrumentation(): KoaInstrumentation {
  const instrumentation = new KoaInstrumentation();
  const target = instrumentation as unknown as { _patchLayer?: PatchLayer };
  const patchLayer = target._patchLayer;
  if (typeof patchLayer !== 'function') return instrumentation;
  target._patchLayer = function (layer, isRouter, layerPath) {
    const patched = patchLayer.call(this, layer, isRouter, layerPath);
    if (patched === layer || typeof patched !== 'function') return patched;
    // koa-compose turns a synchronous throw into a rejection, as the async wrapper did
    return (ctx, next) => (hasSpan() ? patched(ctx, next) : layer(ctx, next));
  };
  return instrumentation;
}

// @fastify/otel wraps every route handler and lifecycle hook in a function that, for a request it
// does not trace, still reads `request.routeOptions` (a new object of eleven fields per read) up to
// four times, asks its ignore function and builds a debug message before it calls the hook. Each
// wrapper is paired here with the function it wrapped, and a request the plugin does not sample
// (its new trace was not sampled, or its caller's was not) calls that function itself.
type FastifyPlugin = (
  instance: FastifyInstance,
  opts: unknown,
  done: (error?: unknown) => void,
) => void;
interface FastifyInstance {
  addHook(this: FastifyInstance, name: string, hook: unknown): unknown;
  setNotFoundHandler(this: FastifyInstance, ...args: unknown[]): unknown;
  decorate(this: FastifyInstance, name: string | symbol, value: unknown, deps?: unknown): unknown;
  decorateRequest(
    this: FastifyInstance,
    name: string | symbol,
    value: unknown,
    deps?: unknown,
  ): unknown;
  [key: symbol]: unknown;
}
type RouteOptions = Record<string, unknown>;

// What the plugin calls its decorations (descriptions of its own symbols).
const REQUEST_CONTEXT = 'fastify otel request context';
const ADD_HOOK_ORIGINAL = 'fastify otel addhook original';
const NOT_FOUND_ORIGINAL = 'fastify otel setnotfound original';
// The route options the plugin wraps: its lifecycle hooks and the handler.
const WRAPPED_ROUTE_KEYS = [
  'onRequest',
  'preParsing',
  'preValidation',
  'preHandler',
  'preSerialization',
  'onSend',
  'onResponse',
  'onError',
  'handler',
];

/**
 * Whether the plugin's context of a request (null until it traces the request) holds a sampled
 * span: a request whose caller did not sample its trace (`traceparent` flag 00) gets an unsampled
 * one, and its hooks' spans would be unsampled too. (The sampled flag, not `isRecording()`: the
 * request span has ended by the time `onResponse` hooks run, and those still get their spans.)
 */
function sampled(requestContext: unknown): boolean {
  if (requestContext === null) return false;
  const ctx = requestContext as Context | undefined;
  if (typeof ctx?.getValue !== 'function') return true;
  const span = trace.getSpan(ctx);
  return span === undefined || (span.spanContext().traceFlags & TraceFlags.SAMPLED) !== 0;
}

/** `wrapped` for a request the plugin samples (or anything not a Fastify request), else `own`. */
function pairedWith(own: Handler, wrapped: Handler, requestContext: symbol): Handler {
  const paired = function (this: unknown, first: unknown): unknown {
    // the hook's arguments as Fastify passed them, with no array made per call
    // eslint-disable-next-line prefer-rest-params
    const args = arguments as unknown as unknown[];
    // the plugin decorates every request with its context; anything else is no Fastify request
    if (typeof first === 'object' && first !== null && requestContext in first) {
      const ctx = (first as Record<symbol, unknown>)[requestContext];
      if (!sampled(ctx)) return own.apply(this, args);
    }
    return wrapped.apply(this, args);
  };
  // the name Fastify shows (`printRoutes`, `routeOptions.handler`) stays the function's own
  Object.defineProperty(paired, 'name', { value: own.name, configurable: true });
  return paired;
}

/** A route option after the plugin wrapped it, each wrapper paired with what it wrapped. */
function pairRouteOption(before: unknown, after: unknown, requestContext: symbol): unknown {
  const pair = (own: unknown, wrapped: unknown): unknown =>
    typeof own === 'function' && typeof wrapped === 'function' && own !== wrapped
      ? pairedWith(own as Handler, wrapped as Handler, requestContext)
      : wrapped;
  if (typeof before === 'function') {
    // a hook the plugin appended its own to (`onSend`, `onError`) became an array
    if (Array.isArray(after)) return after.map((hook, i) => (i === 0 ? pair(before, hook) : hook));
    return pair(before, after);
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    return after.map((hook, i) => (i < before.length ? pair(before[i], hook) : hook));
  }
  return after;
}

/**
 * Runs the plugin on `instance`, then pairs what it wraps: route options (an `onRoute` hook before
 * the plugin's records them as they were, one after it pairs them) and hooks added later through
 * the plugin's `addHook`. Where the plugin's decorations are not the ones known here, the plugin
 * runs as it is.
 */
function pairingPlugin(official: FastifyPlugin): FastifyPlugin {
  return function (instance, opts, done) {
    const symbols = new Map<string, symbol>();
    const { decorate, decorateRequest } = instance;
    const note = (name: string | symbol): void => {
      if (typeof name === 'symbol' && name.description !== undefined) {
        symbols.set(name.description, name);
      }
    };
    const routes = new WeakMap<RouteOptions, RouteOptions>();
    try {
      instance.addHook('onRoute', (route: RouteOptions) => {
        routes.set(route, { ...route });
      });
      instance.decorate = function (name, value, deps) {
        note(name);
        return decorate.call(this, name, value, deps);
      };
      instance.decorateRequest = function (name, value, deps) {
        note(name);
        return decorateRequest.call(this, name, value, deps);
      };
    } catch {
      // an instance this code cannot follow gets the plugin as it is
    }
    const restore = (): void => {
      instance.decorate = decorate;
      instance.decorateRequest = decorateRequest;
    };
    try {
      official(instance, opts, (error) => {
        restore();
        try {
          const requestContext = symbols.get(REQUEST_CONTEXT);
          const addHookOriginal = symbols.get(ADD_HOOK_ORIGINAL);
          if (error === undefined && requestContext && addHookOriginal) {
            pairHooks(instance, routes, requestContext, addHookOriginal);
            const notFoundOriginal = symbols.get(NOT_FOUND_ORIGINAL);
            if (notFoundOriginal) pairNotFound(instance, requestContext, notFoundOriginal);
          }
        } catch {
          // the plugin's wrappers stay as they are
        }
        done(error);
      });
    } finally {
      restore();
    }
  };
}

function pairHooks(
  instance: FastifyInstance,
  routes: WeakMap<RouteOptions, RouteOptions>,
  requestContext: symbol,
  addHookOriginal: symbol,
): void {
  // after the plugin's own `onRoute`: `onRoute` is no hook the plugin wraps
  instance.addHook('onRoute', (route: RouteOptions) => {
    const before = routes.get(route);
    if (before === undefined) return;
    for (const key of WRAPPED_ROUTE_KEYS) {
      const paired = pairRouteOption(before[key], route[key], requestContext);
      // a hook the route does not have stays absent (other `onRoute` hooks look for it)
      if (paired !== route[key]) route[key] = paired;
    }
  });
  // hooks added later: the plugin's `addHook` wraps them and hands the wrapper to Fastify's
  const fastifyAddHook = instance[addHookOriginal];
  const pluginAddHook = instance.addHook;
  if (typeof fastifyAddHook !== 'function') return;
  let adding: unknown;
  instance[addHookOriginal] = function (this: FastifyInstance, name: string, hook: unknown) {
    const paired =
      typeof adding === 'function' && typeof hook === 'function' && hook !== adding
        ? pairedWith(adding as Handler, hook as Handler, requestContext)
        : hook;
    return (fastifyAddHook as FastifyInstance['addHook']).call(this, name, paired);
  };
  instance.addHook = function (name, hook) {
    adding = hook;
    try {
      return pluginAddHook.call(this, name, hook);
    } finally {
      adding = undefined;
    }
  };
}

/**
 * Pairs what the plugin's `setNotFoundHandler` wraps: the handler, and the `preValidation` and
 * `preHandler` hooks given with it.
 */
function pairNotFound(
  instance: FastifyInstance,
  requestContext: symbol,
  notFoundOriginal: symbol,
): void {
  const fastifySetNotFound = instance[notFoundOriginal];
  const pluginSetNotFound = instance.setNotFoundHandler;
  if (typeof fastifySetNotFound !== 'function' || typeof pluginSetNotFound !== 'function') return;
  let given: { hooks: RouteOptions | undefined; handler: unknown } | undefined;
  instance[notFoundOriginal] = function (this: FastifyInstance, ...args: unknown[]): unknown {
    const [first, second] = args;
    if (given !== undefined && typeof first === 'function') {
      args[0] = pairRouteOption(given.handler, first, requestContext);
    } else if (given?.hooks !== undefined && typeof first === 'object' && first !== null) {
      const hooks = first as RouteOptions;
      for (const key of ['preValidation', 'preHandler']) {
        const paired = pairRouteOption(given.hooks[key], hooks[key], requestContext);
        if (paired !== hooks[key]) hooks[key] = paired;
      }
      args[1] = pairRouteOption(given.handler, second, requestContext);
    }
    return (fastifySetNotFound as (...a: unknown[]) => unknown).apply(this, args);
  };
  instance.setNotFoundHandler = function (this: FastifyInstance, ...args: unknown[]): unknown {
    const [first, second] = args;
    given =
      typeof first === 'function'
        ? { hooks: undefined, handler: first }
        : typeof first === 'object' && first !== null
          ? { hooks: { ...(first as RouteOptions) }, handler: second }
          : undefined;
    try {
      return pluginSetNotFound.apply(this, args);
    } finally {
      given = undefined;
    }
  };
}

/**
 * @fastify/otel's instrumentation whose route handlers and hooks run as written for a request it
 * does not trace (where its decorations are the ones this package knows).
 *
 * @example
 * fastifyInstrumentation({ registerOnInitialization: true }).enable();
 */
export function fastifyInstrumentation(
  config: FastifyOtelInstrumentationOpts,
): FastifyOtelInstrumentation {
  const instrumentation = new FastifyOtelInstrumentation(config);
  const plugin = instrumentation.plugin.bind(instrumentation);
  instrumentation.plugin = () => {
    const official = plugin() as unknown as FastifyPlugin & Record<symbol, unknown>;
    const paired = pairingPlugin(official) as FastifyPlugin & Record<symbol, unknown>;
    // the plugin's metadata (`skip-override`, display name, supported versions)
    for (const key of Object.getOwnPropertySymbols(official)) paired[key] = official[key];
    return paired as unknown as ReturnType<FastifyOtelInstrumentation['plugin']>;
  };
  return instrumentation;
}
