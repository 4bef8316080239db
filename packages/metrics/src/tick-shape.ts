// Keeps `process.nextTick` fast for the life of the process.
//
// Node builds each tick as an object literal with computed keys (its async ids). V8 records, for
// each of those keys, the hidden class ("map") the object had before the key was added, and
// holds that map weakly. A full collection that runs while no tick is queued, and that keeps no
// unused maps (V8's memory reducer runs exactly such collections once a process has been idle for
// a few seconds), collects those maps. The next tick then meets a map the feedback no longer
// names, the feedback turns megamorphic for good, and every later `nextTick` defines its keys in
// V8's runtime: 135 ns a tick before, 730 ns after on Node 20 and 950 ns on Node 24, for the rest
// of the process (`pnpm bench` measures it). An HTTP request takes several ticks: after one idle
// period a Fastify server paid about 6 µs more a request.
//
// One tick kept alive keeps its maps, and with them the feedback: that is all this does.

import { executionAsyncResource } from 'node:async_hooks';

interface TickObject {
  readonly callback?: unknown;
}

let asked = false;
let kept: object | undefined;

// Runs as the tick it keeps: inside a tick's callback, the running resource is the tick itself.
function keepRunningTick(): void {
  try {
    const resource = executionAsyncResource() as TickObject | undefined;
    // Only the tick this module scheduled (its callback is this function), never anything else.
    if (
      typeof resource === 'object' &&
      resource !== null &&
      resource.callback === keepRunningTick
    ) {
      kept = resource;
    }
  } catch {
    // an async_hooks without executionAsyncResource: nothing is kept
  }
}

/**
 * Keeps one `process.nextTick` object alive, so that V8's memory reducer cannot make every later
 * tick of the process slower (see above). Once per process (per worker thread), from the first
 * call; never throws. `createMetrics` calls it; the tracing package too.
 *
 * The kept tick holds what a tick holds: this module's callback and, on Node 24, the async
 * context of the first call (none when it is made at startup, as `createMetrics` is).
 *
 * @example
 * keepTickShape();
 */
export function keepTickShape(): void {
  if (asked) return;
  asked = true;
  try {
    process.nextTick(keepRunningTick);
  } catch {
    // a process whose nextTick refuses (exiting): nothing to keep
  }
}

/** The kept tick, once its callback ran (for tests). */
export function keptTick(): object | undefined {
  return kept;
}
