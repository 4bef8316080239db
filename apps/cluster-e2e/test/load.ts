// The load generator the test controls: a fixed list of requests over keep-alive connections,
// counted by what each response said, so the primary's counts can be checked to the request.
import { Agent, request } from 'node:http';

export interface Planned {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  /** The route template the adapter records for it. */
  readonly route: string;
}

/** `count` requests: mostly item reads, some orders, failures and unknown paths. */
export function plan(count: number, offset = 0): Planned[] {
  return Array.from({ length: count }, (_, n): Planned => {
    const i = n + offset;
    if (i % 10 === 3) return { method: 'GET', path: '/fail', route: '/fail' };
    if (i % 5 === 1) return { method: 'POST', path: '/orders', route: '/orders' };
    if (i % 20 === 7) return { method: 'GET', path: `/no/such/${i}`, route: '__unmatched__' };
    return { method: 'GET', path: `/items/${i}`, route: '/items/:id' };
  });
}

/** Responses by `METHOD route status` (and `error` for requests that got none). */
export type Tally = Map<string, number>;

function send(agent: Agent, port: number, r: Planned): Promise<string> {
  return new Promise((resolve) => {
    let answered = false;
    // A worker killed mid-request leaves only 'close' (or 'error') on the request or response.
    const req = request(
      { host: '127.0.0.1', port, method: r.method, path: r.path, agent },
      (res) => {
        answered = true;
        res.resume();
        res.once('end', () => resolve(`${r.method} ${r.route} ${res.statusCode}`));
        res.once('error', () => resolve('error'));
        res.once('close', () => {
          if (!res.complete) resolve('error');
        });
      },
    );
    // A connection handed to a worker as it died is never answered: give up on it.
    req.setTimeout(5000, () => req.destroy());
    req.once('error', () => resolve('error'));
    req.once('close', () => {
      if (!answered) resolve('error');
    });
    req.end();
  });
}

/** Sends every planned request, spread over `ports`, `concurrency` at a time. */
export async function sendAll(
  ports: readonly number[],
  requests: readonly Planned[],
  concurrency = 16,
): Promise<Tally> {
  const agents = ports.map(
    () => new Agent({ keepAlive: true, maxSockets: Math.ceil(concurrency / ports.length) }),
  );
  const tally: Tally = new Map();
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < requests.length) {
      const i = next++;
      const key = await send(
        agents[i % ports.length] as Agent,
        ports[i % ports.length] as number,
        requests[i] as Planned,
      );
      tally.set(key, (tally.get(key) ?? 0) + 1);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  for (const agent of agents) agent.destroy();
  return tally;
}

export function add(into: Tally, from: Tally): void {
  for (const [key, n] of from) into.set(key, (into.get(key) ?? 0) + n);
}
