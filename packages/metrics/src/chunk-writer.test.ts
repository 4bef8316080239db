// A writer's buffers are written again once every chunk cut from them came back: a consumer that
// hands chunks back gets the same body in a few buffers, and a chunk still out is never written over.
import { describe, expect, it } from 'vitest';
import { ChunkWriter, writeValue } from './chunk-writer.js';
import { formatValue } from './text-format.js';

/** `lines` numbered lines of about 100 bytes each, written and taken in chunks. */
function* body(out: ChunkWriter, lines: number): Generator<Buffer, void, undefined> {
  for (let i = 0; i < lines; i++) {
    out.text(`line_${i}{route="/tenants/${i}/items/:id",method="GET",status="200"} ${i * 7}\n`);
    if (out.hasChunk()) yield* out.take();
  }
  yield* out.take();
}

function expected(lines: number): string {
  let text = '';
  for (let i = 0; i < lines; i++) {
    text += `line_${i}{route="/tenants/${i}/items/:id",method="GET",status="200"} ${i * 7}\n`;
  }
  return text;
}

describe('ChunkWriter: chunks handed back', () => {
  it('writes a body handed back chunk by chunk into a few buffers, byte for byte', () => {
    const out = new ChunkWriter();
    const copies: Buffer[] = [];
    const memory = new Set<ArrayBufferLike>();
    for (const chunk of body(out, 20_000)) {
      copies.push(Buffer.from(chunk));
      memory.add(chunk.buffer);
      out.release(chunk);
    }
    expect(Buffer.concat(copies).toString('utf8')).toBe(expected(20_000));
    // about 2 MB of body: 30-odd buffers without handing back, two with it
    expect(copies.length).toBeGreaterThan(25);
    expect(memory.size).toBeLessThanOrEqual(2);
  });

  it('never writes over a chunk still out, whatever the order chunks come back in', () => {
    const out = new ChunkWriter();
    const held: { chunk: Buffer; copy: Buffer }[] = [];
    const copies: Buffer[] = [];
    let seed = 7;
    const random = (): number => (seed = (seed * 48271) % 2147483647) / 2147483647;
    for (const chunk of body(out, 30_000)) {
      const copy = Buffer.from(chunk);
      copies.push(copy);
      held.push({ chunk, copy });
      // hand back a random one of the chunks out, now and then two, now and then none
      for (let n = Math.floor(random() * 3); n > 0 && held.length > 0; n--) {
        const [back] = held.splice(Math.floor(random() * held.length), 1);
        out.release(back!.chunk);
        out.release(back!.chunk); // twice: counted once
      }
      // every chunk still out reads as it was handed out
      for (const { chunk: still, copy: was } of held) expect(still.equals(was)).toBe(true);
    }
    expect(Buffer.concat(copies).toString('utf8')).toBe(expected(30_000));
  });

  it('ignores a buffer it did not hand out, and a writer that is never handed anything back allocates as before', () => {
    const out = new ChunkWriter();
    out.release(Buffer.alloc(65_536));
    out.release(Buffer.from('not ours'));
    const memory = new Set<ArrayBufferLike>();
    const copies: Buffer[] = [];
    for (const chunk of body(out, 20_000)) {
      memory.add(chunk.buffer);
      copies.push(chunk);
    }
    expect(Buffer.concat(copies).toString('utf8')).toBe(expected(20_000));
    expect(memory.size).toBeGreaterThan(20);
  });
});

describe('writeValue', () => {
  /** `value` written after a marker byte, and what it wrote up to the offset it returned. */
  function written(value: number): { text: string; spill: number } {
    const buf = Buffer.alloc(64, 0xee);
    const view = new DataView(buf.buffer, buf.byteOffset, buf.length);
    buf[0] = 0x7c;
    const end = writeValue(buf, view, 1, value);
    let last = 63;
    while (last > 0 && buf[last] === 0xee) last--;
    return { text: buf.toString('latin1', 1, end), spill: last + 1 - end };
  }

  it('writes every value as the text format does, and at most three bytes past its end', () => {
    const values = [0, -0, 1, 9, 10, 42, 99, 100, 999, 1000, 4096, 9999, 10_000, 10_001, 12_345];
    values.push(99_999_999, 100_000_000, 100_000_001, 123_456_789, 2 ** 31 - 1, 2 ** 31, 2 ** 32);
    values.push(
      2 ** 53,
      1e21,
      0.5,
      -1,
      -10_000,
      1.4750000000000003,
      1e-7,
      -0.0000012345678901234567,
    );
    values.push(NaN, Infinity, -Infinity, Number.MAX_VALUE, Number.MIN_VALUE);
    for (let n = 0; n < 10_000; n += 7) values.push(n, n * 10_007, n * 1_000_003);
    for (const value of values) {
      const { text, spill } = written(value);
      expect(text, String(value)).toBe(formatValue(value));
      expect(spill, String(value)).toBeLessThanOrEqual(3);
      expect(text.length + spill, String(value)).toBeLessThanOrEqual(25);
    }
  });
});
