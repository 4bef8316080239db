// Reads a /metrics text exposition into `name{labels}` -> value.
export type Samples = Map<string, number>;

export async function scrape(url: string): Promise<Samples> {
  const res = await fetch(url);
  if (res.status !== 200) throw new Error(`${url} answered ${res.status}: ${await res.text()}`);
  return parse(await res.text());
}

export function parse(body: string): Samples {
  const samples: Samples = new Map();
  for (const line of body.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    samples.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return samples;
}

const COUNTER_LIKE = /^[a-z_]+(_total|_count|_sum|_bucket)\{/;

/** Counter and histogram samples of `before` that are lower in `after`: must be none. */
export function wentBackwards(before: Samples, after: Samples): string[] {
  const lower: string[] = [];
  for (const [name, value] of before) {
    if (!COUNTER_LIKE.test(name)) continue;
    const now = after.get(name);
    if (now === undefined || now < value) lower.push(`${name}: ${value} -> ${now}`);
  }
  return lower;
}

/** The request-count series of the HTTP duration histogram, by `METHOD route status`. */
export function requestCounts(samples: Samples, service: string): Map<string, number> {
  const counts = new Map<string, number>();
  const re = new RegExp(
    `^http_server_request_duration_seconds_count\\{service="${service}",http_request_method="([A-Z]+)",http_route="([^"]+)",http_response_status_code="(\\d+)"\\}$`,
  );
  for (const [name, value] of samples) {
    const m = re.exec(name);
    if (m) counts.set(`${m[1]} ${m[2]} ${m[3]}`, value);
  }
  return counts;
}
