// An exposition body written as bytes into buffers that are handed out as chunks: lines are not
// built as strings (so they are neither joined nor encoded again at the socket), and a chunk is
// the part of a buffer written since the last one was taken.
//
// A consumer that is done with a chunk (the socket took it) may hand it back with release(): a
// buffer whose chunks all came back, once writing moved on to the next, is written again for a
// later chunk of the same body. Fresh memory costs a page fault per 4 KB on first touch (a 10k
// series scrape writes 28 MB: about 7,000 faults, up to half its time); reused, the body is
// written into a few buffers that stay in the cache. Nothing outlives the body: the buffers are
// the writer's, which lives as long as the stream. A consumer that never releases gets fresh
// buffers, as before.

import { formatValue } from './text-format.js';

// A buffer's size (and so a chunk's most of the time): the socket takes it in one write.
const CHUNK_BYTES = 64 * 1024;

// Where a writer starts: its first reserve() takes a buffer of its own.
const NO_BYTES = Buffer.alloc(0);

/** A buffer of the writer's, with the count of its chunks handed out and not handed back. */
interface Lent {
  readonly buf: Buffer;
  out: number;
  /** True once writing moved on to another buffer: no more chunks come from this one. */
  done: boolean;
}

export class ChunkWriter {
  /**
   * One writer lives as long as the module. V8 keeps the shape of a class's instances only while
   * one of them lives, and throws away the optimized code built on a shape when it is collected:
   * without this one, every scrape after a garbage collection ran unoptimized code again for its
   * first few milliseconds (10k series: about 40 ms instead of 27). It holds no buffer.
   */
  static readonly kept = new ChunkWriter();

  #buf: Buffer = NO_BYTES;
  #view: DataView<ArrayBufferLike> = new DataView(NO_BYTES.buffer, NO_BYTES.byteOffset, 0);
  #start = 0;
  /** Where the next byte goes: writers of bytes write at `off` and move it on. */
  off = 0;
  /** Full chunks not handed out yet (a buffer was replaced while a slice was running). */
  readonly #ready: Buffer[] = [];
  /** The buffer being written and those with chunks still out, by their memory. */
  readonly #lent = new Map<ArrayBufferLike, Lent>();
  #current: Lent | undefined;
  /** Buffers whose chunks all came back, to write again. */
  readonly #free: Buffer[] = [];
  /** Chunks handed back, so a chunk handed back twice counts once. */
  readonly #back = new WeakSet<Buffer>();

  /** The buffer to write into at `off`; valid until the next reserve(). */
  get buf(): Buffer {
    return this.#buf;
  }

  /** A DataView of `buf`, for 32-bit stores; valid until the next reserve(). */
  get view(): DataView<ArrayBufferLike> {
    return this.#view;
  }

  /** Makes room for `bytes` more at `off`, in a new buffer when this one has not got it. */
  reserve(bytes: number): void {
    if (this.off + bytes <= this.#buf.length) return;
    if (this.off > this.#start) this.#ready.push(this.#lend(this.#start, this.off));
    this.#retire();
    const reused = bytes <= CHUNK_BYTES ? this.#free.pop() : undefined;
    this.#buf = reused ?? Buffer.allocUnsafe(Math.max(CHUNK_BYTES, bytes));
    this.#view = new DataView(this.#buf.buffer, this.#buf.byteOffset, this.#buf.length);
    this.#current = { buf: this.#buf, out: 0, done: false };
    this.#lent.set(this.#buf.buffer, this.#current);
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
    const chunk = this.#lend(this.#start, this.off);
    this.#start = this.off;
    yield chunk;
  }

  /**
   * Hands back a chunk this writer gave out, once its bytes are no longer read (the socket took
   * them): its buffer may then hold a later chunk. Anything else, or a chunk handed back before,
   * is ignored.
   */
  release(chunk: Buffer): void {
    const lent = this.#lent.get(chunk.buffer);
    if (lent === undefined || this.#back.has(chunk)) return;
    this.#back.add(chunk);
    lent.out--;
    this.#recycle(lent);
  }

  /** The bytes from..to of the current buffer, as a chunk counted out. */
  #lend(from: number, to: number): Buffer {
    if (this.#current !== undefined) this.#current.out++;
    return this.#buf.subarray(from, to);
  }

  /** Marks the current buffer written: it is free again once its chunks all came back. */
  #retire(): void {
    const lent = this.#current;
    if (lent === undefined) return;
    this.#current = undefined;
    lent.done = true;
    this.#recycle(lent);
  }

  #recycle(lent: Lent): void {
    if (!lent.done || lent.out > 0) return;
    this.#lent.delete(lent.buf.buffer);
    // (only whole-size buffers are written again; a larger one, for one long line, is let go)
    if (lent.buf.length === CHUNK_BYTES) this.#free.push(lent.buf);
  }
}

// Each number below 10,000 as its four ASCII digits, zero-padded (`0042`), in one little-endian
// 32-bit word: a count is written with a table read and a store, not a division per digit. Made
// by the first scrape (40 KB, about 3 ms), not when the module loads.
let digitWords: Uint32Array | undefined;

function makeDigitWords(): Uint32Array {
  const words = new Uint32Array(10_000);
  for (let n = 0; n < 10_000; n++) {
    const digits = String(n).padStart(4, '0');
    words[n] =
      (digits.charCodeAt(0) | (digits.charCodeAt(1) << 8) | (digits.charCodeAt(2) << 16)) +
      digits.charCodeAt(3) * 0x1000000;
  }
  digitWords = words;
  return words;
}

/** Writes `group` (below 10,000) without leading zeros; up to three bytes past it too. */
function writeLeading(
  view: DataView<ArrayBufferLike>,
  off: number,
  words: Uint32Array,
  group: number,
): number {
  const digits = group < 10 ? 1 : group < 100 ? 2 : group < 1000 ? 3 : 4;
  // (the zeros padding the word are its low bytes, the first in memory: shifted out)
  view.setUint32(off, (words[group] as number) >>> ((4 - digits) * 8), true);
  return off + digits;
}

/**
 * Writes `value` as the text format writes it (prom-client's `String(value)`, `NaN`, `+Inf`,
 * `-Inf`) at `off` of `buf` (`view` is a DataView of it), which has 25 bytes free; returns the
 * offset after it. Up to three bytes past that offset may be written too.
 */
export function writeValue(
  buf: Buffer,
  view: DataView<ArrayBufferLike>,
  off: number,
  value: number,
): number {
  // Counts, the commonest values, are written four digits at a time.
  if ((value | 0) === value && value >= 0) {
    const words = digitWords ?? makeDigitWords();
    if (value < 10_000) return writeLeading(view, off, words, value);
    // (`| 0`: integer division; on a double, `%` is a call into the runtime)
    const high = (value / 10_000) | 0;
    const low = value - high * 10_000;
    let at: number;
    if (high < 10_000) at = writeLeading(view, off, words, high);
    else {
      // (below 2^31: at most two digits before the middle four)
      const top = (high / 10_000) | 0;
      at = writeLeading(view, off, words, top);
      view.setUint32(at, words[high - top * 10_000] as number, true);
      at += 4;
    }
    view.setUint32(at, words[low] as number, true);
    return at + 4;
  }
  // Other numbers as String() writes them: ASCII, under 25 characters, copied one by one (a call
  // into Buffer#write costs more than the copy).
  const text = formatValue(value);
  for (let i = 0; i < text.length; i++) buf[off++] = text.charCodeAt(i);
  return off;
}
