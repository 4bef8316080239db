// The metrics route of a Fastify app: the core's Node handler behind Fastify's route handler shape.
import type { MetricsHandler } from '@ai-orchestrator/metrics';
import { metricsHandlerFor } from '@ai-orchestrator/metrics/adapter';
import type { FastifyMetricsHandler, FastifyMetricsHandlerOptions } from './types.js';

/** The core's Node handler as a Fastify route handler: it writes the raw response itself. */
export function routeHandler(handler: MetricsHandler): FastifyMetricsHandler {
  return (request, reply) => {
    reply.hijack();
    return handler(request.raw, reply.raw);
  };
}

/**
 * A Fastify route handler that serves the registry (text, or OpenMetrics with exemplars when the
 * scraper asks for it; GET and HEAD; optional auth), for a route of your own when the plugin's
 * `metricsPath` is `false`.
 *
 * @example
 * app.get('/metrics', createMetricsHandler({ registry }));
 */
export function createMetricsHandler(
  options?: FastifyMetricsHandlerOptions,
): FastifyMetricsHandler {
  return routeHandler(metricsHandlerFor('createMetricsHandler', options));
}
