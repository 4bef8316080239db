// The full profile's Express and Koa parts: the official instrumentations, with their per-layer
// work skipped for a request that has no span (one that started a trace we did not sample: most
// requests under the default sampler). Each official layer wrapper, without a span, ends up calling
// the layer as it was, but only after work of its own: Express's records the layer's path on the
// request (a new property on Express's re-prototyped request), rebuilds the route from every layer
// so far and builds the layer's metadata; Koa's is an `async` function, a promise and its
// resolution per middleware. Each wrapped layer now asks first, and without a span calls the layer
// itself. Where an installed instrumentation's patch is not the shape known here, it is left as is.
import { context, trace } from '@opentelemetry/api';
import {
  ExpressInstrumentation,
  type ExpressInstrumentationConfig,
} from '@opentelemetry/instrumentation-express';
import { KoaInstrumentation } from '@opentelemetry/instrumentation-koa';

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
