// The Node.js request lifecycle every adapter shares: response bytes, finish, abort.
// Adapters only tell it how to find the route template of their framework.
import { STATUS_CODES, ServerResponse, type IncomingMessage } from 'node:http';
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
  // a write after end() sends nothing (Node refuses it)
  if (!count.ended) count.written += chunkBytes(chunk, encoding);
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
// is timed once, also when the second sees it after it ended (a client that hung up during an
// async middleware between the two, a chain that goes on after the response). Kept, as the
// request's one Watch, where a write is cheapest:
// - on Node's own responses, as a property (one hidden-class step shared by all of them);
// - for a Node response under another prototype (Express gives each its app's, after which a
//   property added to it costs about 2 µs), on its connection: one slot per socket, naming the
//   response it is for, until the connection's next request replaces it. An idle keep-alive
//   connection so keeps its last response until its next request or its close (Node closes an
//   idle one after `keepAliveTimeout`, 5 s by default). A response that has let go of its socket
//   (it finished) is looked up through its request's;
// - otherwise (HTTP/2, a queued pipelined response with no socket yet), in a WeakMap: an entry
//   keyed by a short-lived object costs about 1 µs on Express's responses (profiled, Node 20).
const TIMED = Symbol('@ai-orchestrator/metrics.timed');
type TimedResponse = ServerResponse & { [TIMED]?: Watch };
const SOCKET_TIMED = Symbol('@ai-orchestrator/metrics.socket-timed');
type SlotSocket = Socket & { [SOCKET_TIMED]?: Watch | undefined };
const timing = new WeakMap<ServerResponse, Watch>();
const NODE_RESPONSE = ServerResponse.prototype;

/** The Watch of `res`, wherever it was kept (see above). */
function timedOf(
  req: IncomingMessage | undefined,
  res: TimedResponse,
  own: boolean,
): Watch | undefined {
  if (own) return res[TIMED];
  const slot = ((res.socket ?? req?.socket) as SlotSocket | null | undefined)?.[SOCKET_TIMED];
  if (slot !== undefined && slot.res === res) return slot;
  return timing.get(res);
}

/** Keeps the Watch of its response: on it, on its connection, or in the map. */
function keepTimed(watch: Watch, own: boolean): void {
  const res = watch.res as TimedResponse;
  if (own) {
    res[TIMED] = watch;
    return;
  }
  const socket = res.socket as SlotSocket | null;
  if (watch.http1 && socket !== null) {
    // The connection's earlier response, not closed yet (its 'close' is a tick after 'finish'),
    // moves to the map: its close listener still finds it.
    const held = socket[SOCKET_TIMED];
    if (held !== undefined && held.res !== res && !held.timer.done) timing.set(held.res, held);
    try {
      socket[SOCKET_TIMED] = watch;
      return;
    } catch {
      // a socket that takes no property (frozen): the map then
    }
  }
  timing.set(res, watch);
}

/**
 * Whether an adapter instance on `recorder` already times this request: a second instance on the
 * same metrics object (a sub-app's middleware) then neither times it again nor serves its own
 * metrics path, whose answer the first instance did not give (its options, auth included, decide).
 *
 * @example
 * if (action === 'metrics' && timedBy(metrics.http, req, res)) action = 'record';
 */
export function timedBy(
  recorder: HttpRecorder,
  req: IncomingMessage,
  res: ServerResponse,
): boolean {
  const own = Object.getPrototypeOf(res) === NODE_RESPONSE;
  return timedOf(req, res, own)?.recorder === recorder;
}

// Errors a socket ends with when the client went away (reset, or a write after it closed), or
// that Node closed it with for the client's sake: a request it timed out (after answering 408), or
// bytes its parser could not read (after answering 400; those codes start with `HPE_`).
const CLIENT_GONE = new Set([
  'ECONNRESET',
  'EPIPE',
  'ECONNABORTED',
  'ERR_HTTP_REQUEST_TIMEOUT',
  'ERR_HTTP_HEADERS_TIMEOUT',
]);
// HTTP/2: a stream the client reset with an error code fails with this (one the server destroyed
// with an error fails with that error).
const H2_CLIENT_ERROR = 'ERR_HTTP2_STREAM_ERROR';
// HTTP/2: whether the server destroyed a stream that aborted. A reset from the client (any code,
// NO_ERROR too: Node's own client's close() and destroy() send it) aborts the stream before it is
// destroyed; the server's destroy() of the stream or its session aborts it once destroyed.
const SERVER_RESET = Symbol('@ai-orchestrator/metrics.server-reset');
interface WatchedStream {
  readonly errored?: { code?: unknown } | null;
  readonly destroyed?: boolean;
  readonly once?: unknown;
  [SERVER_RESET]?: boolean;
}

