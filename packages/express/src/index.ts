// Express 4 and 5 adapter: turns Express's request lifecycle into calls of the metrics core.
import {
  EXPRESS_MIDDLEWARE_NAME,
  instrumentRequest,
  metricsHandlerFor,
  timedBy,
  resolveAdapterOptions,
} from '@ai-orchestrator/metrics/adapter';
import { routeTemplate, watchRoute } from './route.js';
import type {
  ExpressMetricsHandlerOptions,
  ExpressMiddleware,
  ExpressMonitoringOptions,
} from './types.js';

/**
 * Records `http_server_*` metrics for every request, labelled with the full route template
 * (mount prefixes of routers and sub-apps included), and serves the metrics path (default
 * `/metrics`, relative to where it is mounted) itself unless `metricsPath` is `false`. Register
 * it before your routes.
 *
 * @example
 * app.use(createMetricsMiddleware('checkout-api'));
 */
export function createMetricsMiddleware(
  options?: string | ExpressMonitoringOptions,
): ExpressMiddleware {
  const adapter = resolveAdapterOptions('createMetricsMiddleware', options);
  const { metrics, handler } = adapter;

  const middleware: ExpressMiddleware = (req, res, next) => {
    // Paths of the context the middleware is mounted in: under `app.use('/api', mw)` (or a router
    // or sub-app mounted there) Express has cut the mount path, `req.baseUrl`, off `req.url`.
    const mount = req.baseUrl;
    const action = mount
      ? adapter.classifyUnder(req.url, req.originalUrl, mount)
      : adapter.classify(req.url);
    // (a sub-app's instance on a request an outer instance of the same metrics object times: the
    // outer one, whose options and auth did not serve this path, decides)
    if (action === 'metrics' && !timedBy(metrics.http, req, res)) {
      handler(req, res).catch(next);
      return;
    }
    if (action === 'record') {
      try {
        watchRoute(req);
        instrumentRequest(metrics.http, req, res, routeTemplate);
      } catch {
        // Instrumentation never breaks the request it observes.
      }
    }
    next();
  };
  // Express names the layer after the function; the tracing package gives that layer no span.
  Object.defineProperty(middleware, 'name', { value: EXPRESS_MIDDLEWARE_NAME });
  return middleware;
}

/**
 * An Express handler that serves the registry: OpenMetrics with exemplars when the scraper asks
 * for it, the text format otherwise. Use it when the middleware's `metricsPath` is `false`.
 *
 * @example
 * app.get('/metrics', createMetricsHandler());
 */
export function createMetricsHandler(options?: ExpressMetricsHandlerOptions): ExpressMiddleware {
  const handler = metricsHandlerFor('createMetricsHandler', options);
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
