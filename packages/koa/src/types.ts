// Public types of @ai-orchestrator/koa-monitoring.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AdapterOptions, MetricsHandlerOptions } from '@ai-orchestrator/metrics';

/**
 * Options of `createMetricsMiddleware`: the options every adapter shares. Koa needs nothing more:
 * the route template comes from `@koa/router` (`ctx._matchedRoute`) when it is installed.
 */
export type KoaMonitoringOptions = AdapterOptions;

/** Options of `createMetricsHandler`: the registry to serve and optional auth. */
export type KoaMetricsHandlerOptions = MetricsHandlerOptions;

/** @deprecated The first name of {@link KoaMetricsHandlerOptions}. */
export type KoaMetricsRouteOptions = KoaMetricsHandlerOptions;

/**
 * The parts of a Koa context the adapter uses. Structural, so Koa 2 and 3 contexts, @koa/router
 * contexts and apps without `@types/koa` all fit it.
 */
export interface KoaContextLike {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly url: string;
  /** The request's URL before koa-mount cut its mount path off `url`. */
  readonly originalUrl?: string;
  /** The path koa-mount mounted this app at (set only under koa-mount: its innermost mount). */
  readonly mountPath?: string;
  respond?: boolean;
}

/** A Koa middleware, usable with `app.use()` and `router.get()` on Koa 2 and 3. */
export type KoaMetricsMiddleware = (
  ctx: KoaContextLike,
  next: () => Promise<unknown>,
) => Promise<void>;