function markAborted(this: WatchedStream): void {
  this[SERVER_RESET] = this.destroyed === true;
}

/** Notes, on an HTTP/2 request's stream, who reset it (one listener per stream). */
function watchStream(req: IncomingMessage): void {
  const stream = (req as { stream?: WatchedStream }).stream;
  if (stream !== undefined && typeof stream.once === 'function') {
    (stream as unknown as Socket).once('aborted', markAborted);
  }
}

// Marks a socket whose idle timeout fired: Node then destroys it without an error, as a server
// that cuts a response off does. One listener per connection, added once a timeout is set.
const TIMEOUT_WATCHED = Symbol('@ai-orchestrator/metrics.timeout-watched');
const TIMED_OUT = Symbol('@ai-orchestrator/metrics.timed-out');
type WatchedSocket = Socket & { [TIMEOUT_WATCHED]?: true; [TIMED_OUT]?: true | undefined };

function markTimedOut(this: WatchedSocket): void {
  this[TIMED_OUT] = true;
}

/** Watches the idle timeout of a request's socket when one is set (`server.setTimeout`). */
function watchTimeout(socket: WatchedSocket | null | undefined): void {
  if (socket === null || socket === undefined) return;
  // a timeout that fired during an earlier request (a server's callback kept the socket)
  if (socket[TIMED_OUT] === true) socket[TIMED_OUT] = undefined;
  if (socket[TIMEOUT_WATCHED] === true) return;
  const timeout = socket.timeout;
  // (an HTTP/2 response's socket is a proxy of the session's: its streams time out on their own)
  if (timeout === undefined || timeout <= 0 || !(socket instanceof Socket)) return;
  socket[TIMEOUT_WATCHED] = true;
  socket.on('timeout', markTimedOut);
}

/**
 * Whether a response that closed before it finished counts as given up (499) rather than cut off
 * by the server (500: a handler that failed after the headers went out, whose framework then
 * destroyed the socket). A client hang-up leaves its mark on the socket: the client's FIN was
 * read, or the socket failed with a reset, a broken pipe, a parse error or a request timeout. A
 * socket Node closed because its idle timeout fired counts as 499 too (documented); one with a
 * timeout set after the request began, which was not watched, as well. On HTTP/2 a stream the
 * server destroyed, with an error or without (of the stream or its session), is 500; one the
 * client reset (with any code) or whose connection it closed is 499. A server's `close(code)` of
 * a stream, which resets it as a client would, counts 499.
 */
