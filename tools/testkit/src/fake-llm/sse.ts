// Writes a server-sent-events answer with the timing the test asked for, and breaks it on demand:
// a destroyed socket, a clean end before the final events, or the provider's error event.
import type { ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FakeBrokenStream } from './types.js';

/** One answer as SSE messages: what comes before the output, one per output chunk, the close. */
export interface Frames {
  readonly head: readonly string[];
  readonly output: readonly string[];
  readonly tail: readonly string[];
  /** The provider's in-stream error message. */
  error(type: string | undefined): string;
}

/** `data: <json>` (OpenAI) or `event: <name>` + data (Anthropic, Responses). */
export function message(data: unknown, event?: string): string {
  const line = `data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`;
  return event === undefined ? line : `event: ${event}\n${line}`;
}

export interface StreamTiming {
  readonly firstChunkMs: number;
  readonly chunkMs: number;
}

const gone = (res: ServerResponse): boolean => res.destroyed || res.writableEnded;

/** Streams `frames`; with `broken`, stops after `broken.afterChunks` output chunks. */
export async function writeStream(
  res: ServerResponse,
  frames: Frames,
  timing: StreamTiming,
  broken?: FakeBrokenStream,
): Promise<void> {
  if (gone(res)) return;
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  for (const m of frames.head) res.write(m);
  const limit = broken ? Math.min(broken.afterChunks, frames.output.length) : frames.output.length;
  for (let i = 0; i < limit; i++) {
    const wait = i === 0 ? timing.firstChunkMs : (broken?.chunkMs ?? timing.chunkMs);
    if (wait > 0) await sleep(wait);
    if (gone(res)) return;
    res.write(frames.output[i]);
  }
  if (broken?.kind === 'cut') {
    // Let the written chunks reach the client before the socket goes.
    await sleep(20);
    res.destroy();
    return;
  }
  if (broken?.kind === 'stream-error') res.write(frames.error(broken.errorType));
  if (!broken) for (const m of frames.tail) res.write(m);
  res.end();
}
