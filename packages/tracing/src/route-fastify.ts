// The lean profile's Fastify part: the route template on the HTTP server span, no span of its own.
// A hook added to every Fastify instance as it is created (the `fastify.initialization` channel
// @fastify/otel uses too), so nothing is patched.
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { InstrumentationBase } from '@opentelemetry/instrumentation';
import { setServerRoute } from './route.js';

interface FastifyLike {
  addHook(
    name: 'onRequest',
    hook: (request: { routeOptions?: { url?: string } }, reply: unknown, done: () => void) => void,
  ): unknown;
}

const CHANNEL = 'fastify.initialization';

/** Sets `http.route` from `request.routeOptions.url` (every `register()` prefix joined). */
function routeHook(
  request: { routeOptions?: { url?: string } },
  _reply: unknown,
  done: () => void,
): void {
  setServerRoute(request.routeOptions?.url);
  done();
}

function onInitialization(message: unknown): void {
  try {
    (message as { fastify: FastifyLike }).fastify.addHook('onRequest', routeHook);
  } catch {
    // an instance we cannot hook keeps its unnamed server spans
  }
}

/** Names Fastify's HTTP server spans by route (`GET /users/:id`) without a span per hook or handler. */
export class FastifyRouteInstrumentation extends InstrumentationBase {
  // `enable()` runs inside the base constructor, before subclass fields exist: no field state.
  constructor() {
    super('@ai-orchestrator/tracing/fastify-route', '1.0.0', {});
  }

  protected init(): [] {
    return [];
  }

  override enable(): void {
    // subscribing the same function twice is a no-op
    subscribe(CHANNEL, onInitialization);
    super.enable();
  }

  override disable(): void {
    unsubscribe(CHANNEL, onInitialization);
    super.disable();
  }
}
