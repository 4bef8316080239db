// Test helpers: real HTTP on 127.0.0.1 and readings of the registry (not part of the package).
import { once } from 'node:events';
import {
  createServer,
  request,
  type Agent,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import { METRICS } from '@ai-orchestrator/metrics';

const servers: Server[] = [];

/** Starts a server on a free loopback port; closeServers() stops every one started. */
export async function listen(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
  configure: (server: Server) => void = () => {},
): Promise<string> {
  const server = createServer(handler);
  configure(server);
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

export async function closeServers(): Promise<void> {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

export interface Reply {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

export interface SendOptions {
  readonly method?: string;
  readonly headers?: Record<string, string>;
  readonly body?: string;
  readonly agent?: Agent;
}

/** One request, its whole response read. */
export async function send(url: string, options: SendOptions = {}): Promise<Reply> {
  const req = request(url, {
    method: options.method ?? 'GET',
    headers: options.headers ?? {},
    ...(options.agent ? { agent: options.agent } : {}),
  });
  req.end(options.body);
  const [res] = (await once(req, 'response')) as [IncomingMessage];
  const chunks: Buffer[] = [];
  for await (const chunk of res) chunks.push(chunk as Buffer);
  return {
    status: res.statusCode ?? 0,
    headers: res.headers,
    body: Buffer.concat(chunks).toString('utf8'),
  };
}

export interface Deferred {
  readonly promise: Promise<void>;
  resolve(): void;
}

export function deferred(): Deferred {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

async function values(registry: Registry, name: string) {
  const metric = registry.getSingleMetric(name);
  return metric ? (await metric.get()).values : [];
}

/** Request counts by `"METHOD route status"`, read from the duration histogram. */
export async function counts(registry: Registry): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  const name = METRICS.httpServerRequestDuration.name;
  for (const v of await values(registry, name)) {
    if ((v as { metricName?: string }).metricName !== `${name}_count`) continue;
    const { http_request_method: m, http_route: r, http_response_status_code: s } = v.labels;
    out[`${m} ${r} ${s}`] = v.value;
  }
  return out;
}

/** Sum of a body-size histogram by route. */
export async function bodyBytes(
  registry: Registry,
  which: 'request' | 'response',
): Promise<Record<string, number>> {
  const name =
    METRICS[which === 'request' ? 'httpServerRequestBodySize' : 'httpServerResponseBodySize'].name;
  const out: Record<string, number> = {};
  for (const v of await values(registry, name)) {
    if ((v as { metricName?: string }).metricName !== `${name}_sum`) continue;
    const route = String(v.labels.http_route);
    out[route] = (out[route] ?? 0) + v.value;
  }
  return out;
}

/** Requests in flight, all methods. */
export async function active(registry: Registry): Promise<number> {
  const all = await values(registry, METRICS.httpServerActiveRequests.name);
  return all.reduce((sum, v) => sum + v.value, 0);
}
