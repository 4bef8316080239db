// An exposition body written as bytes into buffers that are handed out as chunks: lines are not
// built as strings (so they are neither joined nor encoded again at the socket), and a chunk is
// the part of a buffer written since the last one was taken.

import { formatValue } from './text-format.js';

// A buffer's size (and so a chunk's most of the time): the socket takes it in one write.
const CHUNK_BYTES = 64 * 1024;

// Where a writer starts: its first reserve() takes a buffer of its own.
const NO_BYTES = Buffer.alloc(0);

export class ChunkWriter {
  /**
   * One writer lives as long as the module. V8 keeps the shape of a class's instances only while
   * one of them lives, and throws away the optimized code built on a shape when it is collected:
   * without this one, every scrape after a garbage collection ran unoptimized code again for its
   * first few milliseconds (10k series: about 40 ms instead of 27). It holds no buffer.
   */
  static readonly kept = new ChunkWriter();

  #buf = NO_BYTES;
  #start = 0;
  /** Where the next byte goes: writers of bytes write at `off` and move it on. */
  off = 0;
  /** Full chunks not handed out yet (a buffer was replaced while a slice was running). */
  readonly #ready: Buffer[] = [];

  /** The buffer to write into at `off`; valid until the next reserve(). */
  get buf(): Buffer {
    return this.#buf;
  }

  /** Makes room for `bytes` more at `off`, in a new buffer when this one has not got it. */
  reserve(bytes: number): void {
    if (this.off + bytes <= this.#buf.length) return;
    if (this.off > this.#start) this.#ready.push(this.#buf.subarray(this.#start, this.off));
    this.#buf = Buffer.allocUnsafe(Math.max(CHUNK_BYTES, bytes));
    this.#start = 0;
    this.off = 0;
  }

  /** Writes `text` as UTF-8. */
  text(text: string): void {
    // a long text (a whole family of gauges) is measured rather than given three bytes a character
    this.reserve(text.length > 4096 ? Buffer.byteLength(text) : text.length * 3);
    this.off += this.#buf.write(text, this.off, 'utf8');
  }

  /** True when a full chunk is waiting, or a chunk's worth is written since the last was taken. */
  hasChunk(): boolean {
    return this.#ready.length > 0 || this.off - this.#start >= CHUNK_BYTES;
  }

  /** Every chunk written so far, in order; later writes go to the rest of the same buffer. */
  *take(): Generator<Buffer, void, undefined> {
    while (this.#ready.length > 0) yield this.#ready.shift() as Buffer;
    if (this.off === this.#start) return;
    const chunk = this.#buf.subarray(this.#start, this.off);
    this.#start = this.off;
    yield chunk;
  }
}

/**
 * Writes `value` as the text format writes it (prom-client's `String(value)`, `NaN`, `+Inf`,
 * `-Inf`) at `off` of `buf`, which has 25 bytes free; returns the offset after it.
 */
export function writeValue(buf: Buffer, off: number, value: number): number {
  // Counts, the commonest values, are written digit by digit.
  if ((value | 0) === value && value >= 0) {
    if (value < 10) {
      buf[off] = 48 + value;
      return off + 1;
    }
    let end = off + 1;
    for (let rest = value; rest >= 10; rest = (rest / 10) | 0) end++;
    for (let rest = value, at = end; at > off; rest = (rest / 10) | 0) buf[--at] = 48 + (rest % 10);
    return end;
  }
  return off + buf.write(formatValue(value), off, 'latin1');
}
