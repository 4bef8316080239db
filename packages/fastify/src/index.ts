// Fastify 4 and 5 plugin: one onRequest hook hands Node's own req/res to the metrics core.
import {
  instrumentRequest,
  resolveAdapterOptions,
  type ResolvedAdapterOptions,
} from '@ai-orchestrator/metrics/adapter';
import type { FastifyPluginCallback, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { routeHandler } from './handler.js';
import type { FastifyMonitoringOptions } from './types.js';

const NAME = '@ai-orchestrator/fastify-monitoring';

// routeOptions.url is the full template with every register() prefix; it exists since
// Fastify 4.10 and is undefined in the not-found handler, which the core names __unmatched__.
function routeOf(request: FastifyRequest): string | undefined {
  return request.routeOptions?.url;
}

/** GET and HEAD reach the metrics route; any other method is answered 405 by the hook. */
function servedByRoute(method: string): boolean {
  return method === 'GET' || method === 'HEAD';
}

const plugin: FastifyPluginCallback<FastifyMonitoringOptions> = (fastify, options, done) => {
  let resolved: ResolvedAdapterOptions;
  try {
    resolved = resolveAdapterOptions('fastifyMonitoring', options);
  } catch (error) {
    // avvio does not catch a plugin's synchronous throw; done(error) fails ready() instead
    done(error as Error);
    return;
  }
  const { metrics, metricsPath, handler, classify } = resolved;

  // The raw-response lifecycle, not onResponse/onRequestAbort: Fastify runs neither when a
  // client drops a request whose body it already read, and only raw writes see streamed bytes.
  fastify.addHook('onRequest', (request, reply, next) => {
    try {
      // The metrics path is served by the route below and, like ignorePaths, not recorded.
      const action = classify(request.url);
      if (action === 'record') {
        instrumentRequest(metrics.http, request.raw, reply.raw, () => routeOf(request));
      } else if (action === 'metrics' && !servedByRoute(request.method)) {
        // 405 with `Allow: GET, HEAD`, as the Express and Koa adapters answer; before Fastify
        // would look for a body parser or answer 404 for want of a route.
        reply.hijack();
        void handler(request.raw, reply.raw);
      }
    } catch {
      // never break the request we observe
    }
    next();
  });

  if (metricsPath !== false) {
    fastify.route({ method: ['GET', 'HEAD'], url: metricsPath, handler: routeHandler(handler) });
  }
  done();
};

/**
 * Fastify plugin recording the HTTP metrics of every route of the instance (prefixes included)
 * and, unless `metricsPath: false`, serving the registry on `/metrics`.
 *
 * @example
 * await app.register(fastifyMonitoring, { serviceName: 'workflow-api' });
 */
export const fastifyMonitoring: FastifyPluginCallback<FastifyMonitoringOptions> = fp(plugin, {
  fastify: '>=4.10.0 <6',
  name: NAME,
});

export default fastifyMonitoring;
export { createMetricsHandler } from './handler.js';
export { createNodeMetricsHandler } from '@ai-orchestrator/metrics';
export type {
  FastifyMetricsHandler,
  FastifyMetricsHandlerOptions,
  FastifyMonitoringOptions,
} from './types.js';
