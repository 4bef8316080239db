// The Node.js request lifecycle every adapter shares: response bytes, finish, abort.
// Adapters only tell it how to find the route template of their framework.
import { ServerResponse, type IncomingMessage } from 'node:http';
import { Socket } from 'node:net';
import type { HttpRecorder, HttpRequestOutcome, HttpRequestTimer } from './types.js';

type Chunk = string | Uint8Array | undefined | null;

function chunkBytes(chunk: unknown, encoding: unknown): number {
  if (chunk === undefined || chunk === null || typeof chunk === 'function') return 0;
  if (typeof chunk === 'string') {
    return Buffer.byteLength(
      chunk,
      typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8',
    );
  }
  if (chunk instanceof Uint8Array) return chunk.byteLength;
  return 0;
}

/** Declared request body size: the `content-length` header when it is a valid number. */
export function requestBytes(req: IncomingMessage): number | undefined {
  const headers = req.headers;
  const header = headers['content-length'];
  if (header === undefined) return headers['transfer-encoding'] === undefined ? 0 : undefined;
  const bytes = Number(header);
  return Number.isSafeInteger(bytes) && bytes >= 0 ? bytes : undefined;
}

// Per-response byte count, reached through `this` by two module-level wrappers. Functions shared
// by every response (instead of closures per response) keep a promoted response object from
// pinning each request's young objects: under tracing load that tripled scavenge times.
const COUNT = Symbol('@ai-orchestrator/metrics.response-bytes');

type Call<R> = (this: ServerResponse, ...args: unknown[]) => R;

interface ByteCount {
  written: number;
  ended: boolean;
  readonly write: Call<boolean>;
  readonly end: Call<ServerResponse>;
}

type CountedResponse = ServerResponse & { [COUNT]?: ByteCount };

// Called with a `this` that is no counted response (never by Node or the frameworks), the
// wrappers still write, with Node's own methods.
const plainWrite = ServerResponse.prototype.write as Call<boolean>;
const plainEnd = ServerResponse.prototype.end as Call<ServerResponse>;

function countedWrite(this: CountedResponse, chunk: Chunk, encoding?: unknown): boolean {
  const count = this?.[COUNT];
  if (count === undefined) {
    // eslint-disable-next-line prefer-rest-params
    return plainWrite.apply(this, arguments as never);
  }
  count.written += chunkBytes(chunk, encoding);
  // `arguments` passes the caller's arguments on unchanged (and unallocated).
  // eslint-disable-next-line prefer-rest-params
  return count.write.apply(this, arguments as never);
}

function countedEnd(this: CountedResponse, chunk?: unknown, encoding?: unknown): ServerResponse {
  const count = this?.[COUNT];
  if (count === undefined) {
    // eslint-disable-next-line prefer-rest-params
    return plainEnd.apply(this, arguments as never);
  }
  // Only the first end() writes its chunk.
  if (!count.ended) count.written += chunkBytes(chunk, encoding);
  count.ended = true;
  // eslint-disable-next-line prefer-rest-params
  return count.end.apply(this, arguments as never);
}

/** Counts the body bytes of `res` as they are written; one count per response. */
function countBytes(res: CountedResponse): ByteCount {
  const existing = res[COUNT];
  if (existing) return existing;
  // Wrapping this one response's write/end (not the prototype) is how body bytes are counted
  // for streamed and chunked responses, whose length no header tells.
  const count: ByteCount = {
    written: 0,
    ended: false,
    write: res.write as Call<boolean>,
    end: res.end as Call<ServerResponse>,
  };
  res[COUNT] = count;
  res.write = countedWrite as ServerResponse['write'];
  res.end = countedEnd as ServerResponse['end'];
  return count;
}

// The recorder timing each response, and its timer: a request that passes two instances of an
// adapter on one metrics object (a sub-app with its own middleware, a plugin registered twice)
// is timed once. Kept on Node's own responses as a property (free: one hidden-class step shared
// by all of them), and in a WeakMap for responses of another prototype (Express gives each its
// app's): a property added there costs about 2 µs, a WeakMap entry of a short-lived key about
// 0.3 µs (its scavenge work included), measured on Node 20.
interface Timed {
  readonly recorder: HttpRecorder;
  readonly timer: HttpRequestTimer;
}
const TIMED = Symbol('@ai-orchestrator/metrics.timed');
type TimedResponse = ServerResponse & { [TIMED]?: Timed };
const timing = new WeakMap<ServerResponse, Timed>();
const NODE_RESPONSE = ServerResponse.prototype;

