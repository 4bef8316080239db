// The client side of adapter tests: whole responses, many requests at once, and aborts.
import { once } from 'node:events';
import { Agent, request, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { connect } from 'node:net';

export interface Reply {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  /** The body as UTF-8. */
  readonly body: string;
  /** The body's size in bytes, as received. */
  readonly bytes: number;
}

export interface SendOptions {
  readonly method?: string;
  readonly headers?: Record<string, string>;
  readonly body?: string;
  readonly agent?: Agent;
}

function open(url: string, options: SendOptions) {
  const headers = { ...options.headers };
  if (options.body !== undefined) headers['content-type'] ??= 'text/plain';
  return request(url, {
    method: options.method ?? 'GET',
    headers,
    ...(options.agent ? { agent: options.agent } : {}),
  });
}

/**
 * One request, its whole response read.
 *
 * @example
 * const { status, body } = await send(`${url}/echo`, { method: 'POST', body: 'hi' });
 */
export async function send(url: string, options: SendOptions = {}): Promise<Reply> {
  const req = open(url, options);
  req.end(options.body);
  const [res] = (await once(req, 'response')) as [IncomingMessage];
  const chunks: Buffer[] = [];
  for await (const chunk of res) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks);
  return {
    status: res.statusCode ?? 0,
    headers: res.headers,
    body: body.toString('utf8'),
    bytes: body.byteLength,
  };
}

/**
 * Sends every request with at most `concurrency` in flight over keep-alive sockets; returns how
 * many answers came with each status.
 *
 * @example
 * expect(await sendAll(url, [{ method: 'GET', path: '/a' }])).toEqual(new Map([[404, 1]]));
 */
export async function sendAll(
  base: string,
  requests: readonly { readonly method: string; readonly path: string }[],
  concurrency = 16,
): Promise<Map<number, number>> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const statuses = new Map<number, number>();
  let next = 0;
  // The body is drained, not kept: only the status counts here.
  const one = (method: string, path: string) =>
    new Promise<number>((resolve, reject) => {
      const req = request(base + path, { method, agent }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
      req.end();
    });
  const worker = async () => {
    while (next < requests.length) {
      const { method, path } = requests[next++]!;
      const status = await one(method, path);
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
    }
  };
  try {
    await Promise.all(Array.from({ length: concurrency }, worker));
  } finally {
    agent.destroy();
  }
  return statuses;
}

export interface AbortOptions {
  readonly method?: string;
  readonly body?: string;
  /** Hang up once this resolves, or (`'first-byte'`) once the first body bytes arrived. */
  readonly when: Promise<unknown> | 'first-byte';
}

/**
 * Starts a request and hangs up from the client side mid-flight; resolves once the client's
 * socket is closed. Wait for the server (`settled()`) before reading the metrics.
 *
 * @example
 * await abortRequest(`${url}/hang`, { when: probe.next() });
 */
export function abortRequest(url: string, options: AbortOptions): Promise<void> {
  const req = open(url, options);
  req.on('error', () => {}); // the client hangs up on purpose
  // Not once(): it rejects on the 'error' the hang-up causes.
  const closed = new Promise<void>((resolve) => req.once('close', () => resolve()));
  req.end(options.body);
  if (options.when === 'first-byte') {
    req.on('response', (res: IncomingMessage) => res.once('data', () => req.destroy()));
  } else {
    const hangUp = () => req.destroy();
    options.when.then(hangUp, hangUp);
  }
  return closed;
}

/**
 * Sends `paths` as GET requests pipelined on one connection (HTTP/1.1: each sent before the
 * previous answer). With `hangUp`, closes the connection once it resolves; otherwise reads until
 * every response's status line arrived. Resolves with the status codes read, once the
 * connection is closed.
 *
 * @example
 * await pipelined(url, ['/hang', '/ok'], { hangUp: app.nextHung() });
 */
export async function pipelined(
  url: string,
  paths: readonly string[],
  options: { readonly hangUp?: Promise<unknown> } = {},
): Promise<number[]> {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  socket.on('error', () => {}); // a hang-up on purpose
  let text = '';
  const statuses = (): number[] =>
    [...text.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((m) => Number(m[1]));
  socket.on('data', (chunk: Buffer) => {
    text += chunk.toString('latin1');
    if (options.hangUp === undefined && statuses().length >= paths.length) socket.end();
  });
  const closed = once(socket, 'close');
  socket.write(paths.map((path) => `GET ${path} HTTP/1.1\r\nHost: conformance\r\n\r\n`).join(''));
  if (options.hangUp !== undefined) {
    const hangUp = () => socket.destroy();
    options.hangUp.then(hangUp, hangUp);
  }
  await closed;
  return statuses();
}

/**
 * Starts a GET whose response the test expects the server to cut off: `firstByte` resolves once
 * body bytes arrived, `closed` once the connection is gone (never rejects).
 *
 * @example
 * const { firstByte, closed } = watchResponse(`${url}/stalled`);
 */
export function watchResponse(url: string): { firstByte: Promise<void>; closed: Promise<void> } {
  const req = open(url, {});
  req.on('error', () => {}); // the server cuts the response off on purpose
  const closed = new Promise<void>((resolve) => req.once('close', () => resolve()));
  const firstByte = new Promise<void>((resolve) =>
    req.on('response', (res: IncomingMessage) => {
      res.on('error', () => {});
      res.once('data', () => resolve());
    }),
  );
  req.end();
  return { firstByte, closed };
}
