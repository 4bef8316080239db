// A loopback exporter of N series shaped like what @ai-orchestrator/metrics exposes for HTTP
// traffic: `http_server_request_duration_seconds` histograms (the contract's 14 buckets, +Inf,
// _sum and _count: 17 series per method, route and status) whose counters move on every scrape
// as a service under load would. The label sets are rendered once; a scrape only writes numbers,
// so the exporter itself stays cheap next to the Prometheus being measured.
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { METRICS } from '@ai-orchestrator/metrics';

const HISTOGRAM = METRICS.httpServerRequestDuration;
const BUCKETS = [...HISTOGRAM.buckets, Infinity];
/** Series per label set: every bucket, +Inf, _sum and _count. */
export const SERIES_PER_HISTOGRAM = BUCKETS.length + 2;
const METHODS = ['GET', 'POST', 'PUT', 'DELETE'];
const STATUSES = ['200', '201', '400', '404', '500'];

export interface SyntheticExporter {
  /** host:port, as a Prometheus target. */
  readonly target: string;
  /** How many series each scrape returns. */
  readonly series: number;
  stop(): Promise<void>;
}

interface Histogram {
  readonly prefix: string[];
  readonly counts: number[];
  sum: number;
}

/** Latency draw in seconds, mostly fast with a long tail (a log-uniform spread, 2 ms to 8 s). */
const latency = (): number => Math.exp(Math.log(0.002) + Math.random() * Math.log(4000));

function histograms(count: number): Histogram[] {
  const name = HISTOGRAM.name;
  return Array.from({ length: count }, (_, i) => {
    const labels =
      `service="capacity-${i % 7}",http_request_method="${METHODS[i % METHODS.length]}",` +
      `http_route="/v1/resource-${Math.floor(i / 20)}/:id",` +
      `http_response_status_code="${STATUSES[Math.floor(i / 4) % STATUSES.length]}"`;
    const prefix = [
      ...BUCKETS.map((le) => `${name}_bucket{${labels},le="${le === Infinity ? '+Inf' : le}"} `),
      `${name}_sum{${labels}} `,
      `${name}_count{${labels}} `,
    ];
    return { prefix, counts: BUCKETS.map(() => 0), sum: 0 };
  });
}

/** A few requests per label set since the last scrape; cumulative buckets as Prometheus wants. */
function observe(h: Histogram): void {
  const requests = Math.floor(Math.random() * 6);
  for (let r = 0; r < requests; r += 1) {
    const seconds = latency();
    h.sum += seconds;
    for (let b = 0; b < BUCKETS.length; b += 1)
      if (seconds <= (BUCKETS[b] as number)) h.counts[b]! += 1;
  }
}

function render(all: Histogram[]): string {
  const lines: string[] = [`# TYPE ${HISTOGRAM.name} histogram`];
  for (const h of all) {
    observe(h);
    h.counts.forEach((c, b) => lines.push(`${h.prefix[b]}${c}`));
    lines.push(`${h.prefix[BUCKETS.length]}${h.sum}`);
    lines.push(`${h.prefix[BUCKETS.length + 1]}${h.counts.at(-1)}`);
  }
  lines.push('');
  return lines.join('\n');
}

/**
 * Starts the exporter on 127.0.0.1 with at least `series` series (whole histograms).
 *
 * @example
 * const exporter = await startSyntheticExporter(10_000); // scrape exporter.target
 */
export async function startSyntheticExporter(series: number): Promise<SyntheticExporter> {
  if (!Number.isInteger(series) || series < SERIES_PER_HISTOGRAM) {
    throw new RangeError(`series must be a whole number >= ${SERIES_PER_HISTOGRAM}, got ${series}`);
  }
  const all = histograms(Math.ceil(series / SERIES_PER_HISTOGRAM));
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(render(all));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    target: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    series: all.length * SERIES_PER_HISTOGRAM,
    async stop() {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}
