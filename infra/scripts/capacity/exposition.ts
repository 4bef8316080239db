// Reading a server's own /metrics (Prometheus or VictoriaMetrics) for the capacity measurement.

/**
 * The sum of every sample of `name` in a text exposition whose labels match `labels` (a regex
 * over the `{…}` part); 0 when there is none.
 *
 * @example
 * sumOf(text, 'prometheus_tsdb_head_series'); // 10034
 */
export function sumOf(text: string, name: string, labels?: RegExp): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const rest = line.slice(name.length);
    if (rest[0] !== ' ' && rest[0] !== '{') continue;
    const braces = rest.startsWith('{') ? rest.slice(0, rest.indexOf('}') + 1) : '';
    if (labels && !labels.test(braces)) continue;
    sum += Number(rest.slice(braces.length).trim().split(' ')[0]);
  }
  return sum;
}

/** GET `<url>/metrics` as text. */
export async function scrape(url: string): Promise<string> {
  const res = await fetch(`${url}/metrics`);
  if (!res.ok) throw new Error(`${url}/metrics: HTTP ${res.status}`);
  return res.text();
}

/** The middle value (the mean of the two middle ones for an even count). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** Least-squares line through the points: bytes per series (slope) and the base (intercept). */
export function fitLine(points: readonly { x: number; y: number }[]): {
  slope: number;
  intercept: number;
} {
  const n = points.length;
  const mx = points.reduce((s, p) => s + p.x, 0) / n;
  const my = points.reduce((s, p) => s + p.y, 0) / n;
  const sxy = points.reduce((s, p) => s + (p.x - mx) * (p.y - my), 0);
  const sxx = points.reduce((s, p) => s + (p.x - mx) ** 2, 0);
  const slope = sxx === 0 ? 0 : sxy / sxx;
  return { slope, intercept: my - slope * mx };
}
