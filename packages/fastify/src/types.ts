// Public types of @ai-orchestrator/fastify-monitoring.
import type { AdapterOptions, MetricsHandlerOptions } from '@ai-orchestrator/metrics';
import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * Options of the Fastify plugin: those every adapter shares (service name, registry or metrics,
 * label limits, paths to ignore, the in-app metrics path and its auth). Fastify needs no more.
 */
export type FastifyMonitoringOptions = AdapterOptions;

/** Options of `createMetricsHandler`: the registry to serve (default: the global one) and auth. */
export type FastifyMetricsHandlerOptions = MetricsHandlerOptions;

/** A Fastify route handler: `app.get(path, handler)` or `app.route({ handler })`. */
export type FastifyMetricsHandler = (request: FastifyRequest, reply: FastifyReply) => Promise<void>;
