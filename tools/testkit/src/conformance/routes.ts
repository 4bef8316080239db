// The routes every driver's app serves, and the bodies they send, so the suite knows the bytes.
import type { IncomingMessage } from 'node:http';

/**
 * The paths of a conformance app. Each driver mounts the adapter first, then:
 * - `GET /ok`: 200 `ok`;
 * - `GET /users/:id`: 200 with a JSON body naming the id;
 * - `GET /throw`: the handler throws synchronously; `GET /reject`: it rejects asynchronously,
 *   both left to the framework's default error handling (500);
 * - `GET /stream`: sends `STREAM_CHUNKS` through the framework's own stream support (chunked);
 * - `GET /stalled`: starts a streamed response with `STALLED_CHUNK`, calls `hooks.hang`, and
 *   never ends it;
 * - `GET` and `POST /hang`: read the request body, call `hooks.hang(res, body)`, and once that
 *   resolves (the client left, or the server timed the socket out) answer `late`, too late;
 * - `POST /echo`: reads the request body and sends it back with 200;
 * - any other path: the framework's own 404.
 */
export const ROUTES = {
  ok: '/ok',
  user: '/users/:id',
  throw: '/throw',
  reject: '/reject',
  stream: '/stream',
  stalled: '/stalled',
  hang: '/hang',
  echo: '/echo',
} as const;

/** What `GET /stream` sends: 1000 + 2000 + 3 bytes ('€' is 3 bytes in UTF-8). */
export const STREAM_CHUNKS: readonly (string | Buffer)[] = [
  'a'.repeat(1000),
  Buffer.alloc(2000),
  '€',
];

/** The byte count of `STREAM_CHUNKS`. */
export const STREAM_BYTES = 3003;

/** What `GET /stalled` writes before it stalls. */
export const STALLED_CHUNK = 'partial';

/**
 * Reads a whole request body as UTF-8, for drivers of frameworks that do not parse bodies.
 *
 * @example
 * app.post('/echo', (req, res) => void readBody(req).then((body) => res.send(body)));
 */
export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
