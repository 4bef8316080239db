// What the Express adapter and the tracing package both know of Express: the name of the
// adapter's middleware function (Express names the layer after it, and the tracing package gives
// that layer, `middleware - <name>`, no span: our own middleware in every trace is noise), and how
// a route path as written becomes a route template.

/**
 * The function name of `createMetricsMiddleware()` of `@ai-orchestrator/express-monitoring`.
 *
 * @example
 * new ExpressInstrumentation({ ignoreLayers: [`middleware - ${EXPRESS_MIDDLEWARE_NAME}`] });
 */
export const EXPRESS_MIDDLEWARE_NAME = 'aiOrchestratorMetrics';

/**
 * An Express route or mount path as written: strings as is, a RegExp as `String(re)`, an array by
 * its first entry; anything else has no template.
 *
 * @example
 * expressPathTemplate(['/users/:id', '/u/:id']); // '/users/:id'
 */
export function expressPathTemplate(path: unknown): string | undefined {
  if (Array.isArray(path)) return expressPathTemplate(path[0]);
  if (typeof path === 'string') return path;
  if (path instanceof RegExp) return String(path);
  return undefined;
}
