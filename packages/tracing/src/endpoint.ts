// Where spans go: OTLP/HTTP. Jaeger v2 has no legacy collector port 14268, so such a URL is mapped
// to the OTLP port 4318 of the same host.
import { warnOnce } from './warn.js';

const LEGACY_COLLECTOR_PORT = '14268';
const OTLP_HTTP_PORT = '4318';
const TRACES_PATH = '/v1/traces';

function withTracesPath(raw: string): string {
  const url = new URL(raw);
  // a bare host means "the collector": add the signal path like OTEL_EXPORTER_OTLP_ENDPOINT does
  if (url.pathname === '/' || url.pathname === '') url.pathname = TRACES_PATH;
  return url.toString();
}

/** The legacy Jaeger collector URL mapped to OTLP, or undefined when it is not a legacy URL. */
export function mapLegacyJaeger(raw: string): string | undefined {
  const url = new URL(raw);
  if (url.port !== LEGACY_COLLECTOR_PORT && !url.pathname.startsWith('/api/traces')) {
    return undefined;
  }
  return `${url.protocol}//${url.hostname}:${OTLP_HTTP_PORT}${TRACES_PATH}`;
}

/**
 * The traces URL to give the OTLP exporter, or undefined to let it read the `OTEL_EXPORTER_OTLP_*`
 * variables (and default to http://localhost:4318/v1/traces).
 */
export function resolveEndpoint(endpoint?: string, jaegerEndpoint?: string): string | undefined {
  if (endpoint !== undefined) return withTracesPath(endpoint);
  if (jaegerEndpoint === undefined) return undefined;
  const mapped = mapLegacyJaeger(jaegerEndpoint);
  if (mapped === undefined) return withTracesPath(jaegerEndpoint);
  warnOnce(
    'AIO_TRACING_LEGACY_JAEGER',
    `jaegerEndpoint ${jaegerEndpoint} is the legacy Jaeger collector (port 14268), which Jaeger v2 ` +
      `no longer serves; exporting OTLP/HTTP to ${mapped} instead. Set endpoint to silence this.`,
  );
  return mapped;
}
