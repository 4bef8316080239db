// The service name when none is given: the same for the metrics, the adapters and the tracing.

/** OpenTelemetry's name for a service that did not say its name. */
export const UNKNOWN_SERVICE = 'unknown_service:node';

/**
 * `OTEL_SERVICE_NAME`, then `SERVICE_NAME`, then the npm package name (`npm run`, `pnpm run`),
 * then `unknown_service:node`; an empty variable counts as unset.
 *
 * @example
 * createMetrics({ serviceName: defaultServiceName() });
 */
export function defaultServiceName(env: NodeJS.ProcessEnv = process.env): string {
  return env.OTEL_SERVICE_NAME || env.SERVICE_NAME || env.npm_package_name || UNKNOWN_SERVICE;
}
