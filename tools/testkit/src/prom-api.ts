/** GET `<url>/api/v1/<path>` of a Prometheus-compatible API and return `data`. */
export type PromApi = <T = unknown>(path: string, params?: Record<string, string>) => Promise<T>;

/**
 * A client for the Prometheus HTTP API (Prometheus and VictoriaMetrics speak the same one),
 * failing with the server's error text on a non-success status.
 *
 * @example
 * const api = promApi('http://127.0.0.1:9090');
 * const result = await api<{ result: unknown[] }>('query', { query: 'up' });
 */
export function promApi(url: string): PromApi {
  return async <T>(path: string, params: Record<string, string> = {}): Promise<T> => {
    const query = new URLSearchParams(params).toString();
    const res = await fetch(`${url}/api/v1/${path}${query ? `?${query}` : ''}`);
    const text = await res.text();
    let body: { status?: string; data?: T; error?: string };
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      throw new Error(`${url} ${path}: HTTP ${res.status} ${text.slice(0, 300)}`);
    }
    if (body.status !== 'success') throw new Error(`${url} ${path}: ${body.error ?? res.status}`);
    return body.data as T;
  };
}
