// Writes an exposition to a Node response chunk by chunk, each after the socket took the last
// one (backpressure), so a scrape of many series never holds the event loop or the whole body.
import type { ServerResponse } from 'node:http';

/** How a wait for the socket to take more ended. */
type Drained = 'drained' | 'closed' | 'late';

/**
 * Resolves `drained` when `res` can take more, `closed` when the client has gone, `late` when
 * `deadline` (a `performance.now()` time) passed first: a scraper that stopped reading would
 * otherwise hold the response, its unsent megabyte and the rest of the rendering for as long as
 * its socket lives (Node sets no write timeout).
 */
function drained(res: ServerResponse, deadline: number): Promise<Drained> {
  if (res.destroyed || res.writableEnded) return Promise.resolve('closed');
  return new Promise((resolve) => {
    const done = (how: Drained): void => {
      clearTimeout(timer);
      res.off('drain', onDrain);
      res.off('close', onClose);
      resolve(how);
    };
    const onDrain = (): void => done('drained');
    const onClose = (): void => done('closed');
    const timer = setTimeout(() => done('late'), Math.max(0, deadline - performance.now()));
    res.once('drain', onDrain);
    res.once('close', onClose);
  });
}

// Bytes the response may hold unsent before the next chunk waits for 'drain'.
const MAX_BUFFERED = 1 << 20;

/** A write's callback: hands the chunk back once the socket took it (not after a failed write). */
function releasing(
  chunk: Buffer,
  release: ((chunk: Buffer) => void) | undefined,
): ((error?: Error | null) => void) | undefined {
  if (release === undefined) return undefined;
  return (error) => {
    if (error === null || error === undefined) release(chunk);
  };
}

/** Writes `chunk`; resolves false when the client has gone, throws `onLate()` past `deadline`. */
async function put(
  res: ServerResponse,
  body: PendingBody,
  chunk: Buffer,
  deadline: number,
  onLate: () => Error,
): Promise<boolean> {
  const written = res.write(chunk, releasing(chunk, body.release));
  if (written || res.writableLength < MAX_BUFFERED) return !res.destroyed;
  const how = await drained(res, deadline);
  if (how === 'late') throw onLate();
  return how === 'drained';
}

/** A body's first chunks (one or two) and the rest, read before the status line is sent. */
export interface PendingBody {
  readonly contentType: string;
  readonly read: readonly Buffer[];
  readonly rest: AsyncIterator<Buffer, unknown>;
  /** True when `read` is the whole body. */
  readonly whole: boolean;
  /** The stream's release (see ExpositionStream), when it has one. */
  readonly release?: ((chunk: Buffer) => void) | undefined;
}

/** Stops the rest of a body no one will read; its failure, if any, has no one to tell. */
export function abandon(rest: AsyncIterator<Buffer, unknown>): void {
  rest.return?.().catch(() => undefined);
}

/** HEAD: every chunk is rendered to count its bytes, none is written. */
async function head(res: ServerResponse, body: PendingBody, headers: Record<string, string>) {
  let bytes = 0;
  for (const chunk of body.read) bytes += chunk.length;
  if (!body.whole) {
    for (let next = await body.rest.next(); next.done !== true; next = await body.rest.next()) {
      bytes += next.value.length;
      body.release?.(next.value); // counted, never sent
    }
  }
  if (res.headersSent || res.destroyed) return;
  res.writeHead(200, { ...headers, 'Content-Length': bytes });
  res.end();
}

/**
 * Sends `body` with status 200: with Content-Length when it is one chunk, chunked otherwise.
 * Throws what the rendering throws, and `onLate()` when the body is not sent by `deadline` (a
 * scraper that stops reading included); after the status line is sent the response is
 * destroyed, so the scraper sees a cut body, never a short one that looks whole.
 */
export async function sendBody(
  res: ServerResponse,
  body: PendingBody,
  headOnly: boolean,
  deadline: number,
  onLate: () => Error,
): Promise<void> {
  const headers = { 'Content-Type': body.contentType, 'Cache-Control': 'no-store' };
  if (headOnly) return head(res, body, headers);
  if (res.headersSent || res.destroyed) return abandon(body.rest);
  if (body.whole) {
    const whole = Buffer.concat(body.read);
    res.writeHead(200, { ...headers, 'Content-Length': whole.length });
    res.end(whole);
    return;
  }
  res.writeHead(200, headers);
  try {
    let ok = true;
    for (const chunk of body.read) ok = ok && (await put(res, body, chunk, deadline, onLate));
    while (ok) {
      if (performance.now() > deadline) throw onLate();
      const next = await body.rest.next();
      if (next.done === true) break;
      ok = await put(res, body, next.value, deadline, onLate);
    }
    if (ok) res.end();
    else abandon(body.rest);
  } catch (error) {
    res.destroy();
    abandon(body.rest);
    throw error;
  }
}