function timedOf(res: TimedResponse, own: boolean): Timed | undefined {
  return own ? res[TIMED] : timing.get(res);
}

// Errors a socket ends with when the client went away (reset, or a write after it closed).
const CLIENT_GONE = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED']);

/**
 * Whether a response that closed before it finished counts as given up (499) rather than cut off
 * by the server (500: a handler that failed after the headers went out, whose framework then
 * destroyed the socket). A client hang-up leaves its mark on the socket: the client's FIN was
 * read, or the socket failed with a reset or a broken pipe. A socket with a timeout set may have
 * been closed by Node for idling, which counts as 499 too (documented). HTTP/2 streams count as
 * the client's.
 */
function givenUp(req: IncomingMessage, res: ServerResponse): boolean {
  const socket = (res.socket ?? req.socket) as
    (Socket & { errored?: { code?: unknown } | null }) | null | undefined;
  if (socket === null || socket === undefined || 'stream' in req) return true;
  if (socket.readableEnded || socket.timeout) return true;
  const code = socket.errored?.code;
  return typeof code === 'string' && CLIENT_GONE.has(code);
}

/**
 * Whether `res` ended on a socket that is no network socket: a simulated request (Fastify's
 * `inject()`, light-my-request) ends its response but never flushes it to a socket, so Node never
 * marks it finished.
 */
function simulated(res: ServerResponse): boolean {
  const socket = res.socket;
  return res.writableEnded && socket !== null && !(socket instanceof Socket);
}

/**
 * Times one request on Node's own `req`/`res`: ends the timer when the response closes, as a
 * finished request or, when it closed before it finished, as an abort (499) if the client went
 * away or the socket timed out, or as a server error (500) if the server cut the response off.
 * With body sizes on (`httpBodySizes`) it also counts the response body as it is written
 * (streaming and chunked included). `route` is asked once, when the request is over. A response already timed by the
 * same recorder keeps its first timer. Never throws into the request.
 *
 * @example
 * instrumentRequest(metrics.http, req, res, () => req.route?.path);
 */
export function instrumentRequest(
  recorder: HttpRecorder,
  req: IncomingMessage,
  res: ServerResponse,
  route: () => string | undefined,
): HttpRequestTimer {
  const own = Object.getPrototypeOf(res) === NODE_RESPONSE;
  const timed = timedOf(res, own);
  if (timed !== undefined && timed.recorder === recorder) return timed.timer;
  // Each property of req/res is read once: frameworks that swap their prototypes (Express)
  // make every such read a slow, megamorphic lookup.
  const method = req.method;
  const timer = recorder.start(method ?? '');
  if (timed === undefined) {
    if (own) (res as TimedResponse)[TIMED] = { recorder, timer };
    else timing.set(res, { recorder, timer });
  }
  const count = recorder.bodySizes ? countBytes(res) : undefined;
  const close = (): void => {
    if (timer.done) return;
    if (res.writableFinished || simulated(res))
      timer.end(outcomeOf(req, res, route, count, method));
    else if (givenUp(req, res)) timer.abort(outcomeOf(req, res, route, count, method));
    else timer.end({ ...outcomeOf(req, res, route, count, method), statusCode: 500 });
  };
  // One listener: Node emits 'close' for every response, a tick after 'finish' or on an abort.
  // A 'finish' listener too would turn Node's own single listener into an array per response.
  res.on('close', close);
  // A pipelined request whose response waits behind another's has no socket yet, and Node
  // never closes that response if the client hangs up first: only its request closes.
  if (res.socket === null) {
    req.once('close', () => {
      if (!timer.done && res.socket === null && !res.writableFinished) {
        timer.abort(outcomeOf(req, res, route, count, method));
      }
    });
  }
  return timer;
}

function outcomeOf(
  req: IncomingMessage,
  res: ServerResponse,
  route: () => string | undefined,
  count: ByteCount | undefined,
  method: string | undefined,
): HttpRequestOutcome {
  const statusCode = res.statusCode;
  if (count === undefined) return { route: safeRoute(route), statusCode };
  return {
    route: safeRoute(route),
    statusCode,
    requestBytes: requestBytes(req),
    responseBytes: method === 'HEAD' ? 0 : count.written,
  };
}

function safeRoute(route: () => string | undefined): string | undefined {
  try {
    return route();
  } catch {
    return undefined;
  }
}
