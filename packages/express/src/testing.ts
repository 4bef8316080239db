// Test helpers: real HTTP on 127.0.0.1 and reading samples back from a registry.
import { Agent, createServer, request, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

export interface Running {
  readonly url: string;
  readonly server: Server;
  /** Resolves once every response the server has started is closed (finished or aborted). */
  settled(): Promise<void>;
}

const servers = new Set<Server>();

/** Serves `app` on a free loopback port, tracking open responses so tests wait on events. */
export async function listen(app: RequestListener): Promise<Running> {
  let open = 0;
  const waiters: (() => void)[] = [];
  const server = createServer((req, res) => {
    open += 1;
    // Registered before the app's listeners: the awaiting test resumes after all of them ran.
    res.once('close', () => {
      open -= 1;
      if (open === 0) for (const wake of waiters.splice(0)) wake();
    });
    app(req, res);
  });
  servers.add(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    settled: () =>
      open === 0 ? Promise.resolve() : new Promise<void>((resolve) => waiters.push(resolve)),
  };
}

/** Closes every server `listen` started, keep-alive sockets included. */
export async function closeAll(): Promise<void> {
  await Promise.all(
    [...servers].map(
      (server) =>
        new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        }),
    ),
  );
  servers.clear();
}

type Sample = { value: number; labels: Record<string, string | number>; metricName?: string };

/** Every sample of `name` (a histogram's `_count`/`_sum`/`_bucket` included) matching `labels`. */
export async function samples(
  registry: Registry,
  name: string,
  labels: Record<string, string> = {},
): Promise<Sample[]> {
  const family = name.replace(/_(sum|count|bucket)$/, '');
  const metric = registry.getSingleMetric(name) ?? registry.getSingleMetric(family);
  if (!metric) return [];
  const { values } = (await metric.get()) as { values: Sample[] };
  return values.filter(
    (v) =>
      (v.metricName ?? name) === name &&
      Object.entries(labels).every(([k, want]) => String(v.labels[k]) === want),
  );
}

/** The value of the one sample matching, or undefined when there is none. */
export async function sample(
  registry: Registry,
  name: string,
  labels: Record<string, string>,
): Promise<number | undefined> {
  const found = await samples(registry, name, labels);
  if (found.length > 1) throw new Error(`${found.length} samples of ${name} match`);
  return found[0]?.value;
}

/** Sends `paths` with at most `concurrency` requests in flight over keep-alive sockets. */
export async function sendAll(
  base: string,
  paths: readonly { method: string; path: string }[],
  concurrency = 16,
): Promise<number[]> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const statuses: number[] = [];
  let next = 0;
  const one = (method: string, path: string) =>
    new Promise<number>((resolve, reject) => {
      const req = request(`${base}${path}`, { method, agent }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
      req.end();
    });
  const worker = async () => {
    while (next < paths.length) {
      const { method, path } = paths[next++]!;
      statuses.push(await one(method, path));
    }
  };
  try {
    await Promise.all(Array.from({ length: concurrency }, worker));
  } finally {
    agent.destroy();
  }
  return statuses;
}
