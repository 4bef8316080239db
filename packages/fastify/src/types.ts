// Public types of @ai-orchestrator/fastify-monitoring.
import type { AdapterOptions } from '@ai-orchestrator/metrics';

/**
 * Options of the Fastify plugin: those every adapter shares (service name, registry or metrics,
 * label limits, paths to ignore, the in-app metrics path and its auth). Fastify needs no more.
 */
export type FastifyMonitoringOptions = AdapterOptions;