function givenUp(req: IncomingMessage, res: ServerResponse): boolean {
  if ('stream' in req) {
    const stream = (req as { stream?: WatchedStream }).stream;
    const errored = stream?.errored;
    if (errored !== null && errored !== undefined) return errored.code === H2_CLIENT_ERROR;
    return stream?.[SERVER_RESET] !== true;
  }
  const socket = (res.socket ?? req.socket) as
    (WatchedSocket & { errored?: { code?: unknown } | null }) | null | undefined;
  if (socket === null || socket === undefined || socket.readableEnded) return true;
  const errored = socket.errored;
  if (errored !== null && errored !== undefined) {
    const code = errored.code;
    return typeof code === 'string' && (CLIENT_GONE.has(code) || code.startsWith('HPE_'));
  }
  if (socket[TIMED_OUT] === true) return true;
  const timeout = socket.timeout;
  return socket[TIMEOUT_WATCHED] !== true && timeout !== undefined && timeout > 0;
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
 * (streaming and chunked included). `route` is asked once, when the request is over, with `req`
 * or with `subject` when one is given (a framework's context object): a function made once, not a
 * closure per request, saves two allocations a request. A response already timed by the same
 * recorder keeps its first timer. Never throws into the request.
 *
 * @example
 * instrumentRequest(metrics.http, req, res, (timed) => timed.route?.path);
 * instrumentRequest(metrics.http, ctx.req, ctx.res, routeOfContext, ctx);
 */
export function instrumentRequest<R extends IncomingMessage>(
  recorder: HttpRecorder,
  req: R,
  res: ServerResponse,
  route: (req: R) => string | undefined,
): HttpRequestTimer;
export function instrumentRequest<S>(
  recorder: HttpRecorder,
  req: IncomingMessage,
  res: ServerResponse,
  route: (subject: S) => string | undefined,
  subject: S,
): HttpRequestTimer;
export function instrumentRequest(
  recorder: HttpRecorder,
  req: IncomingMessage,
  res: ServerResponse,
  route: (subject: never) => string | undefined,
  subject: unknown = req,
): HttpRequestTimer {
  const own = Object.getPrototypeOf(res) === NODE_RESPONSE;
  // (an HTTP/1 response under another prototype: Express's, light-my-request's)
  const http1 = own || res instanceof ServerResponse;
  const timed = timedOf(req, res, own);
  if (timed !== undefined && timed.recorder === recorder) return timed.timer;
  // Each property of req/res is read once: frameworks that swap their prototypes (Express)
  // make every such read a slow, megamorphic lookup.
  const method = req.method;
  const timer = recorder.start(method ?? '');
  const count = recorder.bodySizes ? countBytes(res) : undefined;
  const watch = new Watch(recorder, timer, req, res, route, subject, count, method, http1);
  const kept = timed === undefined;
  if (kept) keepTimed(watch, own);
  if (!http1) watchStream(req);
  // One listener: Node emits 'close' for every response, a tick after 'finish' or on an abort.
  // A 'finish' listener too would turn Node's own single listener into an array per response.
  // Where its Watch is kept, one function shared by all responses finds it there.
  res.on('close', own && kept ? closeKept : kept && http1 ? closeFound : () => watch.close());
  const socket = res.socket;
  watchTimeout(socket as WatchedSocket | null);
  // A response that closed before this (the client hung up during a middleware that ran first)
  // gets no more 'close': it is counted now.
  if (closedOf(res, http1)) watch.close();
  // A pipelined request whose response waits behind another's has no socket yet, and Node
  // never closes that response if the client hangs up first: only its request closes.
  else if (socket === null) watchQueued(watch);
  return timer;
}

/**
 * One timed request: its recorder's timer and what its close handler reads, in one object per
 * request (a closure over the same would make two).
 */
class Watch {
  constructor(
    readonly recorder: HttpRecorder,
    readonly timer: HttpRequestTimer,
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
    // (only ever called with this Watch's subject, of the type it was given with)
    readonly route: (subject: never) => string | undefined,
    readonly subject: unknown,
    readonly count: ByteCount | undefined,
    readonly method: string | undefined,
    readonly http1: boolean,
  ) {}

  /** The response closed: a finished request, an abort (499) or a server error (500). */
  close(): void {
    const { timer, req, res, http1 } = this;
    if (timer.done) return;
    if (finishedOf(res, http1) || simulated(res)) timer.end(this.outcome());
    else if (givenUp(req, res)) timer.abort(this.outcome());
    else timer.end({ ...this.outcome(), statusCode: 500 });
  }

  /** What the response sent: its status, route and (with body sizes on) the bytes both ways. */
  outcome(): HttpRequestOutcome {
    const { req, count } = this;
    const statusCode = sentStatus(this.res);
    if (count === undefined) return { route: this.#routeOf(), statusCode };
    return {
      route: this.#routeOf(),
      statusCode,
      requestBytes: requestBytes(req),
      responseBytes: this.method === 'HEAD' || bodiless(statusCode) ? 0 : count.written,
    };
  }

  /** The route template, asked when the request is over; a route function that throws gives none. */
  #routeOf(): string | undefined {
    try {
      return this.route(this.subject as never);
    } catch {
      return undefined;
    }
  }
}

/** The 'close' listener of Node's own responses: their Watch is kept on them. */
function closeKept(this: TimedResponse): void {
  this[TIMED]?.close();
}

/**
 * The 'close' listener of other HTTP/1 responses whose Watch was kept (see keepTimed): a finished
 * one has let go of its socket, which its request (`res.req`) still names.
 */
function closeFound(this: TimedResponse): void {
  timedOf(this.req, this, false)?.close();
}

// An HTTP/1 response's state, read from the fields Node's getters return (`closed` is
// `_closed`, `writableEnded` is `finished`, `writableFinished` is `finished` with nothing left to
// flush): on a response under another prototype (Express's), each getter call through the
// longer prototype chain cost more than the rest of the close handler.
type Http1State = ServerResponse & { _closed?: unknown; outputSize?: unknown };

/** Whether `res` was closed (or destroyed) before it was instrumented. */
function closedOf(res: ServerResponse, http1: boolean): boolean {
  if (res.destroyed) return true;
  if (!http1) return res.closed || closedStream(res);
  const closed = (res as Http1State)._closed;
  return typeof closed === 'boolean' ? closed : res.closed;
}

/** Whether `res` ended and flushed all it wrote. */
function finishedOf(res: ServerResponse, http1: boolean): boolean {
  // (an HTTP/2 response reads as finished once its stream is gone: it must also have ended)
  if (!http1) return res.writableFinished && res.writableEnded;
  const { finished, outputSize } = res as Http1State;
  if (typeof finished !== 'boolean' || typeof outputSize !== 'number') return res.writableFinished;
  if (!finished || outputSize !== 0) return false;
  const socket = res.socket;
  return socket === null || socket.writableLength === 0;
}

/**
 * Whether `res` is an HTTP/2 response whose stream is gone (it has no `closed` of its own; Node's
 * own responses are never asked).
 */
function closedStream(res: ServerResponse): boolean {
  const stream = (res as { stream?: { closed?: boolean; destroyed?: boolean } }).stream;
  return stream !== undefined && (stream.closed === true || stream.destroyed === true);
}

// The queued responses of a connection waiting for its 'close' (see watchQueued): one listener
// per connection, and an entry per response that leaves once the response closes.
const QUEUED = Symbol('@ai-orchestrator/metrics.queued');
type QueueSocket = Socket & { [QUEUED]?: Set<() => void> };

function abortQueued(this: QueueSocket): void {
  const queued = this[QUEUED];
  delete this[QUEUED];
  for (const abort of queued ?? []) abort();
}

/**
 * Counts a queued pipelined response as given up when its connection closes before it got the
 * socket. The request's own 'close' comes when the client hangs up, but also as soon as its body
 * was read, with the connection still open (also before the middleware ran): then the
 * connection's 'close' is awaited, with one listener per connection.
 */
function watchQueued(watch: Watch): void {
  const { req, res, timer } = watch;
  const abort = (): void => {
    if (!timer.done && res.socket === null && !res.writableFinished) timer.abort(watch.outcome());
  };
  const check = (): void => {
    if (timer.done || res.socket !== null || res.writableFinished) return;
    const socket = req.socket as QueueSocket | null | undefined;
    if (socket === null || socket === undefined || socket.destroyed) {
      abort();
      return;
    }
    let queued = socket[QUEUED];
    if (queued === undefined) {
      queued = new Set();
      socket[QUEUED] = queued;
      socket.once('close', abortQueued);
    }
    const waiting = queued;
    waiting.add(abort);
    res.once('close', () => waiting.delete(abort));
  };
  if (req.closed || req.destroyed) check();
  else req.once('close', check);
}

/** Statuses whose response has no body: Node sends none of what is written. */
function bodiless(status: number): boolean {
  return status === 204 || status === 304 || (status >= 100 && status < 200);
}

/**
 * The status that went out: a handler may set `res.statusCode` after the headers were sent, which
 * changes nothing on the wire. Read from the status line Node wrote (`HTTP/1.1 200 OK`);
 * `res.statusCode` when there is none (HTTP/2, headers not sent).
 *
 * Reading that line costs: Node builds the head by concatenation and never flattens it, so the
 * first character read copies the whole head (1.4 µs a request in a Fastify profile, the largest
 * frame of ours). It is not read when the status message still names `res.statusCode`: Node
 * writes `STATUS_CODES[code]` as the message unless one was set before, and no two codes share
 * one, so a status set after the headers went out leaves the message of the one sent, which then
 * names another code. Two cases are read as set, not as sent: a handler that, after sending, sets
 * both the code and the message naming it; and one that, after sending a code with a message kept
 * from another (Koa's `ctx.status = 404` before a raw `writeHead(200)`; Node keeps the message of
 * a `writeHead` that threw, and Express and Fastify then send 500 with it), sets the code to the
 * one that message names.
 */
function sentStatus(res: ServerResponse): number {
  const status = res.statusCode;
  const line = (res as { _header?: unknown })._header;
  if (typeof line !== 'string') return status;
  if (res.statusMessage === STATUS_CODES[status]) return status;
  if (line.length < 12 || line.charCodeAt(8) !== 32) return status;
  const hundreds = line.charCodeAt(9) - 48;
  const tens = line.charCodeAt(10) - 48;
  const ones = line.charCodeAt(11) - 48;
  const digits = hundreds >= 1 && hundreds <= 9 && tens >= 0 && tens <= 9 && ones >= 0 && ones <= 9;
  return digits && line.startsWith('HTTP/') ? hundreds * 100 + tens * 10 + ones : status;
}
