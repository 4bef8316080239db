// The Node.js request lifecycle every adapter shares: response bytes, finish, abort.
// Adapters only tell it how to find the route template of their framework.
import type { IncomingMessage, ServerResponse } from 'node:http';
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
  const header = req.headers['content-length'];
  if (header === undefined) return req.headers['transfer-encoding'] === undefined ? 0 : undefined;
  const n = Number(header);
  return Number.isSafeInteger(n) && n >= 0 ? n : undefined;
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
  const timer = recorder.start(req.method ?? '');
  let written = 0;
  // Wrapping this one response's write/end (not the prototype) is how body bytes are counted
  // for streamed and chunked responses, whose length no header tells.
  const write = res.write;
  const end = res.end;
  res.write = function (this: ServerResponse, chunk: Chunk, ...rest: unknown[]): boolean {
    written += chunkBytes(chunk, rest[0]);
    return (write as (...args: unknown[]) => boolean).call(this, chunk, ...rest);
  } as ServerResponse['write'];
  res.end = function (this: ServerResponse, chunk?: unknown, ...rest: unknown[]): ServerResponse {
    if (!res.writableEnded) written += chunkBytes(chunk, rest[0]);
    return (end as (...args: unknown[]) => ServerResponse).call(this, chunk, ...rest);
  } as ServerResponse['end'];

  const safeRoute = (): string | undefined => {
    try {
      return route();
    } catch {
      return undefined;
    }
  };
  const outcome = () => ({
    route: safeRoute(),
    requestBytes: requestBytes(req),
    responseBytes: req.method === 'HEAD' ? 0 : written,
  });
  res.once('finish', () => timer.end({ ...outcome(), statusCode: res.statusCode }));
  res.once('close', () => {
    if (!res.writableFinished) timer.abort(outcome());
  });
  return timer;
}
