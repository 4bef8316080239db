// Readings of a registry through prom-client's public API: samples by name, counts, the gauge.
import type { MetricValue, Registry } from 'prom-client';

/** The HTTP server metrics of the contract, as a scraper sees them (stated here, not imported). */
export const HTTP = {
  duration: 'http_server_request_duration_seconds',
  durationCount: 'http_server_request_duration_seconds_count',
  active: 'http_server_active_requests',
  requestBodySum: 'http_server_request_body_size_bytes_sum',
  responseBodySum: 'http_server_response_body_size_bytes_sum',
} as const;

export interface Sample {
  /** The series name, e.g. `http_server_request_duration_seconds_count`. */
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/**
 * Every sample of the registry, each histogram's `_bucket`, `_sum` and `_count` by their own name.
 *
 * @example
 * const samples = await readSamples(registry);
 */
export async function readSamples(registry: Registry): Promise<Sample[]> {
  const out: Sample[] = [];
  for (const family of await registry.getMetricsAsJSON()) {
    // Histogram values carry their series name; prom-client's JSON type leaves it out.
    for (const v of family.values as (MetricValue<string> & { metricName?: string })[]) {
      const labels: Record<string, string> = {};
      for (const [k, value] of Object.entries(v.labels)) {
        if (value !== undefined) labels[k] = String(value);
      }
      out.push({ name: v.metricName ?? family.name, labels, value: v.value });
    }
  }
  return out;
}

/**
 * The samples named `name` whose labels include `labels`.
 *
 * @example
 * await samplesOf(registry, HTTP.durationCount, { http_route: '/ok' });
 */
export async function samplesOf(
  registry: Registry,
  name: string,
  labels: Readonly<Record<string, string>> = {},
): Promise<Sample[]> {
  return (await readSamples(registry)).filter(
    (s) => s.name === name && Object.entries(labels).every(([k, want]) => s.labels[k] === want),
  );
}

/**
 * The value of the one sample matching, undefined when none does; more than one is an error.
 *
 * @example
 * expect(await valueOf(registry, HTTP.responseBodySum, { http_route: '/stream' })).toBe(3003);
 */
export async function valueOf(
  registry: Registry,
  name: string,
  labels: Readonly<Record<string, string>>,
): Promise<number | undefined> {
  const found = await samplesOf(registry, name, labels);
  if (found.length > 1) throw new Error(`${found.length} samples of ${name} match`);
  return found[0]?.value;
}

/**
 * Requests recorded, by `"METHOD route status"`, from the duration histogram's `_count`.
 *
 * @example
 * expect(await requestCounts(registry)).toEqual({ 'GET /users/:id 200': 2 });
 */
export async function requestCounts(registry: Registry): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const { labels, value } of await samplesOf(registry, HTTP.durationCount)) {
    const key = `${labels.http_request_method} ${labels.http_route} ${labels.http_response_status_code}`;
    out[key] = value;
  }
  return out;
}

/**
 * Requests in flight, summed over every method of the `http_server_active_requests` gauge.
 *
 * @example
 * expect(await activeRequests(registry)).toBe(0);
 */
export async function activeRequests(registry: Registry): Promise<number> {
  return (await samplesOf(registry, HTTP.active)).reduce((sum, s) => sum + s.value, 0);
}

/**
 * Body bytes recorded by route: the `_sum` of the request or response body size histogram.
 *
 * @example
 * expect(await bodyBytes(registry, 'response')).toEqual({ '/stream': 3003 });
 */
export async function bodyBytes(
  registry: Registry,
  which: 'request' | 'response',
): Promise<Record<string, number>> {
  const name = which === 'request' ? HTTP.requestBodySum : HTTP.responseBodySum;
  const out: Record<string, number> = {};
  for (const { labels, value } of await samplesOf(registry, name)) {
    const route = labels.http_route ?? '';
    out[route] = (out[route] ?? 0) + value;
  }
  return out;
}
