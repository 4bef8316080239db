// The Node.js request lifecycle every adapter shares: response bytes, finish, abort.
// Adapters only tell it how to find the route template of their framework.
import { ServerResponse, type IncomingMessage } from 'node:http';
import type { HttpRecorder, HttpRequestTimer } from './types.js';

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

/**
 * Times one request on Node's own `req`/`res`: counts the response body as it is written
 * (streaming and chunked included), ends the timer on `finish`, and counts a response closed
 * before it finished as an abort (499). `route` is asked once, when the request is over.
 * Never throws into the request.
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
  // Each property of req/res is read once: frameworks that swap their prototypes (Express)
  // make every such read a slow, megamorphic lookup.
  const method = req.method;
  const timer = recorder.start(method ?? '');
  const head = method === 'HEAD';
  const count = countBytes(res);
  // on(), not once(): the timer counts only its first end, and the response is short-lived.
  res.on('finish', () => {
    timer.end({
      route: safeRoute(route),
      requestBytes: requestBytes(req),
      responseBytes: head ? 0 : count.written,
      statusCode: res.statusCode,
    });
  });
  res.on('close', () => {
    if (timer.done || res.writableFinished) return;
    timer.abort({
      route: safeRoute(route),
      requestBytes: requestBytes(req),
      responseBytes: head ? 0 : count.written,
    });
  });
  return timer;
}

function safeRoute(route: () => string | undefined): string | undefined {
  try {
    return route();
  } catch {
    return undefined;
  }
}
