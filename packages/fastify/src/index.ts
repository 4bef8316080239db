// Fastify 4 and 5 plugin: the server's 'request' event starts the core's timer on Node's own
// req/res, before anything of Fastify runs; one onRequest hook supplies the route template.
import {
  resolveAdapterOptions,
  type ResolvedAdapterOptions,
} from '@ai-orchestrator/metrics/adapter';
import type { FastifyPluginCallback } from 'fastify';
import fp from 'fastify-plugin';
import { routeHandler } from './handler.js';
import { classifier, markOf, markRouted, register, servedBy } from './requests.js';
import { routeTemplates } from './templates.js';
import type { FastifyMonitoringOptions } from './types.js';

const NAME = '@ai-orchestrator/fastify-monitoring';

/** GET and HEAD are served by the metrics route; any other method is answered 405 by the hook. */
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
  const { metrics, metricsPath, handler } = resolved;
  const registration = {
    http: metrics.http,
    classify: classifier(fastify, resolved),
    lookup: routeTemplates(fastify).find,
    handler,
  };
  // On the server, not in a hook: Fastify answers a bad URL (400), a too long one (414) and
  // whatever an earlier hook sends (CORS preflight, rate limit) without running our hook. The
  // raw-response lifecycle also counts aborts Fastify runs no onResponse/onRequestAbort for.
  // One listener per server decides for every registration of the app, so none counts twice.
  const registrations = register(fastify, registration);

  fastify.addHook('onRequest', (request, reply, next) => {
    try {
      const raw = request.raw;
      let seen = markOf(raw);
      if (seen === undefined) {
        // No 'request' event: inject(), or a serverFactory server calling Fastify's handler itself.
        seen = registrations.observe(raw, reply.raw);
      }
      if (seen === 'record') markRouted(raw, request);
      // Our metrics path (SERVED is set on that path only), also when another metrics object on
      // the server records it.
      if (servedBy(raw) === registration && !servedByRoute(request.method)) {
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
    // Every method, not GET and HEAD only: inside an encapsulated plugin a method without a route
    // would reach the parent's not-found handler, which runs none of our hooks (404, not 405).
    fastify.all(metricsPath, routeHandler(handler));
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
