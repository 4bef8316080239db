// The full profile's Express part: @opentelemetry/instrumentation-express, with its per-layer work
// skipped for a request that has no span. Its layer wrapper records the layer's path on the
// request (a new property on Express's re-prototyped request), rebuilds the route from every layer
// seen so far and builds the layer's metadata before it looks for a span, and without one calls the
// layer as it was: a request that started a trace we did not sample (most requests under the
// default sampler) paid all of that for nothing. Each layer's handler now checks first.
import { context, trace } from '@opentelemetry/api';
import {
  ExpressInstrumentation,
  type ExpressInstrumentationConfig,
} from '@opentelemetry/instrumentation-express';

type Handler = (this: unknown, ...args: unknown[]) => unknown;
interface Layer {
  handle?: Handler & { __original?: Handler };
}
type ApplyPatch = (this: ExpressInstrumentation, layer: Layer, layerPath?: string) => void;

/** `patched` for a request with a span, the layer's own handler for one without. */
function skippingUnsampled(patched: Handler, original: Handler): Handler {
  const handle = function (this: unknown, req: unknown, res: unknown, next: unknown): unknown {
    if (trace.getSpan(context.active()) === undefined) return original.call(this, req, res, next);
    // eslint-disable-next-line prefer-rest-params -- the layer's arguments, as Express passed them
    return patched.apply(this, arguments as unknown as unknown[]);
  };
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
    if (patched === before || typeof patched !== 'function' || original !== before) return;
    if (typeof original !== 'function') return;
    layer.handle = skippingUnsampled(patched, original);
  };
  return instrumentation;
}
