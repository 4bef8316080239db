// The name of the Express adapter's middleware function. Express names the layer after it, and
// the tracing package gives that layer (`middleware - <name>`) no span: our own middleware in
// every trace is noise. Both packages read it from here.

/**
 * The function name of `createMetricsMiddleware()` of `@ai-orchestrator/express-monitoring`.
 *
 * @example
 * new ExpressInstrumentation({ ignoreLayers: [`middleware - ${EXPRESS_MIDDLEWARE_NAME}`] });
 */
export const EXPRESS_MIDDLEWARE_NAME = 'aiOrchestratorMetrics';
