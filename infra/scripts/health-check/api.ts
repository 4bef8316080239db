// A Prometheus / Alertmanager HTTP API client for the health check: credentials on every call,
// a clear error for an HTTP error status or a body that is not the API's JSON.

/** Credentials for a stack behind an authenticating proxy (the Ingress asks for basic auth). */
export interface Auth {
  /** `user:password`, sent as HTTP basic auth. */
  readonly basic?: string | undefined;
  /** Sent as `Authorization: Bearer <token>`. */
  readonly bearerToken?: string | undefined;
}

export interface Sample {
  metric: Record<string, string>;
  value: [number, string];
}

export interface ApiClient {
  /** GET `path` (from the base URL) as JSON; throws on an HTTP error status. */
  getJson<T>(path: string): Promise<T>;
  /** An instant PromQL query at `time`; throws when Prometheus answers with an error. */
  query(promql: string, time: Date): Promise<Sample[]>;
}

function authorization(auth: Auth): string | undefined {
  if (auth.basic !== undefined) {
    if (!/^[^:]+:.+$/.test(auth.basic)) {
      throw new TypeError('health-check: MONITORING_BASIC_AUTH must be user:password');
    }
    return `Basic ${Buffer.from(auth.basic).toString('base64')}`;
  }
  return auth.bearerToken ? `Bearer ${auth.bearerToken}` : undefined;
}

/**
 * A client of the API at `base`, sending `auth` with every request.
 *
 * @example
 * const prometheus = apiClient('http://localhost:9090', { basic: 'ops:secret' });
 * const up = await prometheus.query('up', new Date());
 */
export function apiClient(base: string, auth: Auth = {}): ApiClient {
  const header = authorization(auth);
  const headers: Record<string, string> = header ? { authorization: header } : {};
  async function get(path: string): Promise<{ status: number; body: unknown }> {
    const res = await fetch(`${base}${path}`, { headers, signal: AbortSignal.timeout(10_000) });
    const text = await res.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    // Prometheus answers a bad query with 400 and a JSON error: keep that message.
    if (!res.ok && (body as { error?: string } | undefined)?.error === undefined) {
      throw new Error(`GET ${base}${path}: HTTP ${res.status} ${text.slice(0, 200).trim()}`);
    }
    if (body === undefined) throw new Error(`GET ${base}${path}: not JSON: ${text.slice(0, 200)}`);
    return { status: res.status, body };
  }
  return {
    async getJson<T>(path: string): Promise<T> {
      return (await get(path)).body as T;
    },
    async query(promql, time) {
      const params = new URLSearchParams({ query: promql, time: String(time.getTime() / 1000) });
      const { status, body } = await get(`/api/v1/query?${params.toString()}`);
      const answer = body as { status?: string; data?: { result: Sample[] }; error?: string };
      if (answer.status !== 'success' || !answer.data) {
        throw new Error(
          `Prometheus query failed (${status}): ${answer.error ?? 'no data'}: ${promql}`,
        );
      }
      return answer.data.result;
    },
  };
}
