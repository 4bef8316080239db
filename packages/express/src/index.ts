// Express 4 and 5 adapter: turns Express's request lifecycle into calls of the metrics core.
import {
  createMetricsHandler as createCoreHandler,
  instrumentRequest,
  resolveAdapterOptions,
} from '@ai-orchestrator/metrics';
import { watchRoute } from './route.js';
import type {
  ExpressMetricsHandlerOptions,
  ExpressMiddleware,
  ExpressMonitoringOptions,
} from './types.js';

/**
 * Records `http_server_*` metrics for every request, labelled with the full route template
 * (mount prefixes of routers and sub-apps included), and serves the metrics path (default
 * `/metrics`) itself unless `metricsPath` is `false`. Register it before your routes.
 *
 * @example
 * app.use(createMetricsMiddleware('checkout-api'));
 */
export function createMetricsMiddleware(
  options?: string | ExpressMonitoringOptions,
): ExpressMiddleware {
  const adapter = resolveAdapterOptions('createMetricsMiddleware', options);
  const { metrics, handler } = adapter;

  // The tracing package gives a layer of this name no span (see its OWN_EXPRESS_LAYER).
  return function aiOrchestratorMetrics(req, res, next) {
    // Full path, so the metrics path and ignorePaths mean the same wherever this is mounted.
    const action = adapter.classify(req.originalUrl ?? req.url);
    if (action === 'metrics') {
      handler(req, res).catch(next);
      return;
    }
    if (action === 'record') {
      try {
        instrumentRequest(metrics.http, req, res, watchRoute(req));
      } catch {
        // Instrumentation never breaks the request it observes.
      }
    }
    next();
  };
}

/**
 * An Express handler that serves the registry: OpenMetrics with exemplars when the scraper asks
 * for it, the text format otherwise. Use it when the middleware's `metricsPath` is `false`.
 *
 * @example
 * app.get('/metrics', createMetricsHandler());
 */
export function createMetricsHandler(options?: ExpressMetricsHandlerOptions): ExpressMiddleware {
  const handler = createCoreHandler(options);
  return (req, res, next) => {
    handler(req, res).catch(next);
  };
}

export type {
  ExpressMetricsHandlerOptions,
  ExpressMiddleware,
  ExpressMonitoringOptions,
  ExpressRequest,
  ExpressRoute,
} from './types.js';
