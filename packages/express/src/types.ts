// Public types of @ai-orchestrator/express-monitoring. They are structural, so the package needs
// neither Express nor @types/express at runtime and fits Express 4 and 5 apps alike.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AdapterOptions, MetricsHandlerOptions } from '@ai-orchestrator/metrics';

/** Options of `createMetricsMiddleware`: the options every adapter of the toolkit shares. */
export type ExpressMonitoringOptions = AdapterOptions;

/** Options of `createMetricsHandler`: the registry to serve (default: the global one) and auth. */
export type ExpressMetricsHandlerOptions = MetricsHandlerOptions;

/** The part of an Express route the middleware reads: the path as written in `app.get(path)`. */
export interface ExpressRoute {
  readonly path?: unknown;
}

/** The part of Express's `req` the middleware reads (the same on Express 4 and 5). */
export interface ExpressRequest extends IncomingMessage {
  originalUrl?: string;
  baseUrl?: string;
  route?: ExpressRoute;
}

/** An Express middleware: `app.use(middleware)` or `app.get(path, middleware)`. */
export type ExpressMiddleware = (
  req: ExpressRequest,
  res: ServerResponse,
  next: (error?: unknown) => void,
) => void;
